import autocannon from 'autocannon';
import { TOKEN } from './processes';

export function contactBody(i: number): string {
  return JSON.stringify({ email: `Contact.${i}@Example.com`, firstName: `First${i}`, lastName: `Last${i}`, properties: { company: `Company ${i % 997}`, city: 'Dublin' } });
}

export interface PutContacts {
  account: string;
  connections: number;
  /** A run of this many seconds (requests still in flight at the end are dropped unanswered)… */
  seconds?: number;
  /** …or of exactly this many requests, every one answered: what counts what was stored. */
  amount?: number;
  /** The first contact number: runs with offsets far apart never PUT the same contact. */
  offset: number;
}

/** The run, and the 2xx answers of each target (its origin): with several urls the connections take them in turn. */
export type CannonResult = autocannon.Result & { okByOrigin: Record<string, number> };

/** PUTs of distinct contacts (a PUT of one contact from many connections would measure its conflicts). */
export async function putContacts(url: string | string[], { account, connections, seconds, amount, offset }: PutContacts): Promise<CannonResult> {
  let n = offset;
  const okByOrigin: Record<string, number> = {};
  // Without a callback autocannon answers its instance, which is also a promise of the result
  // (the typings give one or the other); a url array is its own option too, one target per connection in turn.
  const run = autocannon({
    url: url as string,
    connections,
    ...(amount === undefined ? { duration: seconds } : { amount }),
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'PUT',
        setupRequest: (request) => {
          const i = n++;
          return { ...request, path: `/v1/accounts/${account}/contacts/c${i}`, body: contactBody(i) };
        },
      },
    ],
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  run.on('response', (client, status) => {
    const { origin } = (client as unknown as { opts: { origin: string } }).opts;
    if (status >= 200 && status < 300) okByOrigin[origin] = (okByOrigin[origin] ?? 0) + 1;
  });
  return { ...(await run), okByOrigin };
}
