/**
 * Header field values read from a raw SIP message in the order they were
 * written.
 *
 * drachtio-srf's parser keeps extension headers under their spelling, so
 * `X-Forwarded-For` and `x-forwarded-for` land under two keys and lose their
 * relative order. A forwarded-address chain is only meaningful in order, so
 * it is read from the raw message instead.
 */

/**
 * The values of every `name` header field in `raw`, in message order.
 * Names compare case-insensitively (RFC 3261 §7.3.1); a line starting with
 * whitespace continues the previous field (line folding, §7.3.1); the header
 * ends at the first empty line.
 */
export function headerFieldValues(raw: string, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  const lines = raw.split(/\r?\n/);
  let current = -1;
  // lines[0] is the request line.
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current >= 0) values[current] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    current = -1;
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) {
      current = values.push(line.slice(colon + 1).trim()) - 1;
    }
  }
  return values;
}
