/** Exit codes scripts can rely on. */
export const ExitCode = {
  ok: 0,
  /** Refused or invalid input: nothing was changed. */
  refused: 1,
  /** `check --exit-status`: the address is not allowed. */
  denied: 1,
  /** The command line itself is wrong (commander's own errors too). */
  usage: 2,
  /** Redis did not answer. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
