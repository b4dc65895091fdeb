/**
 * Where a command's outcome goes: human text by default, JSON on stdout with
 * --json. Results go to stdout, failures and notes to stderr (in JSON mode a
 * failure is a JSON `{"error": …}` on stdout, so a script reads one stream).
 * Every failure is followed by what to do about it.
 */
import type { Command } from 'commander';
import type { AdminFailure, InvalidItem } from '../list-admin.js';
import { ExitCode } from './exit-codes.js';

const NEXT_STEP: Readonly<Record<AdminFailure['kind'], string | undefined>> = {
  invalid: undefined,
  'not-found': 'run `sipwarden show` to see what there is',
  exists: 'use `sipwarden edit` to change it',
  lockout: 'run again with --force if you really mean it',
  conflict: 'other admins kept changing the list meanwhile; run the command again',
  unreadable: 'the stored list is malformed; `sipwarden replace` writes a good one',
};

/** One bad input item on its own line: where it is, the token, what is wrong. */
export function describeItem(item: InvalidItem): string {
  const where = item.line !== undefined ? `line ${item.line}: ` : item.entry !== undefined ? `entry ${item.entry + 1}: ` : '';
  const token = JSON.stringify(item.token);
  return `  ${where}${item.message.startsWith(token) ? '' : `${token}: `}${item.message}`;
}

export class Output {
  constructor(readonly json: boolean) {}

  /** Prints a result: `value` as JSON, or the human text. */
  result(value: unknown, human: () => string): ExitCode {
    this.print(this.json ? JSON.stringify(value, null, 2) : human());
    return ExitCode.ok;
  }

  /** Text for people on stderr (skipped lines, where a token is kept); nothing in JSON mode. */
  note(text: string): void {
    if (!this.json) process.stderr.write(`${text}\n`);
  }

  /** Reports a refusal; `nextStep` replaces the usual advice for its kind. */
  refused(failure: AdminFailure, nextStep?: string): ExitCode {
    if (this.json) {
      this.print(JSON.stringify({ error: failure }, null, 2));
      return ExitCode.refused;
    }
    const items = 'items' in failure && failure.items !== undefined && failure.items.length > 1 ? failure.items : [];
    const noun = items[0]?.line !== undefined ? 'lines' : 'entries';
    const lines = items.length > 0 ? [`${items.length} invalid ${noun}, nothing written:`, ...items.map(describeItem)] : [failure.message];
    const next = nextStep ?? NEXT_STEP[failure.kind];
    process.stderr.write(`${[...lines, ...(next ? [next] : [])].join('\n')}\n`);
    return ExitCode.refused;
  }

  unreachable(message: string): ExitCode {
    if (this.json) this.print(JSON.stringify({ error: { kind: 'unreachable', message } }, null, 2));
    else process.stderr.write(`${message}\n`);
    return ExitCode.unreachable;
  }

  private print(text: string): void {
    process.stdout.write(`${text}\n`);
  }
}

/** Ends with a usage error (exit 2) found in an action, worded and shown as commander's own. */
export function badUsage(command: Command, message: string): never {
  return command.error(`error: ${message}`, { exitCode: ExitCode.usage });
}

/** A command-line problem found outside commander (no REDIS_URL, say): always text on stderr. */
export function usageError(message: string): ExitCode {
  process.stderr.write(`${message}\n`);
  return ExitCode.usage;
}
