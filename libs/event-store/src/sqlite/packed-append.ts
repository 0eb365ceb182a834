import type { ExpectedRevision, StreamAppend } from '../event-store.port';

/**
 * One stream append with its events serialized once, on the caller's thread,
 * at the moment of the call: every event's id, type, JSON data and JSON
 * metadata concatenated into one string, with the fields' lengths. Crossing
 * to the writer thread then copies a string and a small array instead of
 * cloning each event's object graph, and the writer stringifies nothing.
 * Later changes by the caller to its event objects cannot reach the store.
 */
export interface PackedAppend {
  streamId: string;
  expected: ExpectedRevision;
  /** id, type, data, metadata of each event, one after the other. */
  text: string;
  /** Four lengths (in UTF-16 code units) per event, in the order of `text`. */
  lengths: number[];
}

/** The stored fields of one event, as the writer inserts them. */
export interface PackedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

/** Throws (a TypeError) when an event's data or metadata is not JSON: the append is refused before it is queued. */
export function packAppends(appends: StreamAppend[]): PackedAppend[] {
  return appends.map(({ streamId, expected, events }) => {
    const parts: string[] = [];
    const lengths: number[] = [];
    for (const e of events) {
      const data = json(e.data, 'data', e.id);
      const metadata = json(e.metadata, 'metadata', e.id);
      parts.push(e.id, e.type, data, metadata);
      lengths.push(e.id.length, e.type.length, data.length, metadata.length);
    }
    return { streamId, expected, text: parts.join(''), lengths };
  });
}

function json(value: unknown, field: string, eventId: string): string {
  const text = JSON.stringify(value);
  // JSON.stringify answers undefined for undefined or a function; the column is NOT NULL.
  if (typeof text !== 'string') throw new TypeError(`event ${eventId}: ${field} is not JSON`);
  return text;
}

export function unpackEvents({ text, lengths }: PackedAppend): PackedEvent[] {
  const events: PackedEvent[] = [];
  let at = 0;
  const next = (length: number) => text.slice(at, (at += length));
  for (let i = 0; i < lengths.length; i += 4) {
    events.push({ id: next(lengths[i]), type: next(lengths[i + 1]), data: next(lengths[i + 2]), metadata: next(lengths[i + 3]) });
  }
  return events;
}
