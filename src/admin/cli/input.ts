/**
 * Reads what a command takes as a whole text: a file, or stdin for `-`.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AdminFailure } from '../list-admin.js';

export const STDIN = '-';

/** True when the text would come from a terminal nobody is piping into. */
export function waitsForTyping(source: string): boolean {
  return source === STDIN && process.stdin.isTTY === true;
}

/** The whole text, or why it could not be read; `onBytes` hears how much has arrived. */
export async function readInput(
  source: string,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<{ ok: true; text: string } | { ok: false; failure: AdminFailure }> {
  const stream: Readable = source === STDIN ? process.stdin : createReadStream(source);
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      onBytes(bytes);
    }
  } catch (err) {
    return { ok: false, failure: { kind: 'invalid', message: `cannot read ${source}: ${(err as Error).message}` } };
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
