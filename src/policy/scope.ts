/**
 * The places an allowlist guards. Each tenant has its own list per scope.
 */
export const SCOPES = ['sip', 'webrtc', 'admin', 'recordings'] as const;

/**
 * - `sip`: devices, desk phones and softphones over udp, tcp or tls.
 * - `webrtc`: browser clients over ws or wss.
 * - `admin`: the admin API and a portal's login.
 * - `recordings`: HTTP downloads of call recordings through public links.
 */
export type Scope = (typeof SCOPES)[number];

export function isScope(name: string): name is Scope {
  return (SCOPES as readonly string[]).includes(name);
}

/**
 * What an enabled scope with no active entries means. Recording links are
 * public until someone lists addresses (as admins of hosted dialers expect);
 * everything else locks everyone out rather than silently opening up.
 */
export const EMPTY_LIST_ALLOWS: Readonly<Record<Scope, boolean>> = {
  sip: false,
  webrtc: false,
  admin: false,
  recordings: true,
};
