/**
 * Issue 9, "go further": the torture set of sip-fixtures/torture (RFC 4475's
 * messages and our own) sent from a listed source (127.0.0.2) and an unlisted
 * one (127.0.0.3) over udp and tcp to a real drachtio-server in front of the
 * main job, a real redis-server and a sipp UAS as the PBX.
 *
 * After each message the invariants hold: a listed desk phone still registers
 * (200), an unlisted one still gets 403, /health is 200, the drachtio link
 * never dropped, drachtio-server never disconnected its client, and nothing
 * the unlisted source sent reached the PBX. Each message's own answer is
 * checked against the table below, which says who gave it and why.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FIXTURES, fixture } from '../sip/drachtio-message.js';
import { capturedLog } from '../sip/harness.js';
import { findDrachtio } from './drachtio-server.js';
import { ALLOWED, DENIED, type InboundStack, health, startInboundStack, stopStack } from './main-job.js';
import { fresh, sendUdp } from './sip-clients.js';
import { sendTcp } from './sip-stream-client.js';

/** Without a binary the suite is skipped; the global setup says so once. */
const binary = findDrachtio();

/** How long a send waits before it counts as unanswered. */
const NO_ANSWER_MS = 1000;

/** An answer: the final status line without `SIP/2.0 `, or NONE. */
type Answer = string;
const NONE = 'no answer';
const OK = '200 OK';
const FORBIDDEN = '403 Forbidden';
const BAD = '400 Bad Request';
const NO_DIALOG = '481 Call/Transaction Does Not Exist';

interface Torture {
  readonly file: string;
  /** The answers over udp to the unlisted source, then to the listed one. */
  readonly udp: readonly [Answer, Answer];
  /** Over tcp; absent for a message whose point is a property of a datagram. */
  readonly tcp?: readonly [Answer, Answer];
}

/** The same answers over udp and tcp. */
const both = (file: string, unlisted: Answer, listed: Answer): Torture => ({ file, udp: [unlisted, listed], tcp: [unlisted, listed] });

/**
 * RFC 4475 §3.1.1: valid, if unusual. The edge judges them (403 to the
 * unlisted source) and proxies them for the listed one, whose PBX answers.
 */
const VALID: readonly Torture[] = [
  // Its To carries a tag: drachtio-server has no such dialog and answers 481 itself ("received new INVITE with a to tag that we are not tracking").
  both('wsinv.sip', NO_DIALOG, NO_DIALOG),
  // An unknown method: drachtio-server discards it unanswered (README, "SIP behaviour"); with the NUL in its To it does not even log it.
  both('intmeth.sip', NONE, NONE),
  both('esc01.sip', FORBIDDEN, OK),
  both('escnull.sip', FORBIDDEN, OK),
  // RE%47IST%45R is not REGISTER but an unknown method: discarded.
  both('esc02.sip', NONE, NONE),
  both('lwsdisp.sip', FORBIDDEN, OK),
  both('longreq.sip', FORBIDDEN, OK),
  // The INVITE after the REGISTER is trailing octets of the datagram, ignored; over tcp it would be a second message.
  { file: 'dblreq.sip', udp: [FORBIDDEN, OK] },
  both('semiuri.sip', FORBIDDEN, OK),
  both('transports.sip', FORBIDDEN, OK),
  // The binary body holds NUL bytes: drachtio-server refuses any message with one, valid or not.
  both('mpart01.sip', BAD, BAD),
  // Responses matching no transaction: dropped.
  both('unreason.sip', NONE, NONE),
  both('noreason.sip', NONE, NONE),
];

/**
 * RFC 4475 §3.1.2: invalid. drachtio-server's parser answers most of them 400
 * (or drops what it cannot answer) before the edge sees them; the few it lets
 * through, the edge judges like any other.
 */
