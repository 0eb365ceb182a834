import type { EventStore } from '@mam/event-store';
import type { ReadStore } from '@mam/read-store';
import { ALL_PROJECTIONS } from '../../api/src/projections/projection-registry';
import { PARKED_COLLECTION, type ParkedEvent } from '../../api/src/projections/parked-events';
import { ReadModelBatch } from '../../api/src/projections/read-model-batch';
import type { SagasService } from '../../api/src/sagas/sagas.service';

/**
 * Handles parked events once more, each alone: a projection applies it and
 * the parked entry goes in the same commit; a saga reacts again (its command
 * ids are derived from the event, so a reaction that had half-happened is not
 * repeated). Entries that fail again stay parked with the new error.
 */
export async function retryParked(entries: ParkedEvent[], events: EventStore, readStore: ReadStore, sagas: SagasService, log: (line: string) => void): Promise<void> {
  for (const entry of entries) {
    const event = (await events.readStream(entry.streamId)).find((e) => e.id === entry.eventId);
    if (!event) {
      log(`${entry.id}: event ${entry.eventId} no longer found in ${entry.streamId}; left parked`);
      continue;
    }
    try {
      const projection = ALL_PROJECTIONS.find((p) => p.name === entry.projection);
      const saga = sagas.runners.find((r) => r.saga.name === entry.projection);
      if (projection) {
        const tx = new ReadModelBatch(readStore);
        await projection.apply(event, tx);
        tx.delete(PARKED_COLLECTION, entry.id);
        await readStore.commit(tx.toWriteSet([]));
      } else if (saga) {
        await saga.reactOnce(event);
        await readStore.commit({ puts: [], deletes: [{ collection: PARKED_COLLECTION, id: entry.id }], checkpoints: [] });
      } else {
        log(`${entry.id}: no projection or saga named ${entry.projection}; left parked`);
        continue;
      }
      log(`${entry.id}: handled`);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await readStore.commit({ puts: [{ collection: PARKED_COLLECTION, id: entry.id, doc: { ...entry, error: message } }], deletes: [], checkpoints: [] });
      log(`${entry.id}: failed again, left parked: ${message}`);
    }
  }
}
