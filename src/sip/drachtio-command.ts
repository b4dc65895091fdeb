/**
 * What drachtio-server (v0.9.x) takes from an application, so that no client
 * can make the edge send it a command it mishandles:
 *
 * - It reads its control connection in 8,192-byte chunks into a 12,228-byte
 *   circular buffer (src/client.cpp). A command over 12,228 − 8,192 bytes can
 *   be overwritten while it waits to be complete; drachtio-server then reads
 *   garbage ("invalid message") and disconnects the application, and every
 *   request fails until it reconnects. The edge's commands stay far below:
 *   a proxy destination is bounded (below) and its own answers carry no
 *   copy of the request's headers (sip-answer.ts).
 * - It copies a proxy destination into a 256-byte buffer (ProxyData in
 *   src/sip-proxy-controller.hpp, URI_LEN in src/drachtio.h), silently
 *   cutting a longer one, port digits and all: the request then goes to
 *   another port, or fails with no answer.
 */

/** The longest proxy destination (the upstream URI carrying the Request-URI's user part) drachtio-server keeps whole. */
export const PROXY_DESTINATION_MAX_BYTES = 255;
