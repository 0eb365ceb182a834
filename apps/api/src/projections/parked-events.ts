import type { RecordedEvent } from '@mam/event-store';

/** Events a projection or saga could not handle, kept for ops to inspect and retry. */
export const PARKED_COLLECTION = 'parked_events';

export interface ParkedEvent {
  id: string;
  projection: string;
  eventId: string;
  streamId: string;
  type: string;
  position: string;
  error: string;
  parkedAt: string;
}

export function parkedEntry(projection: string, event: RecordedEvent, error: unknown): ParkedEvent {
  return {
    id: `${projection}:${event.id}`,
    projection,
    eventId: event.id,
    streamId: event.streamId,
    type: event.type,
    position: event.position.toString(),
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    parkedAt: new Date().toISOString(),
  };
}
