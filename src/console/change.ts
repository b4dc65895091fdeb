/**
 * How every change in the console is made: through the lockout guard, with
 * a notice after it (green with what was done, red with the API's reason),
 * and the page read again when something was written.
 */
import type { Scope } from '../policy/index.js';
import { messageOf } from './api.js';
import { useAsk } from './dialog.js';
import { guardedChange } from './lockout.js';
import { useNotify } from './notices.js';

export type MakeChange = <T>(change: (force: boolean) => Promise<T>, done: (result: T) => string) => Promise<boolean>;

/** A function making changes in `scope`; `written` runs after each one that wrote. True when it was made. */
export function useChange(scope: Scope, written: () => void): MakeChange {
  const ask = useAsk();
  const notify = useNotify();
  return async (change, done) => {
    try {
      const result = await guardedChange(scope, ask, change);
      if (result === undefined) {
        notify('failure', 'Cancelled: nothing was changed.');
        return false;
      }
      notify('success', done(result));
      written();
      return true;
    } catch (err) {
      notify('failure', messageOf(err));
      return false;
    }
  };
}
