/**
 * Runs tasks one after another per key. The API queues its writes to one
 * list here, so parallel requests to the same list take turns instead of
 * spending their compare-and-set retries on each other; the compare-and-set
 * still guards against every other writer (the CLI, other API processes).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
