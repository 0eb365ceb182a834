import { InMemoryReadStore } from '@mam/read-store';
import { ReadModelBatch } from './read-model-batch';

async function storeWith(docs: Record<string, object>): Promise<InMemoryReadStore> {
  const store = new InMemoryReadStore();
  await store.commit({ puts: Object.entries(docs).map(([id, doc]) => ({ collection: 'c', id, doc: doc as Record<string, unknown> })), deletes: [], checkpoints: [] });
  return store;
}

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

describe('read model batch: a find sees the batch\'s own writes', () => {
  it('given stored and pending documents, when a pending write changes the filtered field, then the find follows it (before and after the first find)', async () => {
    const tx = new ReadModelBatch(await storeWith({ a: { k: 'x' }, b: { k: 'y' } }));
    tx.put('c', 'c', { k: 'x' });
    expect(ids(await tx.find('c', { k: 'x' }))).toEqual(['a', 'c']);
    tx.put('c', 'c', { k: 'y' }); // moves out of x after the index exists
    tx.put('c', 'a', { k: 'y' }); // hides the stored row of x
    expect(ids(await tx.find('c', { k: 'x' }))).toEqual([]);
    expect(ids(await tx.find('c', { k: 'y' }))).toEqual(['a', 'b', 'c']);
    tx.delete('c', 'b');
    expect(ids(await tx.find('c', { k: 'y' }))).toEqual(['a', 'c']);
  });

  it('given stored and pending documents, when a find keeps to an id prefix, then both sides keep to it, paged', async () => {
    const tx = new ReadModelBatch(await storeWith({ 'p|1': { k: 'x' }, 'p|3': { k: 'x' }, 'q|1': { k: 'x' } }));
    tx.put('c', 'p|2', { k: 'x' });
    tx.put('c', 'pp|1', { k: 'x' });
    tx.delete('c', 'p|3');
    expect(ids(await tx.find('c', {}, { idPrefix: 'p|' }))).toEqual(['p|1', 'p|2']);
    expect(ids(await tx.find('c', { k: 'x' }, { idPrefix: 'p|', afterId: 'p|1', limit: 5 }))).toEqual(['p|2']);
  });

  it('given an event rolled back, then its writes leave the find results too', async () => {
    const tx = new ReadModelBatch(await storeWith({ a: { k: 'x' } }));
    tx.put('c', 'b', { k: 'x' });
    expect(ids(await tx.find('c', { k: 'x' }))).toEqual(['a', 'b']);
    tx.begin();
    tx.put('c', 'b', { k: 'y' });
    tx.delete('c', 'a');
    tx.put('c', 'n', { k: 'x' });
    expect(ids(await tx.find('c', { k: 'x' }))).toEqual(['n']);
    tx.rollbackEvent();
    expect(ids(await tx.find('c', { k: 'x' }))).toEqual(['a', 'b']);
    expect(ids(await tx.find('c', { k: 'y' }))).toEqual([]);
  });

  it('keeps equality type-strict and null matching a missing field, like the stores', async () => {
    const tx = new ReadModelBatch(new InMemoryReadStore());
    tx.put('c', 'num', { k: 1 });
    tx.put('c', 'str', { k: '1' });
    tx.put('c', 'none', {});
    expect(ids(await tx.find('c', { k: 1 }))).toEqual(['num']);
    expect(ids(await tx.find('c', { k: '1' }))).toEqual(['str']);
    expect(ids(await tx.find('c', { k: null }))).toEqual(['none']);
    expect(ids(await tx.find('c', {}))).toEqual(['none', 'num', 'str']);
  });

  it('given several filter fields and paging, then pending and stored rows merge in id order', async () => {
    const tx = new ReadModelBatch(await storeWith({ a1: { a: 'A', e: 'x' }, a3: { a: 'A', e: 'x' }, b1: { a: 'B', e: 'x' } }));
    tx.put('c', 'a2', { a: 'A', e: 'x' });
    tx.put('c', 'a4', { a: 'A', e: 'z' });
    expect(ids(await tx.find('c', { a: 'A', e: 'x' }))).toEqual(['a1', 'a2', 'a3']);
    expect(ids(await tx.find('c', { a: 'A', e: 'x' }, { limit: 2 }))).toEqual(['a1', 'a2']);
    expect(ids(await tx.find('c', { a: 'A', e: 'x' }, { afterId: 'a2', limit: 2 }))).toEqual(['a3']);
    expect(ids(await tx.find('c', { e: 'x' }))).toEqual(['a1', 'a2', 'a3', 'b1']);
  });

  it('given a small find answered from the store once, then a second one in the same batch does not read the store again, and still sees later writes', async () => {
    const store = await storeWith({ a: { k: 'x' } });
    const tx = new ReadModelBatch(store);
    const find = jest.spyOn(store, 'find');
    expect(ids(await tx.find('c', { k: 'x' }))).toEqual(['a']);
    tx.put('c', 'b', { k: 'x' });
    expect(ids(await tx.find('c', { k: 'x' }))).toEqual(['a', 'b']);
    expect(find).toHaveBeenCalledTimes(1);
  });
});
