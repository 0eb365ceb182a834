import type { EventStore } from '@mam/event-store';
import { GENERATIONS, type GenerationalReadStore, type GenerationDoc } from '@mam/read-store';
import { ProjectionRunner, REBUILD_BATCH_SIZE } from '../../api/src/projections/projection-runner';
import type { Projection } from '../../api/src/projections/projection';
import { rebuildProgress, type Progress } from './progress';

const ACK_WAIT_MS = 10_000;
/** Rounds of catching up with a head that moves; after the first (the long one) each is a few batches. */
const CATCH_UP_ROUNDS = 5;

/**
 * Runs until the new generation has reached the head as it is now, not as it
 * was when the rebuild started: whatever was appended meanwhile belongs in
 * the generation that is about to be served. The runner is live, so each
 * round only covers what came in during the one before; under a steady
 * stream the last round leaves a lag of a few milliseconds of appends,
 * which the service applies after it switches. An empty log has nothing to
 * reach.
 */
async function catchUpToHead(events: EventStore, runner: ProjectionRunner, names: string[], onHead: (head: bigint) => void): Promise<void> {
  for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
    const head = await events.headPosition();
    if (head === null) return;
    onHead(head);
    while (!(await runner.waitFor(head, names, 1000))) {
      /* progress is drawn by onCommitted */
    }
    if ((await events.headPosition()) === head) return;
  }
}

/**
 * Rebuilds projections into their next generation from the first event,
 * while a running service keeps serving (and updating) the current one,
 * then flips the pointers in one write. The service notices within a second,
 * switches readers and its runner to the new generation and empties the old
 * one; with no service running, this command empties it itself.
 */
export async function rebuild(
  events: EventStore,
  readStore: GenerationalReadStore,
  projections: Projection[],
  log: (line: string) => void,
  bar: Progress = rebuildProgress(),
): Promise<void> {
  await readStore.refresh();
  const names = projections.map((p) => p.name);
  const next = Math.max(...names.map((n) => readStore.generationOf(n))) + 1;
  const view = readStore.withGeneration(names, next);
  await view.reset(projections.flatMap((p) => p.collections.map((c) => c.name)), names);

  bar.start(Number((await events.headPosition()) ?? 0n));
  const runner = new ProjectionRunner('rebuild', events, view, projections, {
    batchSize: REBUILD_BATCH_SIZE,
    onCommitted: (r) => void r.info().then((items) => bar.update(Number(items[0]?.position ?? 0))),
  });
  await runner.start();
  try {
    await catchUpToHead(events, runner, names, (head) => bar.setTotal(Number(head)));
  } finally {
    await runner.stop();
    bar.stop();
  }

  const previous = new Map(names.map((n) => [n, readStore.generationOf(n)]));
  await readStore.inner.commit({
    puts: names.map((projection) => ({
      collection: GENERATIONS,
      id: projection,
      doc: { projection, generation: next, previous: previous.get(projection)! } satisfies GenerationDoc,
    })),
    deletes: [],
    checkpoints: [],
  });
  log(`generation ${next} of ${names.join(', ')} is now the one served`);

  // A running service acknowledges by emptying the old generation and clearing `previous`.
  const deadline = Date.now() + ACK_WAIT_MS;
  for (;;) {
    const docs = await readStore.inner.find<GenerationDoc>(GENERATIONS, {});
    const pending = docs.filter(({ doc }) => names.includes(doc.projection) && doc.previous !== null);
    if (pending.length === 0) return log('the running service switched to it and emptied the old generation');
    if (Date.now() > deadline) {
      await readStore.refresh();
      for (const { doc } of pending) {
        await readStore.resetGeneration(doc.projection, doc.previous!);
        await readStore.inner.commit({ puts: [{ collection: GENERATIONS, id: doc.projection, doc: { ...doc, previous: null } }], deletes: [], checkpoints: [] });
      }
      return log('no running service answered: emptied the old generation here');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
