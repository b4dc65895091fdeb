/**
 * drachtio-srf's reader of the control connection, hardened, so a damaged
 * stream from drachtio-server cannot take the edge down or lose its place.
 *
 * drachtio-server frames each message as `<length>#<message id>|…`, the id a
 * UUID. Under a flood it has been seen to send a frame whose length is
 * shorter than its message (bench:flood: a REGISTER cut at
 * `CSeq: 1 REGISTER\r\nCo`, the rest of it opening the next frame).
 * drachtio-srf's own reader (lib/wire-protocol.js `_onData`) takes whatever
 * parseInt makes of the bytes before the next `#` as a length: garbage with
 * no leading digit makes it throw from the socket's data handler on an
 * inbound (client) connection, and the process dies of the uncaught
 * exception; garbage that starts with a digit ("1 REGISTER…") is read as a
 * 1-byte message and the reader loses its place for good. This reader takes
 * a frame only when its length is all digits and its body starts with a
 * message id; anything else is dropped up to the next frame start, and the
 * wire protocol emits `resync` with the bytes dropped, for the message guard
 * to log and count. What it emits, and how a failing listener is treated,
 * is drachtio-srf's.
 *
 * The reader is bound to each socket when the socket is made, so the
 * prototype is replaced, once, before any connection exists.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface IncomingState {
  incomingMsg: Buffer;
  length: number;
  /** Bytes dropped since the stream was found damaged, until a frame start turns up. */
  dropped?: number;
}

interface WireProtocolInstance {
  readonly isServer: boolean;
  readonly mapIncomingMsg: Map<unknown, IncomingState>;
  emit(event: string, ...args: unknown[]): boolean;
  disconnect(socket: unknown): void;
}

type OnData = ((this: WireProtocolInstance, socket: unknown, data: Buffer) => void) & { [REPLACED]?: true };

const REPLACED = Symbol.for('sipwarden.wire-reader');
const HASH = 0x23;
const PIPE = 0x7c;
const DASH = 0x2d;
/** A length of at most ten digits: drachtio-server's messages are far below 10 GB. */
const LENGTH_DIGITS = 10;
/** What a frame's body starts with: the UUID drachtio-server gives every message (8-4-4-4-12 hex digits), then `|`. */
const MESSAGE_ID_BYTES = 37;
/** A frame start: a length not glued to other digits, `#`, a message id. */
const FRAME_START = /(?<!\d)\d{1,10}#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\|/i;
/** What is kept of a buffer with no frame start yet: enough for one to complete with the next bytes. */
const KEPT_TAIL = 64;

/**
 * How many bytes to drop from the front of `buffer` so that it starts with a
 * frame, and whether one is there; when none is yet, all but a tail.
 */
export function bytesBeforeNextFrame(buffer: Buffer): { readonly skip: number; readonly found: boolean } {
  // latin1 maps bytes to characters one to one, so a match's index is a byte offset.
  const found = FRAME_START.exec(buffer.toString('latin1', 1));
  if (found !== null) return { skip: found.index + 1, found: true };
  return { skip: Math.max(1, buffer.length - KEPT_TAIL), found: false };
}

// The checks of every frame read bytes, not strings: they run once per message on the control link.
const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;
const isHexDigit = (byte: number): boolean => isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);

/** Where the id's dashes are (8-4-4-4-12), compared rather than looked up: a Set's lookup per byte cost ~2 µs a message (bench:sip profile). */
const isDashAt = (i: number): boolean => i === 8 || i === 13 || i === 18 || i === 23;

function isMessageIdAt(buffer: Buffer, at: number): boolean {
  for (let i = 0; i < MESSAGE_ID_BYTES - 1; i++) {
    const byte = buffer[at + i]!;
    if (isDashAt(i) ? byte !== DASH : !isHexDigit(byte)) return false;
  }
  return buffer[at + MESSAGE_ID_BYTES - 1] === PIPE;
}

/** The frame length written before `hash` (the index of the first `#`), or -1 when it is not 1-10 digits. */
function lengthBefore(buffer: Buffer, hash: number): number {
  if (hash < 1 || hash > LENGTH_DIGITS) return -1;
  let length = 0;
  for (let i = 0; i < hash; i++) {
    const byte = buffer[i]!;
    if (!isDigit(byte)) return -1;
    length = length * 10 + (byte - 0x30);
  }
  return length;
}

/** True when `buffer` cannot start a frame: a length that is not all digits, or a body that does not start with an id. */
export function damagedAt(buffer: Buffer, hash: number): boolean {
  if (hash < 0) {
    if (buffer.length > LENGTH_DIGITS + 1) return true;
    for (const byte of buffer) if (!isDigit(byte)) return true;
    return false;
  }
  if (lengthBefore(buffer, hash) < MESSAGE_ID_BYTES) return true;
  const id = hash + 1;
  return buffer.length >= id + MESSAGE_ID_BYTES && !isMessageIdAt(buffer, id);
}

const readFrames: OnData = function (socket, data) {
  let state = this.mapIncomingMsg.get(socket);
  if (state === undefined) {
    state = { incomingMsg: Buffer.alloc(0), length: -1 };
    this.mapIncomingMsg.set(socket, state);
  }
  state.incomingMsg = state.incomingMsg.length === 0 ? data : Buffer.concat([state.incomingMsg, data]);
  for (;;) {
    const buffer = state.incomingMsg;
    const hash = buffer.indexOf(HASH);
    if (damagedAt(buffer, hash)) {
      const { skip, found } = bytesBeforeNextFrame(buffer);
      state.incomingMsg = buffer.subarray(skip);
      state.dropped = (state.dropped ?? 0) + skip;
      if (!found) return;
      continue;
    }
    if (hash < 0) return;
    const start = hash + 1;
    const end = start + lengthBefore(buffer, hash);
    if (buffer.length < end) return;
    if (state.dropped !== undefined) {
      // Back on a whole frame: the damage is over, and reported once.
      this.emit('resync', state.dropped);
      state.dropped = undefined;
    }
    const message = buffer.toString('utf8', start, end);
    state.incomingMsg = buffer.subarray(end);
    try {
      this.emit('msg', socket, message);
    } catch (err) {
      // As drachtio-srf does: an outbound connection is closed, an inbound one rethrows (the message guard wraps its listeners).
      if (!this.isServer) throw err;
      console.error(`invalid client message, closing socket: ${String(err)}`);
      this.disconnect(socket);
      return;
    }
  }
};

export function guardWireFraming(): void {
  const WireProtocol = require('drachtio-srf/lib/wire-protocol.js') as { prototype: { _onData: OnData } };
  if (WireProtocol.prototype._onData[REPLACED]) return;
  Object.assign(readFrames, { [REPLACED]: true });
  WireProtocol.prototype._onData = readFrames;
}
