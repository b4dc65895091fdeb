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
 *
 * Every request is read for the forwarded-address header, and nearly none
 * has one: the lines are walked by index, and only a line naming the field
 * is cut out of the message (splitting the message into lines was 17% of
 * the access filter's time per request).
 */
export function headerFieldValues(raw: string, name: string): string[] {
  const values: string[] = [];
  let current = -1;
  // The first line is the request line.
  for (let start = lineEnd(raw, 0) + 1; start < raw.length; ) {
    const lf = lineEnd(raw, start);
    const end = lf > start && raw.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
    if (end === start) break;
    const first = raw.charCodeAt(start);
    if (first === SPACE || first === TAB) {
      if (current >= 0) values[current] += ` ${raw.slice(start, end).trim()}`;
    } else {
      current = namesField(raw, start, end, name) ? values.push(valueOf(raw, start, end)) - 1 : -1;
    }
    start = lf + 1;
  }
  return values;
}

const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

/** The index of the LF ending the line that starts at `start`, or raw.length. */
function lineEnd(raw: string, start: number): number {
  const lf = raw.indexOf('\n', start);
  return lf < 0 ? raw.length : lf;
}

/** Whether raw[start, end) is a `name:` field line (whitespace allowed before the colon), name compared case-insensitively. */
function namesField(raw: string, start: number, end: number, name: string): boolean {
  if (end - start <= name.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = raw.charCodeAt(start + i);
    const w = name.charCodeAt(i);
    // ASCII letters differ from their other case by 0x20 alone; a header name is a token (§25.1), ASCII only.
    if (c !== w && !((c | 0x20) === (w | 0x20) && ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a))) return false;
  }
  let at = start + name.length;
  while (at < end && (raw.charCodeAt(at) === SPACE || raw.charCodeAt(at) === TAB)) at++;
  return at < end && raw.charCodeAt(at) === COLON;
}

/** The value of the field line raw[start, end): after its colon, trimmed. */
function valueOf(raw: string, start: number, end: number): string {
  return raw.slice(raw.indexOf(':', start) + 1, end).trim();
}
