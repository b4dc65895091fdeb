/**
 * A reader that stops early (`sipwarden show | head -1`) is no error: the
 * output it did not want is dropped, the command finishes what it was doing
 * (a change is made whether or not anyone reads the report) and exits with its
 * own status. Without this, the first write after the reader left is an
 * unhandled EPIPE with a stack trace.
 */
export function dropOutputOnceReaderLeaves(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    // EPIPE has destroyed the stream: later writes to it are dropped silently.
    if (err.code !== 'EPIPE') throw err;
  });
}
