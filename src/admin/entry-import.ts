/**
 * Mass insert: entries from a file or stdin. Each line holds one entry, or
 * several separated by commas; each entry is a CIDR optionally followed by
 * whitespace and a description. Blank lines and lines starting with `#` are
 * skipped.
 *
 *   203.0.113.0/24   Head office
 *   198.51.100.7 VPN gateway, 198.51.100.8 VPN gateway 2
 *   192.0.2.0/24,192.0.3.0/24
 */
import type { EntryInput } from '../store/list-state.js';

/** An entry to import, with where it stood in the input: its line, or its position in a list of entries. */
export interface ImportedEntry {
  /** 1-based line of a text or JSON-lines input. */
  readonly line?: number;
  /** 0-based position in the entries of an exported JSON list. */
  readonly entry?: number;
  readonly input: EntryInput;
}

export function parseImport(text: string, active: boolean): ImportedEntry[] {
  const entries: ImportedEntry[] = [];
  text.split(/\r?\n/).forEach((content, i) => {
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    for (const piece of trimmed.split(',')) {
      const part = piece.trim();
      if (part === '' && trimmed.endsWith(',')) continue; // a trailing comma, as in list strings
      const space = part.search(/\s/);
      const value = space < 0 ? part : part.slice(0, space);
      const description = space < 0 ? '' : part.slice(space).trim();
      entries.push({ line: i + 1, input: { value, active, ...(description !== '' && { description }) } });
    }
  });
  return entries;
}
