/**
 * An export (list-export.ts: what each format holds and what takes it back)
 * as the API answers it: an attachment named after the list.
 */
import type { FastifyReply } from 'fastify';
import type { ListId } from '../../store/keys.js';
import { EXPORT_FILES, type Exported, type ExportedList } from '../list-export.js';

/** The export as the reply's payload, with its headers set. */
export function exportReply(reply: FastifyReply, list: ListId, exported: Exported): string | ExportedList {
  const { extension, mediaType } = EXPORT_FILES[exported.format];
  // Tenant names are [A-Za-z0-9._@-]: safe inside the quoted filename.
  reply.header('content-disposition', `attachment; filename="${list.tenant}-${list.scope}.${extension}"`);
  if (exported.format === 'json') return exported.list;
  reply.type(mediaType);
  return exported.text;
}
