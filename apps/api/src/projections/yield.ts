/**
 * Long projection work (a rebuild batch, a back-fill of 100k pairs) runs on
 * the same event loop as HTTP. Awaiting resolved promises never lets I/O in,
 * so after `sliceMs` of work this gives the loop one turn: requests keep
 * being answered while a big batch is applied.
 */
export class Yielder {
  private last = performance.now();

  constructor(private readonly sliceMs = 8) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.last < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
