import { InMemoryReadStore, type Doc, type WriteSet } from '@mam/read-store';
import { CONTACTS, EMAIL_INDEX, EMAILS, key, MIRROR_STATE, storedContactsWithEmail } from './mirroring.collections';

const writes = (puts: Array<[string, string, Doc]>): WriteSet => ({ puts: puts.map(([collection, id, doc]) => ({ collection, id, doc })), deletes: [], checkpoints: [] });

describe('M1 matching outside the projection (storedContactsWithEmail)', () => {
  it('given a model with the email index, then the ids come from the index document (no search of the contacts)', async () => {
    const store = new InMemoryReadStore();
    await store.commit(
      writes([
        [MIRROR_STATE, EMAIL_INDEX, { since: 'the first contact' }],
        [EMAILS, key('t', 'ann@x.com'), { accountId: 't', emailKey: 'ann@x.com', contactIds: ['c1', 'c2'] }],
        // A contact document the index does not list: the index is what is read.
        [CONTACTS, key('t', 'c3'), { accountId: 't', contactId: 'c3', emailKey: 'ann@x.com' }],
      ]),
    );
    expect(await storedContactsWithEmail(store, 't', 'ann@x.com')).toEqual(['c1', 'c2']);
    expect(await storedContactsWithEmail(store, 't', 'bob@x.com')).toEqual([]);
  });

  it('given a model written before the email index (no marker), then the contacts are searched by account and email', async () => {
    const store = new InMemoryReadStore();
    await store.ensureCollections([{ name: CONTACTS, indexes: [['accountId', 'emailKey']] }]);
    await store.commit(
      writes([
        [CONTACTS, key('t', 'c1'), { accountId: 't', contactId: 'c1', emailKey: 'ann@x.com' }],
        [CONTACTS, key('s', 'c2'), { accountId: 's', contactId: 'c2', emailKey: 'ann@x.com' }],
      ]),
    );
    expect(await storedContactsWithEmail(store, 't', 'ann@x.com')).toEqual(['c1']);
  });
});
