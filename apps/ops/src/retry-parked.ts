import type { EventStore } from '@mam/event-store';
import type { GenerationalReadStore } from '@mam/read-store';
import { ALL_PROJECTIONS } from '../../api/src/projections/projection-registry';
import { PARKED_COLLECTION, type ParkedEvent } from '../../api/src/projections/parked-events';
import { rebuild } from './rebuild';
import type { SagasService } from '../../api/src/sagas/sagas.service';

/**
 * Handles parked events once more. A saga reacts again (it judges the
 * current state, and its command ids are derived from the event, so a
 * reaction that had half-happened is not repeated). A projection's parked
 * events are not applied alone on top of newer state — that would bring old
 * facts back — but by rebuilding the projection, which applies every event
 * in order into a new generation while the service serves the old one.
 * Entries that fail again are parked again with the new error.
 */
export async function retryParked(entries: ParkedEvent[], events: EventStore, readStore: GenerationalReadStore, sagas: SagasService, log: (line: string) => void): Promise<void> {
  const byProjection = entries.filter((e) => ALL_PROJECTIONS.some((p) => p.name === e.projection));
  if (byProjection.length > 0) {
    const projections = ALL_PROJECTIONS.filter((p) => byProjection.some((e) => e.projection === p.name));
    log(`rebuilding ${projections.map((p) => p.name).join(', ')} to apply ${byProjection.length} parked event(s) in order`);
    await rebuild(events, readStore, projections, log);
    // Only once the rebuilt generation is served: a rebuild that fails or is killed leaves them parked.
    // One that the rebuild parked again (same id, a new parkedAt) stays, with its new error.
    const now = await readStore.getMany<ParkedEvent>(PARKED_COLLECTION, byProjection.map((e) => e.id));
    const handled = byProjection.filter((e) => now.get(e.id)?.parkedAt === e.parkedAt);
    await readStore.commit({ puts: [], deletes: handled.map((e) => ({ collection: PARKED_COLLECTION, id: e.id })), checkpoints: [] });
    log(`${handled.length} parked event(s) applied by the rebuild, ${byProjection.length - handled.length} parked again`);
  }
  for (const entry of entries.filter((e) => !byProjection.includes(e))) {
    const event = (await events.readStream(entry.streamId)).find((e) => e.id === entry.eventId);
    if (!event) {
      log(`${entry.id}: event ${entry.eventId} no longer found in ${entry.streamId}; left parked`);
      continue;
    }
    try {
      const saga = sagas.runners.find((r) => r.saga.name === entry.projection);
      if (saga) {
        await saga.reactOnce(event);
        await readStore.commit({ puts: [], deletes: [{ collection: PARKED_COLLECTION, id: entry.id }], checkpoints: [] });
      } else {
        log(`${entry.id}: no saga or projection named ${entry.projection}; left parked`);
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
