import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type NewEvent } from '@mam/event-store';
import { InMemoryReadStore, type Doc } from '@mam/read-store';
import { connectionsConfigured, created, oneWay, twoWay } from '@mam/testing';
import type { CrmEvent, OrganizationEvent } from '@mam/domain';
import { ProjectionRunner } from '../projections/projection-runner';
import { mirroringProjection } from './mirroring.projection';
import { EMAILS, MIRROR_STATE } from './mirroring.collections';

/**
 * Rebuild = live for the mirroring model through the real runner: one batch
 * of every event (prefetched and prepared as a rebuild batch is) gives the
 * same documents as a commit per event, and a model built before the email
 * index (no marker, no email documents) goes on matching the same way.
 */

const S = 's';
const T = 't';
const ev = ({ type, data }: CrmEvent | OrganizationEvent): NewEvent => ({ id: randomUUID(), type, data, metadata: { at: '2026-11-01T00:00:00Z' } });

/** A fixed pseudo-random history: few contact ids and emails (collisions, email changes, deletes and re-creations), flows changed half-way. */
function history(): { first: Array<CrmEvent | OrganizationEvent>; second: Array<CrmEvent | OrganizationEvent> } {
  let seed = 17;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const emails = ['ann@example.com', ' ANN@example.com', 'bob@example.com', 'cy@example.com', 'dee@example.com'];
  const crm = (): CrmEvent => {
    const accountId = next(2) ? S : T;
    const contactId = `c${next(6)}`;
    const pick = next(10);
    if (pick < 6) return { type: 'ContactUpserted', data: { accountId, contactId, email: emails[next(emails.length)], firstName: `F${next(100)}`, properties: { n: String(next(9)) } } };
    if (pick < 7) return { type: 'ContactDeleted', data: { accountId, contactId } };
    if (pick < 9) return { type: 'ActivityLogged', data: { accountId, contactId, activityId: `a${next(4)}`, type: 'call', occurredAt: `2026-01-0${1 + next(9)}T00:00:00Z`, summary: 's' } };
    return { type: 'DealSaved', data: { accountId, dealId: `d${next(3)}`, name: `D${next(9)}`, stage: 'qualified', contactIds: [contactId] } };
  };
  const events = (n: number) => Array.from({ length: n }, crm);
  return {
    first: [created([S, T], { connections: [twoWay(S, T)] }), ...events(150)],
    second: [connectionsConfigured([oneWay(S, T)]), ...events(150), connectionsConfigured([twoWay(S, T)]), ...events(150)],
  };
}

async function run(events: InMemoryEventStore, store: InMemoryReadStore, batchSize: number): Promise<void> {
  const runner = new ProjectionRunner('test', events, store, [mirroringProjection], { batchSize });
  await runner.start();
  expect(await runner.waitFor((await events.headPosition())!, ['mirroring'], 10_000)).toBe(true);
  await runner.stop();
}

async function documents(store: InMemoryReadStore, except: string[] = []): Promise<Record<string, Record<string, Doc>>> {
  const out: Record<string, Record<string, Doc>> = {};
  for (const { name } of mirroringProjection.collections) {
    if (except.includes(name)) continue;
    out[name] = Object.fromEntries((await store.find(name, {})).map((r) => [r.id, r.doc]));
  }
  return out;
}

describe('mirroring model through the runner', () => {
  const { first, second } = history();

  it('M2/M4 given a history of contact, deal, activity and flow changes, when applied in one batch or with a commit per event, then the documents are the same', async () => {
    const events = new InMemoryEventStore();
    for (const e of [...first, ...second]) await events.append(`x-${randomUUID()}`, [ev(e)], 'no_stream');
    const oneBatch = new InMemoryReadStore();
    const perEvent = new InMemoryReadStore();

    await run(events, oneBatch, 1000);
    await run(events, perEvent, 1);

    const docs = await documents(oneBatch);
    expect(Object.keys(docs.mirror_links).length).toBeGreaterThan(0);
    expect(Object.keys(docs[EMAILS]).length).toBeGreaterThan(0);
    expect(docs).toEqual(await documents(perEvent));
  });

  it('M1 given a model built before the email index (no marker, no email documents), when more events come, then it matches as a model built with the index', async () => {
    const events = new InMemoryEventStore();
    for (const e of first) await events.append(`x-${randomUUID()}`, [ev(e)], 'no_stream');
    const legacy = new InMemoryReadStore();
    await run(events, legacy, 10);
    const index = await documents(legacy);
    await legacy.commit({
      puts: [],
      deletes: [...Object.keys(index[EMAILS]).map((id) => ({ collection: EMAILS, id })), ...Object.keys(index[MIRROR_STATE]).map((id) => ({ collection: MIRROR_STATE, id }))],
      checkpoints: [],
    });
    for (const e of second) await events.append(`x-${randomUUID()}`, [ev(e)], 'no_stream');
    const rebuilt = new InMemoryReadStore();

    await run(events, legacy, 10);
    await run(events, rebuilt, 10);

    expect(await legacy.find(MIRROR_STATE, {})).toEqual([]);
    expect(await legacy.find(EMAILS, {})).toEqual([]);
    expect(await documents(legacy, [EMAILS, MIRROR_STATE])).toEqual(await documents(rebuilt, [EMAILS, MIRROR_STATE]));
  });
});
