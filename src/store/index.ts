/**
 * The list store and the live cache, for applications that embed sipwarden's
 * check (see src/sip/index.ts for the drachtio-srf middleware).
 */
export { ListCache, type ListCacheOptions } from './list-cache.js';
export { startCache, type RunningCache } from './start-cache.js';
export type { PolicyView } from './policy-view.js';
export type { NameState, NameStatus } from '../dns/index.js';
export { KeySchema, DEFAULT_PREFIX } from './keys.js';
