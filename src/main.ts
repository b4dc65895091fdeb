#!/usr/bin/env node
/**
 * The main job: `npm start` (node dist/main.js). Reads the configuration from
 * the environment, starts sipwarden, and stops it cleanly on SIGTERM/SIGINT.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startSipwarden } from './app.js';
import { loadConfig } from './config/index.js';
import { countDroppedLines, openLogStream } from './log-stream.js';

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(loaded.report);
  process.exit(2);
}
const logStream = openLogStream({ bufferBytes: loaded.config.logBufferBytes });
const registry = new Registry();
countDroppedLines(logStream, registry);
const logger = pino({ level: loaded.config.logLevel, base: { service: 'sipwarden' }, redact: ['secret', '*.secret', 'password'] }, logStream);
const started = await startSipwarden(loaded.config, logger, registry);
if (!started.ok) {
  logger.fatal(started.message);
  process.exit(1);
}
const { app } = started;
logger.info({ httpPort: app.httpPort, adminApiPort: app.adminApiPort }, 'sipwarden started');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  });
}
