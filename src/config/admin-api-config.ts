/**
 * The admin HTTP API's settings; undefined when SIPWARDEN_ADMIN_API_PORT is 0.
 */
import { ADMIN_API_DEFAULTS, type AdminApiOptions } from '../admin/http/start-admin-api.js';
import { type EnvErrors, type EnvReader, integer, text } from './env.js';

export function adminApiConfig(env: EnvReader, errors: EnvErrors): AdminApiOptions | undefined {
  const port = integer(env, errors, 'SIPWARDEN_ADMIN_API_PORT', ADMIN_API_DEFAULTS.port, 0, 65535);
  if (port === 0) return undefined;
  return {
    host: text(env, 'SIPWARDEN_ADMIN_API_HOST', ADMIN_API_DEFAULTS.host),
    port,
    trustedProxies: text(env, 'SIPWARDEN_ADMIN_TRUSTED_PROXIES', ADMIN_API_DEFAULTS.trustedProxies),
    clientAddressHeader: text(env, 'SIPWARDEN_ADMIN_CLIENT_ADDRESS_HEADER', ADMIN_API_DEFAULTS.clientAddressHeader),
    maxBodyBytes: integer(env, errors, 'SIPWARDEN_ADMIN_MAX_BODY_BYTES', ADMIN_API_DEFAULTS.maxBodyBytes, 1024, 1024 ** 3),
    authFailureLimit: integer(env, errors, 'SIPWARDEN_ADMIN_AUTH_FAILURE_LIMIT', ADMIN_API_DEFAULTS.authFailureLimit, 0, 1_000_000),
    authFailureWindowMs: integer(env, errors, 'SIPWARDEN_ADMIN_AUTH_FAILURE_WINDOW_MS', ADMIN_API_DEFAULTS.authFailureWindowMs, 1000, 24 * 60 * 60 * 1000),
    consoleIdleMs: integer(env, errors, 'SIPWARDEN_CONSOLE_IDLE_MS', ADMIN_API_DEFAULTS.consoleIdleMs, 10_000, 7 * 24 * 60 * 60 * 1000),
  };
}
