#!/usr/bin/env node
/**
 * The `sipwarden` admin CLI (package.json `bin`).
 */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
