import { CheckpointMovedError, DocumentTooLargeError, ReadStoreUnavailableError, type CollectionSpec, type Doc, type ReadStore, type WriteSet } from '@mam/read-store';

export interface ReadStoreHarness {
  store: ReadStore;
  /** Opens a second store on the same data; given only by durable adapters. */
  reopen?: () => Promise<ReadStore>;
  /** Removes the data; runs after the contract has closed every store it got. */
  cleanup: () => Promise<void>;
}

export interface ReadStoreContractOptions {
  /**
   * Registers the close/reopen durability test (the harness must then give
   * `reopen`). Jest cannot skip a test from inside it, and the harness only
   * exists once a test runs, so this has to be said up front.
   */
  durable?: boolean;
}

const SPECS: CollectionSpec[] = [
  { name: 'items', indexes: [['kind'], ['owner.org', 'active']] },
  { name: 'others', indexes: [['kind']] },
];

const writes = (w: Partial<WriteSet>): WriteSet => ({ puts: [], deletes: [], checkpoints: [], ...w });
const pad = (i: number) => `doc-${String(i).padStart(3, '0')}`;

/**
 * The behaviour every ReadStore adapter must share: one factory call per test
 * (a fresh, empty store), the store and any reopened store closed after the
 * test (so `close` must tolerate being called twice), then `cleanup`.
 */
