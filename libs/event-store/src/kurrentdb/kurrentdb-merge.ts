import type { AppendResult, StreamAppend } from '../event-store.port';

/**
 * A multi-stream append names each stream once; the port's appendMany may
 * name one twice, meaning "in turn", as the embedded store applies them. The
 * later appends of a stream join the first when their expectation follows
 * from it (`any`; `stream_exists` after events; the exact revision the
 * earlier ones end at); otherwise there is no single request to send.
 */
export interface MergedAppends {
  requests: StreamAppend[];
  /** Per original append: its request, and how many of that request's events come after its own. */
  parts: Array<{ request: number; eventsAfter: number }>;
}

export function mergeAppends(appends: StreamAppend[]): MergedAppends {
  const requests: StreamAppend[] = [];
  const byStream = new Map<string, number>();
  const placed: Array<{ request: number; end: number }> = [];
  for (const a of appends) {
    const at = byStream.get(a.streamId);
    if (at === undefined) {
      byStream.set(a.streamId, requests.length);
      placed.push({ request: requests.length, end: a.events.length });
      requests.push({ ...a, events: [...a.events] });
      continue;
    }
    const request = requests[at];
    if (!follows(request, a.expected)) {
      throw new Error(
        `appendMany names stream ${a.streamId} twice, the second expecting ${String(a.expected)}: KurrentDB takes one expectation per stream`,
      );
    }
    request.events.push(...a.events);
    placed.push({ request: at, end: request.events.length });
  }
  return {
    requests,
    parts: placed.map(({ request, end }) => ({ request, eventsAfter: requests[request].events.length - end })),
  };
}

/** Does `expected` hold once `request` has been written? */
function follows(request: StreamAppend, expected: StreamAppend['expected']): boolean {
  if (expected === 'any') return true;
  const written = request.events.length;
  if (expected === 'stream_exists') return written > 0 || request.expected === 'stream_exists' || typeof request.expected === 'bigint';
  if (expected === 'no_stream') return written === 0 && request.expected === 'no_stream';
  const start = request.expected === 'no_stream' ? -1n : typeof request.expected === 'bigint' ? request.expected : null;
  return start !== null && start + BigInt(written) === expected;
}

/** Each original append's result, from its request's. */
export function splitResults(merged: MergedAppends, results: AppendResult[]): AppendResult[] {
  return merged.parts.map(({ request, eventsAfter }) => ({
    nextRevision: results[request].nextRevision - BigInt(eventsAfter),
    position: results[request].position,
  }));
}
