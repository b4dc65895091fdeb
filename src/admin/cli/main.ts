#!/usr/bin/env node
/**
 * The `sipwarden` admin CLI (package.json `bin`).
 */
import { dropOutputOnceReaderLeaves } from './closed-pipe.js';
import { runCli } from './program.js';

dropOutputOnceReaderLeaves(process.stdout);
dropOutputOnceReaderLeaves(process.stderr);
process.exitCode = await runCli(process.argv);
