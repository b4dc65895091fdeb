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
  const wanted = name.toLowerCase();
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
      current = namesField(raw, start, end, wanted) ? values.push(valueOf(raw, start, end)) - 1 : -1;
    }
    start = lf + 1;
  }
  return values;
}

const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** The index of the LF ending the line that starts at `start`, or raw.length. */
function lineEnd(raw: string, start: number): number {
  const lf = raw.indexOf('\n', start);
  return lf < 0 ? raw.length : lf;
}

/**
 * Whether raw[start, end) is a field line of `wanted` (lower case): read as
 * splitting into lines reads it, the name being what precedes the first
 * colon, trimmed and lower-cased. A name written exactly (`X-Forwarded-For:`,
 * ASCII, any case) is compared in place; only a name with something around
 * it, or longer than `wanted`, is cut out to be compared.
 */
function namesField(raw: string, start: number, end: number, wanted: string): boolean {
  const colon = raw.indexOf(':', start);
  if (colon < 0 || colon >= end || colon - start < wanted.length) return false;
  if (colon - start > wanted.length) return raw.slice(start, colon).trim().toLowerCase() === wanted;
  for (let i = 0; i < wanted.length; i++) {
    const c = raw.charCodeAt(start + i);
    if (c > 0x7f) return raw.slice(start, colon).trim().toLowerCase() === wanted;
    // An ASCII capital is its small letter less 0x20.
    if (c !== wanted.charCodeAt(i) && !(c >= 0x41 && c <= 0x5a && c + 0x20 === wanted.charCodeAt(i))) return false;
  }
  return true;
}

/** The value of the field line raw[start, end): after its colon, trimmed. */
function valueOf(raw: string, start: number, end: number): string {
  return raw.slice(raw.indexOf(':', start) + 1, end).trim();
}
