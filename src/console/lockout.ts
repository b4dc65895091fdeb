/**
 * The lockout guard in the page. The API refuses (403 `lockout`) a change
 * that would deny the admin's own address; the console shows that refusal
 * as it is and, outside the `admin` scope, lets the admin confirm it
 * explicitly, then makes the change again with force=true. In the `admin`
 * scope the API never accepts force (the session would lose access), so
 * there the refusal is final here too.
 */
import type { Scope } from '../policy/index.js';
import { ApiFailure } from './api.js';
import type { useAsk } from './dialog.js';

/** What a guarded change gives: its result, or undefined when the admin chose not to go on. */
export async function guardedChange<T>(scope: Scope, ask: ReturnType<typeof useAsk>, change: (force: boolean) => Promise<T>): Promise<T | undefined> {
  try {
    return await change(false);
  } catch (err) {
    if (!(err instanceof ApiFailure) || err.body.error !== 'lockout') throw err;
    if (scope === 'admin') {
      await ask({ title: 'Refused: you would lock yourself out', text: `${err.body.message}. The admin list cannot be overridden from the console.` });
      throw err;
    }
    const sure = await ask({
      title: 'This locks you out',
      text: `${err.body.message}. If you go on, your own address loses access in this scope.`,
      confirm: 'Lock me out anyway',
      danger: true,
    });
    return sure ? change(true) : undefined;
  }
}