const INVALID: readonly Torture[] = [
  // No Via it can answer to: dropped.
  both('badinv01.sip', NONE, NONE),
  // Over tcp the server waits for the 9,999 octets of body announced (RFC 3261 §18.3).
  { file: 'clerr.sip', udp: [BAD, BAD], tcp: [NONE, NONE] },
  both('ncl.sip', '400 Bad Content-Length Header', '400 Bad Content-Length Header'),
  both('scalar02.sip', '400 Bad CSeq Header', '400 Bad CSeq Header'),
  both('scalarlg.sip', NONE, NONE),
  both('quotbal.sip', '400 Bad To Header', '400 Bad To Header'),
  both('ltgtruri.sip', BAD, BAD),
  // Dropped by drachtio-server's parser, with nothing logged.
  both('lwsruri.sip', NONE, NONE),
  // drachtio-server hands it over, but drachtio-srf cannot parse the start line and drops it (console.error, checked below): no answer at all.
  both('lwsstart.sip', NONE, NONE),
  // Accepted (RFC 4475 allows it) and judged.
  both('trws.sip', FORBIDDEN, OK),
  // Accepted and judged; a Request-URI with a header field is not forwarded (RFC 3261 §19.1.1, RFC 4475 §3.1.2.11).
  both('escruri.sip', FORBIDDEN, '400 Bad Request'),
  // A Date not in GMT: drachtio-server discards it with "discarding message due to error" and answers 400.
  both('baddate.sip', BAD, BAD),
  both('regbadct.sip', '400 Bad Contact Header', '400 Bad Contact Header'),
  // Spaces within the To addr-spec: accepted and judged (RFC 4475 allows liberal parsing).
  both('badaspec.sip', FORBIDDEN, OK),
  both('baddn.sip', '400 Bad From Header', '400 Bad From Header'),
  // SIP/7.0: 505 over tcp; over udp drachtio-server sends it to the Via's c.example.com, which does not resolve.
  { file: 'badvers.sip', udp: [NONE, NONE], tcp: ['505 Version Not Supported', '505 Version Not Supported'] },
  both('mismatch01.sip', BAD, BAD),
  both('mismatch02.sip', BAD, BAD),
  both('bigcode.sip', NONE, NONE),
];

/**
 * RFC 4475 §3.2 to §3.4, what the transaction and application layers make
 * of messages that parse: the edge judges them, and the PBX (the sipp
 * stand-in, which answers 200 to what it serves) is the one to mind the rest.
 */
const SEMANTIC: readonly Torture[] = [
  // The branch is only the magic cookie: matched the RFC 2543 way, judged.
  both('badbranch.sip', FORBIDDEN, OK),
  both('insuf.sip', BAD, BAD),
  // Request-URIs without a host: the default tenant's list, which is locked down too.
  both('unkscm.sip', FORBIDDEN, OK),
  both('novelsc.sip', FORBIDDEN, OK),
  both('unksm2.sip', FORBIDDEN, OK),
  // A Proxy-Require the edge does not support: 420 with Unsupported (RFC 3261 §16.3 step 5).
  both('bext01.sip', FORBIDDEN, '420 Bad Extension'),
  both('invut.sip', FORBIDDEN, OK),
  // A REGISTER without Contact, which the PBX stand-in answers with a bare ";expires=300" header line that
  // drachtio-srf cannot parse: drachtio-server relays the 200, and the edge skips the response it cannot read
  // instead of dying of it (message-guard.ts); the invariants after it prove the edge still serves.
  both('regaut01.sip', FORBIDDEN, OK),
  both('multi01.sip', '400 Bad CSeq Header', '400 Bad CSeq Header'),
  both('mcl01.sip', '400 Bad Content-Length Header', '400 Bad Content-Length Header'),
  both('bcast.sip', NONE, NONE),
  // Max-Forwards: 0: the edge does not proxy it for the listed source (RFC 3261 §16.3 step 3).
  both('zeromf.sip', FORBIDDEN, '483 Too Many Hops'),
  both('cparam01.sip', FORBIDDEN, OK),
  both('cparam02.sip', FORBIDDEN, OK),
  both('regescrt.sip', FORBIDDEN, OK),
  both('sdp01.sip', FORBIDDEN, OK),
  // No Content-Length, which a stream needs (RFC 3261 §18.3).
  { file: 'inv2543.sip', udp: [FORBIDDEN, OK], tcp: [BAD, BAD] },
];

/** Ours: sizes, framing, NUL bytes, repeated headers, IPv6 literals, a REGISTER with a To tag. */
const OURS: readonly Torture[] = [
  // 8,300 bytes, just under what drachtio-server takes: judged and proxied.
  both('large-header-8k.sip', FORBIDDEN, OK),
  // drachtio-server answers 400 to any message over 8,436 bytes.
  both('oversized-header-20k.sip', BAD, BAD),
  { file: 'oversized-datagram-60k.sip', udp: [BAD, BAD] },
  both('oversized-body-30k.sip', BAD, BAD),
  // Over tcp the server waits for the rest of the body.
  { file: 'content-length-larger.sip', udp: [BAD, BAD], tcp: [NONE, NONE] },
  // The octets beyond the body: discarded from a datagram, the start of a next message over tcp.
  both('content-length-smaller.sip', FORBIDDEN, OK),
  // Over tcp drachtio-server writes its 400 only once the client closes its side.
  { file: 'nul-in-header-value.sip', udp: [BAD, BAD], tcp: [NONE, NONE] },
  { file: 'nul-in-to-display-name.sip', udp: ['400 Bad To Header', '400 Bad To Header'], tcp: [NONE, NONE] },
  both('duplicate-call-id-to-from.sip', '400 Bad To Header', '400 Bad To Header'),
  // The IPv6 literal is the domain: the default tenant.
  both('ipv6-request-uri.sip', FORBIDDEN, OK),
  both('ipv6-via-contact.sip', FORBIDDEN, OK),
  // An unclosed bracket: dropped by drachtio-server's parser.
  both('ipv6-bad-literal.sip', NONE, NONE),
  // A REGISTER never belongs to a dialog: judged whatever its To says.
  both('register-to-tag.sip', FORBIDDEN, OK),
];

