/**
 * The embedded store: lists kept in a local list file (see list-file.ts),
 * for an edge run without Redis. The file is read again whenever its
 * modification time or size changes; the cache's reconciliation polls it, so
 * an edited file is enforced within one reconciliation period. A file that
 * turns malformed is refused and the lists read before stay enforced. It
 * keeps no store marker: a local file does not come back empty on its own.
 */
import { stat } from 'node:fs/promises';
import { type ListId, listIdKey } from './keys.js';
import { type ListFileContent, readListFile } from './list-file.js';
import type { ListSource, Watch } from './list-source.js';
import { type RawList, fingerprintOf } from './raw-list.js';
import { type Marked, NOT_KEPT } from './store-marker.js';

export class EmbeddedListSource implements ListSource {
  private content: ListFileContent = { domains: new Map(), lists: [] };
  private version = '';

  constructor(private readonly path: string) {}

  private async refresh(): Promise<ListFileContent> {
    const info = await stat(this.path);
    const version = `${info.mtimeMs}:${info.size}`;
    if (version === this.version) return this.content;
    const result = await readListFile(this.path);
    if (!result.ok) throw new Error(result.error);
    this.content = result.content;
    this.version = version;
    return this.content;
  }

  async readAll(): Promise<{ lists: RawList[] } & Marked> {
    return { lists: [...(await this.refresh()).lists], marker: NOT_KEPT };
  }

  async read(id: ListId): Promise<RawList & Marked> {
    const found = (await this.refresh()).lists.find((l) => l.tenant === id.tenant && l.scope === id.scope);
    return { ...(found ?? { ...id, cidrs: null, enabled: null, entries: {}, rev: null }), marker: NOT_KEPT };
  }

  async readDomains(): Promise<{ domains: Map<string, string> } & Marked> {
    return { domains: new Map((await this.refresh()).domains), marker: NOT_KEPT };
  }

  async fingerprint(id: ListId): Promise<string> {
    return fingerprintOf(await this.read(id));
  }

  async fingerprints(): Promise<{ fingerprints: Map<string, string> } & Marked> {
    return { fingerprints: new Map((await this.refresh()).lists.map((l) => [listIdKey(l), fingerprintOf(l)])), marker: NOT_KEPT };
  }

  /** A file announces nothing: changes arrive through reconciliation. */
  async watch(): Promise<Watch> {
    return { live: Promise.resolve(), stop: async () => undefined };
  }
}
