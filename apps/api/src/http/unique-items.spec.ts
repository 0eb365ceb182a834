import fc from 'fast-check';
import { arrayUnique } from 'class-validator';
import { uniqueItems } from './unique-items';

describe('uniqueItems', () => {
  const value = fc.oneof(fc.constantFrom(NaN, 0, -0, '', 'a', null, undefined), fc.jsonValue(), fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 3 }));
  const byId = (item: { contactId?: unknown }) => item?.contactId;

  it('answers as class-validator arrayUnique does, with and without a key', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(value, { maxLength: 8 }), value), (items) => {
        expect(uniqueItems(items)).toBe(arrayUnique(items as unknown[]));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(value, fc.record({ contactId: value }, { requiredKeys: [] })), { maxLength: 8 }), (items) => {
        expect(uniqueItems(items, byId)).toBe(arrayUnique(items, byId));
      }),
      { numRuns: 2000 },
    );
  });

  it('given a thousand distinct contacts and then one repeated, then unique and then not', () => {
    const contacts = Array.from({ length: 1000 }, (_, i) => ({ contactId: `c${i}` }));
    expect(uniqueItems(contacts, byId)).toBe(true);
    expect(uniqueItems([...contacts, { contactId: 'c500' }], byId)).toBe(false);
  });
});