const SOURCES = [
  { name: 'unlisted', address: DENIED },
  { name: 'listed', address: ALLOWED },
] as const;

/** The end of the header; the whole message when it has none. */
function headerEnd(text: string): number {
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? text.length : end;
}

/**
 * A torture message made a request of its own, so that sending it from two
 * sources over two transports is four transactions and not retransmissions
 * (RFC 3261 §17.2.3): `.<id>` after every Call-ID in the header and after the
 * top branch, unless it is the bare magic cookie (badbranch.sip's point).
 * fresh() would rewrite the Call-IDs of the compact and oddly spaced forms
 * whole, or not at all. latin1 keeps every byte as it is.
 */
function unique(raw: Buffer, id: string): string {
  const text = raw.toString('latin1');
  const end = headerEnd(text);
  const header = text
    .slice(0, end)
    .replace(/^((?:Call-ID|i)[ \t]*:[ \t]*)(\S+)/gim, `$1$2.${id}`)
    .replace(/(branch[ \t]*=[ \t]*)(z9hG4bK[^;,\s]+)/i, `$1$2.${id}`);
  return header + text.slice(end);
}

/**
 * The message with its top Via naming the transport it goes over:
 * drachtio-server drops a request whose Via names another (sip-edge.test.ts),
 * and that is all such a send would show. A Via of another SIP version is left.
 */
function over(text: string, transport: 'UDP' | 'TCP'): Buffer {
  return Buffer.from(text.replace(/^((?:Via|v)[ \t]*:[ \t]*SIP[ \t]*\/[ \t]*2\.0[ \t]*(?:\r\n[ \t]+)?\/[ \t]*)[A-Za-z]+/im, `$1${transport}`), 'latin1');
}

const callIdsOf = (text: string) => [...text.slice(0, headerEnd(text)).matchAll(/^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/gim)].map((match) => match[1]!);

const statusOf = (line: string | undefined): Answer => (line === undefined ? NONE : line.replace(/^SIP\/2\.0 /, ''));

