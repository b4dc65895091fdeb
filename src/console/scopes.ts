/**
 * The console's pages, one per scope, who is knocking and the audit log,
 * and what each scope's page says about its list.
 */
import type { Scope } from '../policy/index.js';

export interface ScopeText {
  readonly title: string;
  readonly intro: string;
}

export const SCOPE_TEXT: Readonly<Record<Scope, ScopeText>> = {
  sip: {
    title: 'SIP devices',
    intro: 'Desk phones, softphones and other SIP connections may register and call only from these addresses, blocks and names while the list is on.',
  },
  webrtc: { title: 'WebRTC', intro: 'Browsers (WebRTC over WebSocket) may connect only from these addresses, blocks and names while the list is on.' },
  admin: {
    title: 'Admin login',
    intro: 'This list guards this console and the admin API (and portal logins asking /v1/authorize): only these addresses may sign in and make changes while it is on.',
  },
  recordings: {
    title: 'Public recordings',
    intro: 'Public recording download links work only from these addresses while the list is on. An empty list leaves public links unrestricted: anyone with a link can download.',
  },
};

/** The pages that are no scope's, in the order the console lists them, with their titles: the sources the edges denied for the tenant, and its audit log. */
export const OTHER_PAGE_TITLES = { denied: 'Who is knocking', audit: 'Audit log' } as const;

export type OtherPage = keyof typeof OTHER_PAGE_TITLES;

export const isOtherPage = (page: string): page is OtherPage => Object.hasOwn(OTHER_PAGE_TITLES, page);

/** A page of the console: a scope's list, or one of the others. */
export type PageName = Scope | OtherPage;
