/**
 * The TLS client's framing of SIP messages read from a stream, which the
 * end-to-end suite relies on to find the final response.
 */
import { describe, expect, it } from 'vitest';
import { takeMessages } from './sip-stream-client.js';

const trying = 'SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n';
const withBody = 'SIP/2.0 200 OK\r\nl: 4\r\n\r\nv=0\n';

describe('takeMessages', () => {
  it('splits back-to-back messages by their Content-Length, compact form included', () => {
    expect(takeMessages(trying + withBody)).toEqual({ messages: [trying, withBody], rest: '' });
  });

  it('keeps an incomplete header block or body for the next read', () => {
    expect(takeMessages(trying + withBody.slice(0, -2))).toEqual({ messages: [trying], rest: withBody.slice(0, -2) });
    expect(takeMessages('SIP/2.0 200 OK\r\nContent-Len')).toEqual({ messages: [], rest: 'SIP/2.0 200 OK\r\nContent-Len' });
  });
});
