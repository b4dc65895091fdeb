/**
 * A status line for long imports, redrawn in place on a terminal's stderr.
 * Silent when stderr is not a terminal, so pipes, files and CI logs get only
 * the result.
 */
const REDRAW_MS = 100;

export class Progress {
  private readonly enabled: boolean;
  private lastDrawn = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
  }

  /** Shows `text`; frequent calls are redrawn at most every 100 ms. */
  show(text: string): void {
    const now = Date.now();
    if (!this.enabled || now - this.lastDrawn < REDRAW_MS) return;
    this.lastDrawn = now;
    this.stream.write(`\r\x1b[K${text}`);
  }

  /** Shows `text` with the seconds elapsed, ticking until `work` settles. */
  async during<T>(text: string, work: Promise<T>): Promise<T> {
    const started = Date.now();
    const draw = () => {
      this.lastDrawn = 0;
      this.show(`${text} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    };
    draw();
    const ticker = this.enabled ? setInterval(draw, 250) : undefined;
    try {
      return await work;
    } finally {
      clearInterval(ticker);
    }
  }

  /** Removes the line, before the result is printed. */
  clear(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}

/** `1234567` as `1.2 MB`. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
