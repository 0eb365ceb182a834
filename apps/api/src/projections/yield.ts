/**
 * Long projection work (a rebuild batch, a back-fill of 100k pairs) runs on
 * the same event loop as HTTP. Awaiting resolved promises never lets I/O in,
 * so after `sliceMs` of work this gives the loop one turn: requests keep
 * being answered while a big batch is applied.
 */
export class Yielder {
  private last = performance.now();

  constructor(private readonly sliceMs = 8) {}

  /** Nothing (not a resolved promise) until the slice is used up: a rebuild asks once per event, and an await each is a microtask each. */
  maybeYield(): Promise<void> | undefined {
    if (performance.now() - this.last < this.sliceMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.last = performance.now();
        resolve();
      }),
    );
  }
}
