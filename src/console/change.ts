/**
 * How every change in the console is made: with a notice after it (green
 * with what was done, red with the API's reason) and the page read again
 * when something was written; a change to a list goes through the lockout
 * guard first.
 */
import type { Scope } from '../policy/index.js';
import { messageOf } from './api.js';
import { useAsk } from './dialog.js';
import { guardedChange } from './lockout.js';
import { useNotify } from './notices.js';

export type MakeChange = <T>(change: (force: boolean) => Promise<T>, done: (result: T) => string) => Promise<boolean>;

/** A function making changes; `change` gives undefined when the admin chose not to go on. True when it was made. */
type NotedChange = <T>(change: () => Promise<T | undefined>, done: (result: T) => string) => Promise<boolean>;

/** Changes that cannot lock anyone out (lifting a ban): only the notice, and `written` after each one that wrote. */
export function useNotedChange(written: () => void): NotedChange {
  const notify = useNotify();
  return async (change, done) => {
    try {
      const result = await change();
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

/** A function making changes in `scope`'s list, through the lockout guard; `written` runs after each one that wrote. */
export function useChange(scope: Scope, written: () => void): MakeChange {
  const ask = useAsk();
  const noted = useNotedChange(written);
  return (change, done) => noted(() => guardedChange(scope, ask, change), done);
}