describe.skipIf(binary === undefined)('the edge under the torture set', () => {
  const log = capturedLog();
  let stack: InboundStack;
  /** The Call-IDs of every message the unlisted source sent. */
  const unlistedCallIds = new Set<string>();
  let sent = 0;

  const linkDrops = () => log.lines.filter((line) => line.msg === 'lost the connection to drachtio-server').length;
  /** Requests at the PBX that the unlisted source sent: by Call-ID, or by the Via drachtio-server stamped received=127.0.0.3. */
  const leaked = () => stack.uas.requests().filter((request) => unlistedCallIds.has(request.callId ?? '') || request.vias.some((via) => via.includes(DENIED)));

  /** Sends `torture` as its table says, from both sources over both transports at once; the answers by `file source transport`. */
  async function send(torture: Torture): Promise<Record<string, Answer>> {
    const raw = readFileSync(new URL(`torture/${torture.file}`, FIXTURES));
    const sends: Array<Promise<[string, Answer]>> = [];
    for (const transport of ['udp', 'tcp'] as const) {
      for (const [index, source] of SOURCES.entries()) {
        const expected = torture[transport]?.[index];
        if (expected === undefined) continue;
        const key = `${torture.file} ${source.name} ${transport}`;
        const text = unique(raw, `t${++sent}`);
        if (source.address === DENIED) for (const callId of callIdsOf(text)) unlistedCallIds.add(callId);
        const answer =
          transport === 'udp'
            ? sendUdp(over(text, 'UDP'), source.address, stack.ports.sip, NO_ANSWER_MS)
            : sendTcp(() => over(text, 'TCP'), source.address, stack.ports.sip, NO_ANSWER_MS);
        sends.push(answer.then((line): [string, Answer] => [key, statusOf(line)], (error: Error): [string, Answer] => [key, `socket error: ${error.message}`]));
      }
    }
    return Object.fromEntries(await Promise.all(sends));
  }

  /** What is wrong after `file` was sent: one line per broken invariant. */
  async function broken(file: string): Promise<string[]> {
    const register = () => fresh(fixture('deskphone-udp-register.sip'));
    const [listed, unlisted, status] = await Promise.all([
      sendUdp(register(), ALLOWED, stack.ports.sip),
      sendUdp(register(), DENIED, stack.ports.sip),
      health(stack.edge.httpPort).then((response) => response.status),
    ]);
    return [
      ...(listed === 'SIP/2.0 200 OK' ? [] : [`after ${file}: the listed phone's REGISTER got ${listed ?? NONE}`]),
      ...(unlisted === 'SIP/2.0 403 Forbidden' ? [] : [`after ${file}: the unlisted phone's REGISTER got ${unlisted ?? NONE}`]),
      ...(status === 200 ? [] : [`after ${file}: /health is ${status}`]),
      ...(linkDrops() === 0 ? [] : [`after ${file}: the drachtio link dropped`]),
      ...(stack.drachtio.output().includes('disconnecting client') ? [`after ${file}: drachtio-server disconnected the edge`] : []),
      ...leaked().map((request) => `after ${file}: the PBX got ${request.method} ${request.callId ?? ''} from the unlisted source`),
    ];
  }

  /** Sends each message in turn and checks the invariants after each; then every answer against the table. */
  async function torture(messages: readonly Torture[]): Promise<void> {
    const answers: Record<string, Answer> = {};
    const problems: string[] = [];
    for (const message of messages) {
      Object.assign(answers, await send(message));
      problems.push(...(await broken(message.file)));
    }
    const expected = Object.fromEntries(
      messages.flatMap((message) =>
        (['udp', 'tcp'] as const).flatMap((transport) => SOURCES.map((source, index) => [`${message.file} ${source.name} ${transport}`, message[transport]?.[index]] as const)),
      ).filter(([, answer]) => answer !== undefined),
    );
    expect(problems).toEqual([]);
    expect(answers).toEqual(expected);
  }

  beforeAll(async () => {
    // Domains mapped to no tenant (example.com, IPv6 literals, URIs without a host) get the default tenant's list: locked down too.
    stack = await startInboundStack(binary!, { '{acme}:sip': ALLOWED, '{default}:sip': ALLOWED }, { 'acme.example': 'acme' }, log.logger);
  });

  afterAll(async () => {
    // undefined when beforeAll failed, which stopped what it had started.
    if (stack !== undefined) await stopStack(stack);
  });

  it('RFC 4475 §3.1.1, valid messages: judged and proxied, or left to drachtio-server, and the invariants hold after each', async () => {
    await torture(VALID);
  });

  it('RFC 4475 §3.1.2, invalid messages: answered 400 or dropped by drachtio-server, judged when let through, and the invariants hold after each', async () => {
    const consoleErrors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await torture(INVALID);
      // drachtio-srf's report of the start line it could not parse (lib/drachtio-agent.js), once a send, and nothing else.
      const reported = consoleErrors.mock.calls.map((call) => String(call[1]).split('\r\n', 1)[0]);
      expect(reported).toEqual(Array(4).fill('unable to parse incoming message: INVITE  sip:user@acme.example  SIP/2.0'));
    } finally {
      consoleErrors.mockRestore();
    }
  });

  it('RFC 4475 §3.2 to §3.4, transaction and application layer: judged like any request, and the invariants hold after each', async () => {
    await torture(SEMANTIC);
    // regaut01's unreadable 200, once over udp and once over tcp, skipped rather than fatal.
    expect(log.lines.filter((line) => line.msg === 'drachtio-srf could not handle a message from drachtio-server; skipped it')).toHaveLength(2);
  });

  it('our own: sizes, framing, NUL bytes, repeated headers, IPv6 literals and a REGISTER with a To tag, and the invariants hold after each', async () => {
    await torture(OURS);
  });

  it('nothing the unlisted source sent reached the PBX, once its message trace has caught up', async () => {
    // sipp writes its trace a little after it answers.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(unlistedCallIds.size).toBeGreaterThan(100);
    expect(stack.uas.requests().length).toBeGreaterThan(50);
    expect(leaked()).toEqual([]);
    expect(linkDrops()).toBe(0);
    expect(stack.drachtio.output()).not.toContain('disconnecting client');
  });
});
