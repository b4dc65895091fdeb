/**
 * The `sipwarden` command tree. Usage errors, commander's own included, exit 2;
 * each command sets 0, 1 or 3 itself (see exit-codes.ts).
 */
import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerBans } from './commands/bans.js';
import { registerBulk } from './commands/bulk.js';
import { registerCheck } from './commands/check.js';
import { registerCountries } from './commands/countries.js';
import { registerDenied } from './commands/denied.js';
import { registerDomains } from './commands/domain.js';
import { registerEntryCommands } from './commands/entries.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerReplace } from './commands/replace.js';
import { registerShow } from './commands/show.js';
import { registerStore } from './commands/store.js';
import { registerToggles } from './commands/toggle.js';
import { registerTokens } from './commands/token.js';
import { ExitCode } from './exit-codes.js';

const ABOUT = `
Environment: REDIS_URL (required: redis://[user:password@]host:port/db or rediss://…),
SIPWARDEN_REDIS_PREFIX and the other SIPWARDEN_REDIS_* settings, as for the edge.

Exit codes: 0 ok; 1 refused or invalid input (nothing changed); 2 usage error;
3 Redis unreachable. \`check --exit-status\` exits 1 for a denied address.`;

function buildProgram(): Command {
  const program = new Command('sipwarden')
    .description('manage sipwarden allowlists in Redis: per tenant and scope (sip, webrtc, admin, recordings)')
    // Set before the subcommands are made: they inherit both.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', ABOUT);
  registerShow(program);
  registerEntryCommands(program);
  registerImport(program);
  registerReplace(program);
  registerBulk(program);
  registerToggles(program);
  registerCountries(program);
  registerCheck(program);
  registerExport(program);
  registerAudit(program);
  registerDenied(program);
  registerBans(program);
  registerTokens(program);
  registerDomains(program);
  registerStore(program);
  return program;
}

/** Runs the command line `argv` (as process.argv) and resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? ExitCode.ok);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version end through here too, with exit code 0.
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
}