export function readStoreContract(
  name: string,
  factory: () => Promise<ReadStoreHarness>,
  options: ReadStoreContractOptions = {},
): void {
  describe(`ReadStore contract: ${name}`, () => {
    let harness: ReadStoreHarness;
    let store: ReadStore;
    const opened: ReadStore[] = [];

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
      await store.ensureCollections(SPECS);
    });

    afterEach(async () => {
      for (const s of [store, ...opened.splice(0)]) await s.close();
      await harness.cleanup();
    });

    const put = (docs: Record<string, Doc>, collection = 'items') =>
      store.commit(writes({ puts: Object.entries(docs).map(([id, doc]) => ({ collection, id, doc })) }));
    const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

    describe('documents', () => {
      it('round-trips nested documents of every JSON type', async () => {
        const doc = {
          title: 'Ünïcode ✓ "quoted" \\ back',
          count: 42,
          ratio: -1.5,
          large: 2 ** 40,
          zero: 0,
          yes: true,
          no: false,
          nothing: null,
          empty: '',
          list: ['a', 1, true, null, { deep: [1, [2, 3]] }],
          emptyList: [],
          owner: { org: 'o1', profile: { name: 'N', tags: ['x'], none: {} } },
        };
        await put({ a: doc });
        expect(await store.get('items', 'a')).toStrictEqual(doc);
        expect(await store.get('items', 'missing')).toBeNull();
        expect(await store.get('neverWritten', 'a')).toBeNull();
      });

      it("keeps keys named like Object.prototype's members (__proto__ included) as own data, and pollutes nothing", async () => {
        // JSON.parse defines "__proto__" as an own key, as a body parser does; the writer may also hand a null-prototype map.
        const names = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
        const parsed = JSON.parse(`{${names.map((n) => `"${n}":"${n}-value"`).join(',')}}`) as Record<string, string>;
        const nullProto = Object.assign(Object.create(null) as Record<string, string>, parsed);
        await put({ a: { kind: 'k', properties: parsed }, b: { kind: 'k', properties: nullProto } });
        const found = await store.find<{ properties: Record<string, string> }>('items', { kind: 'k' });
        const many = await store.getMany<{ properties: Record<string, string> }>('items', ['a', 'b']);
        for (const doc of [await store.get<{ properties: Record<string, string> }>('items', 'a'), many.get('b'), ...found.map((r) => r.doc)]) {
          for (const n of names) expect({ n, value: Object.getOwnPropertyDescriptor(doc!.properties, n)?.value }).toEqual({ n, value: `${n}-value` });
        }
        expect(Object.getPrototypeOf({})).toBe(Object.prototype);
        expect(({} as Record<string, unknown>).constructor).toBe(Object);
      });

      it('drops undefined fields as JSON does', async () => {
        await put({ a: { kept: 1, gone: undefined, nested: { gone: undefined } } });
        expect(await store.get('items', 'a')).toStrictEqual({ kept: 1, nested: {} });
      });

      it('never shares objects with the caller', async () => {
        const doc = { n: 1, inner: { n: 1 } };
        await put({ a: doc });
        doc.inner.n = 2;
        const read = await store.get<typeof doc>('items', 'a');
        read!.inner.n = 3;
        expect(await store.get('items', 'a')).toStrictEqual({ n: 1, inner: { n: 1 } });
      });

      it('find with a fields hint keeps each field as stored (booleans stay booleans)', async () => {
        const doc = { on: true, off: false, n: 3, s: 'x', list: [true, 1, 'a'], obj: { deep: false }, skipped: 'big' };
        await put({ a: doc });
        const [row] = await store.find<typeof doc>('items', {}, { fields: ['on', 'off', 'n', 's', 'list', 'obj'] });
        const { skipped: _s, ...wanted } = doc;
        expect(row.doc).toMatchObject(wanted);
      });

      it('keeps collections apart', async () => {
        await put({ a: { from: 'items' } });
        await put({ a: { from: 'others' } }, 'others');
        expect(await store.get('items', 'a')).toStrictEqual({ from: 'items' });
        expect(await store.get('others', 'a')).toStrictEqual({ from: 'others' });
      });

      it('getMany returns the found ids only', async () => {
        await put({ a: { n: 1 }, b: { n: 2 }, c: { n: 3 } });
        const found = await store.getMany('items', ['c', 'missing', 'a']);
        expect([...found.keys()].sort()).toEqual(['a', 'c']);
        expect(found.get('a')).toStrictEqual({ n: 1 });
        expect(found.get('c')).toStrictEqual({ n: 3 });
        expect((await store.getMany('items', [])).size).toBe(0);
        expect((await store.getMany('items', ['missing'])).size).toBe(0);
      });

      it('commit replaces whole documents and deletes', async () => {
        await put({ a: { x: 1, y: 2 }, b: { x: 1 } });
        await store.commit(
          writes({
            puts: [{ collection: 'items', id: 'a', doc: { x: 3 } }],
            deletes: [
              { collection: 'items', id: 'b' },
              { collection: 'items', id: 'never-existed' },
            ],
          }),
        );
        expect(await store.get('items', 'a')).toStrictEqual({ x: 3 });
        expect(await store.get('items', 'b')).toBeNull();
        expect(ids(await store.find('items', {}))).toEqual(['a']);
      });

      it('commits a write set larger than 1000 documents at once', async () => {
        const many = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`big-${String(i).padStart(4, '0')}`, { i }]));
        await put(many);
        const all = await store.find('items', {});
        expect(all).toHaveLength(1100);
        expect(all[1099]).toEqual({ id: 'big-1099', doc: { i: 1099 } });
      });
    });

    describe('find', () => {
      beforeEach(async () => {
        // Inserted out of id order on purpose.
        await put({
          e: { kind: 'b', n: 1, active: true, owner: { org: 'o2' } },
          a: { kind: 'a', n: 1, active: true, owner: { org: 'o1' }, note: null },
          c: { kind: 'a', n: 2, active: false, owner: { org: 'o1' }, note: 'set' },
          b: { kind: 'a', n: '1', active: 1, owner: { org: 'o2' }, note: false },
          d: { kind: 'c', n: 0, active: 'true', owner: null, note: 0 },
          a10: { kind: 'a', n: 1.5, owner: { org: 'o1', extra: { deep: 'x' } }, note: '' },
          // No arrays under filtered paths: MongoDB would match their elements.
          a2: { kind: 'b', n: { v: 1 }, active: null, owner: 'o1' },
        });
      });

      it('with no filter returns every document ordered by id', async () => {
        const all = await store.find('items', {});
        expect(ids(all)).toEqual(['a', 'a10', 'a2', 'b', 'c', 'd', 'e']);
        expect(all[0]).toStrictEqual({ id: 'a', doc: { kind: 'a', n: 1, active: true, owner: { org: 'o1' }, note: null } });
      });

      it('matches top-level strings and numbers exactly, by type', async () => {
        expect(ids(await store.find('items', { kind: 'a' }))).toEqual(['a', 'a10', 'b', 'c']);
        expect(ids(await store.find('items', { n: 1 }))).toEqual(['a', 'e']);
        expect(ids(await store.find('items', { n: '1' }))).toEqual(['b']);
        expect(ids(await store.find('items', { n: 1.5 }))).toEqual(['a10']);
        expect(ids(await store.find('items', { n: 0 }))).toEqual(['d']);
        expect(await store.find('items', { n: '{"v":1}' })).toEqual([]);
        expect(await store.find('items', { kind: 'zzz' })).toEqual([]);
      });

      it('matches booleans strictly (not 1, not "true")', async () => {
        expect(ids(await store.find('items', { active: true }))).toEqual(['a', 'e']);
        expect(ids(await store.find('items', { active: false }))).toEqual(['c']);
      });

      it('matches dotted paths into nested objects', async () => {
        expect(ids(await store.find('items', { 'owner.org': 'o1' }))).toEqual(['a', 'a10', 'c']);
        expect(ids(await store.find('items', { 'owner.extra.deep': 'x' }))).toEqual(['a10']);
      });

      it('treats null as missing-or-null, and not as false, 0 or ""', async () => {
        expect(ids(await store.find('items', { note: null }))).toEqual(['a', 'a2', 'e']);
        expect(ids(await store.find('items', { active: null }))).toEqual(['a10', 'a2']);
        // A path through a null or a string is missing too.
        expect(ids(await store.find('items', { 'owner.org': null }))).toEqual(['a2', 'd']);
      });

      it('combines filters with AND', async () => {
        expect(ids(await store.find('items', { 'owner.org': 'o1', active: true }))).toEqual(['a']);
        expect(ids(await store.find('items', { kind: 'a', 'owner.org': 'o1', note: null }))).toEqual(['a']);
        expect(ids(await store.find('items', { kind: 'b', active: false }))).toEqual([]);
      });

      it('pages with afterId and limit', async () => {
        expect(ids(await store.find('items', {}, { limit: 2 }))).toEqual(['a', 'a10']);
        expect(ids(await store.find('items', {}, { afterId: 'a10', limit: 2 }))).toEqual(['a2', 'b']);
        // afterId need not exist: paging resumes after where it would sort.
        expect(ids(await store.find('items', { kind: 'a' }, { afterId: 'a5' }))).toEqual(['b', 'c']);
        expect(await store.find('items', {}, { afterId: 'e' })).toEqual([]);
        expect(await store.find('items', {}, { limit: 0 })).toEqual([]);
      });
    });

    describe('find on documents with arrays (equality is on the value at the path, as on SQLite)', () => {
      beforeEach(async () => {
        await put({
          listed: { kind: ['a', 'b'], n: [1], owner: [{ org: 'o1' }] },
          scalar: { kind: 'a', n: 1, owner: { org: 'o1' } },
          nested: { owner: { org: ['o1'] } },
        });
      });

      it('a scalar filter does not match an array that contains the value, at the top or down a path', async () => {
        expect(ids(await store.find('items', { kind: 'a' }))).toEqual(['scalar']);
        expect(ids(await store.find('items', { n: 1 }))).toEqual(['scalar']);
        expect(ids(await store.find('items', { 'owner.org': 'o1' }))).toEqual(['scalar']);
      });

      it('null matches a path that runs into an array (missing there), not an array at the path', async () => {
        expect(ids(await store.find('items', { 'owner.org': null }))).toEqual(['listed']);
        expect(ids(await store.find('items', { kind: null }))).toEqual(['nested']);
      });
    });

    describe('pagination over 250 documents', () => {
      const order = Array.from({ length: 250 }, (_, i) => (i * 97) % 250); // a permutation of 0..249

      beforeEach(async () => {
        await put(Object.fromEntries(order.map((i) => [pad(i), { i, parity: i % 2 === 0 ? 'even' : 'odd' }])));
      });

      const walk = async (filter: Record<string, string>, limit: number) => {
        const seen: string[] = [];
        let afterId: string | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = await store.find<{ i: number }>('items', filter, { afterId, limit });
          expect(page.length).toBeLessThanOrEqual(limit);
          for (const row of page) expect(row.id).toBe(pad(row.doc.i));
          seen.push(...ids(page));
          if (page.length < limit) return seen;
          afterId = page[page.length - 1].id;
        }
        throw new Error('pagination did not terminate');
      };

      it('visits every document once, in id order, without gaps', async () => {
        expect(await walk({}, 17)).toEqual(Array.from({ length: 250 }, (_, i) => pad(i)));
        expect(await walk({}, 250)).toHaveLength(250);
      });

      it('pages a filtered query the same way', async () => {
        const even = Array.from({ length: 125 }, (_, i) => pad(i * 2));
        expect(await walk({ parity: 'even' }, 10)).toEqual(even);
      });
    });

    describe('checkpoints', () => {
      it('reads back exactly what commit stored, beyond 2^53', async () => {
        const max = 18446744073709551615n;
        expect(await store.checkpoint('p')).toBeNull();
        await store.commit(
          writes({
            checkpoints: [
              { name: 'p', position: max },
              { name: 'q', position: 2n ** 53n + 1n },
              { name: 'z', position: 0n },
            ],
          }),
        );
        expect(await store.checkpoint('p')).toBe(max);
        expect(await store.checkpoint('q')).toBe(9007199254740993n);
        expect(await store.checkpoint('z')).toBe(0n);
        expect(await store.checkpoint('other')).toBeNull();
      });

      it('are written with the documents and overwritten by later commits', async () => {
        await store.commit(
          writes({ puts: [{ collection: 'items', id: 'a', doc: { v: 1 } }], checkpoints: [{ name: 'p', position: 10n }] }),
        );
        await store.commit(writes({ checkpoints: [{ name: 'p', position: 7n }] }));
        expect(await store.get('items', 'a')).toStrictEqual({ v: 1 });
        expect(await store.checkpoint('p')).toBe(7n);
      });

      it('with an expectation that holds (null: none stored yet), commit applies the changes and the checkpoint', async () => {
        await store.commit(writes({ puts: [{ collection: 'items', id: 'a', doc: { v: 1 } }], checkpoints: [{ name: 'p', position: 5n, expected: null }] }));
        await store.commit(writes({ puts: [{ collection: 'items', id: 'b', doc: { v: 2 } }], checkpoints: [{ name: 'p', position: 9n, expected: 5n }] }));
        expect(await store.get('items', 'a')).toStrictEqual({ v: 1 });
        expect(await store.get('items', 'b')).toStrictEqual({ v: 2 });
        expect(await store.checkpoint('p')).toBe(9n);
      });

      it('with an expectation that does not hold (another runner committed), commit throws CheckpointMovedError and applies nothing', async () => {
        await store.commit(writes({ puts: [{ collection: 'items', id: 'a', doc: { v: 1 } }], checkpoints: [{ name: 'p', position: 5n }] }));
        for (const expected of [null, 4n]) {
          const attempt = store.commit(
            writes({
              puts: [{ collection: 'items', id: 'a', doc: { v: 2 } }, { collection: 'items', id: 'b', doc: { v: 2 } }],
              deletes: [{ collection: 'items', id: 'a' }],
              checkpoints: [
                { name: 'q', position: 9n },
                { name: 'p', position: 9n, expected },
              ],
            }),
          );
          await expect(attempt).rejects.toBeInstanceOf(CheckpointMovedError);
          await expect(attempt).rejects.toMatchObject({ checkpoint: 'p', expected, actual: 5n });
        }
        expect(await store.get('items', 'a')).toStrictEqual({ v: 1 });
        expect(await store.get('items', 'b')).toBeNull();
        expect(await store.checkpoint('p')).toBe(5n);
        expect(await store.checkpoint('q')).toBeNull();
      });
    });

    describe('big documents', () => {
      it('a 1 MiB document round-trips', async () => {
        const text = 'x'.repeat(1024 * 1024);
        await put({ big: { text } });
        expect(((await store.get<{ text: string }>('items', 'big'))!.text).length).toBe(text.length);
      });

      it('a document over the store\'s limit is refused as too large, not as an outage, and its commit applies nothing', async () => {
        // 17 MiB: over BSON's 16 MiB; stores without a limit keep it.
        const huge = { text: 'x'.repeat(17 * 1024 * 1024) };
        let refused: unknown;
        try {
          store.checkDocument?.('items', 'huge', huge);
        } catch (error) {
          refused = error;
        }
        if (!refused) {
          await put({ huge });
          expect(((await store.get<{ text: string }>('items', 'huge'))!.text).length).toBe(huge.text.length);
          return;
        }
        expect(refused).toBeInstanceOf(DocumentTooLargeError);
        expect(refused).toMatchObject({ collection: 'items', id: 'huge' });
        await put({ kept: { v: 1 } });
        const error = await store
          .commit(writes({ puts: [{ collection: 'items', id: 'kept', doc: { v: 2 } }, { collection: 'items', id: 'huge', doc: huge }], checkpoints: [{ name: 'p', position: 1n }] }))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(DocumentTooLargeError);
        expect(error).not.toBeInstanceOf(ReadStoreUnavailableError);
        expect(await store.get('items', 'kept')).toStrictEqual({ v: 1 });
        expect(await store.get('items', 'huge')).toBeNull();
        expect(await store.checkpoint('p')).toBeNull();
      });
    });

    describe('atomicity', () => {
      beforeEach(async () => {
        await store.commit(
          writes({
            puts: [
              { collection: 'items', id: 'kept', doc: { v: 1 } },
              { collection: 'items', id: 'doomed', doc: { v: 1 } },
            ],
            checkpoints: [{ name: 'p', position: 5n }],
          }),
        );
      });

      const expectUnchanged = async () => {
        expect(ids(await store.find('items', {}))).toEqual(['doomed', 'kept']);
        expect(await store.get('items', 'kept')).toStrictEqual({ v: 1 });
        expect(await store.find('others', {})).toEqual([]);
        expect(await store.checkpoint('p')).toBe(5n);
      };

      it('a commit that fails on its last document applies nothing', async () => {
        // A circular document cannot be serialised by any adapter (JSON or BSON),
        // and comes after 1100 good writes, in a second collection.
        const circular: Doc = { name: 'loop' };
        circular.self = circular;
        const failing = writes({
          puts: [
            { collection: 'items', id: 'kept', doc: { v: 2 } },
            ...Array.from({ length: 1100 }, (_, i) => ({ collection: 'items', id: `new-${i}`, doc: { i } })),
            { collection: 'others', id: 'x', doc: { ok: true } },
            { collection: 'others', id: 'y', doc: circular },
          ],
          deletes: [{ collection: 'items', id: 'doomed' }],
          checkpoints: [{ name: 'p', position: 6n }],
        });
        await expect(store.commit(failing)).rejects.toThrow();
        await expectUnchanged();
      });

      it('a commit naming an invalid collection applies nothing', async () => {
        const failing = writes({
          puts: [
            { collection: 'items', id: 'kept', doc: { v: 2 } },
            { collection: 'not a valid/name', id: 'x', doc: {} },
          ],
          deletes: [{ collection: 'items', id: 'doomed' }],
          checkpoints: [{ name: 'p', position: 6n }],
        });
        await expect(store.commit(failing)).rejects.toThrow();
        await expectUnchanged();
      });
    });

    it('reset clears the named collections and checkpoints, and nothing else', async () => {
      await store.commit(
        writes({
          puts: [
            { collection: 'items', id: 'a', doc: { kind: 'k' } },
            { collection: 'others', id: 'b', doc: { kind: 'k' } },
          ],
          checkpoints: [
            { name: 'items-projection', position: 3n },
            { name: 'others-projection', position: 4n },
          ],
        }),
      );
      await store.reset(['items'], ['items-projection']);
      expect(await store.find('items', {})).toEqual([]);
      expect(await store.checkpoint('items-projection')).toBeNull();
      expect(await store.get('others', 'b')).toStrictEqual({ kind: 'k' });
      expect(await store.checkpoint('others-projection')).toBe(4n);
      // Still usable, indexes and all.
      await put({ c: { kind: 'k' } });
      expect(ids(await store.find('items', { kind: 'k' }))).toEqual(['c']);
    });

    it('reset of collections and checkpoints that were never written is harmless', async () => {
      await store.reset(['neverWritten', 'others'], ['never-stored']);
      await put({ a: { kind: 'k' } });
      expect(ids(await store.find('items', { kind: 'k' }))).toEqual(['a']);
    });

    it('ensureCollections is idempotent and keeps data', async () => {
      await put({ a: { kind: 'k', owner: { org: 'o' }, active: true } });
      await store.ensureCollections(SPECS);
      await store.ensureCollections([...SPECS, { name: 'items', indexes: [['kind'], ['active', 'kind']] }]);
      expect(ids(await store.find('items', { 'owner.org': 'o', active: true }))).toEqual(['a']);
      expect(ids(await store.find('items', { active: true, kind: 'k' }))).toEqual(['a']);
    });

    it('ping answers true', async () => {
      expect(await store.ping()).toBe(true);
    });

    (options.durable ? it : it.skip)('keeps committed data and checkpoints across close and reopen', async () => {
      expect(harness.reopen).toBeDefined();
      await store.commit(
        writes({
          puts: [
            { collection: 'items', id: 'a', doc: { kind: 'k', nested: { list: [1, 'two'] } } },
            { collection: 'items', id: 'b', doc: { kind: 'k' } },
          ],
          checkpoints: [{ name: 'p', position: 18446744073709551615n }],
        }),
      );
      await store.commit(writes({ deletes: [{ collection: 'items', id: 'b' }] }));
      await store.close();
      const again = await harness.reopen!();
      opened.push(again);
      await again.ensureCollections(SPECS);
      expect(await again.get('items', 'a')).toStrictEqual({ kind: 'k', nested: { list: [1, 'two'] } });
      expect(ids(await again.find('items', { kind: 'k' }))).toEqual(['a']);
      expect(await again.checkpoint('p')).toBe(18446744073709551615n);
    });
  });
}
