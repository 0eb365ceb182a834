import type { AssetEvent, AssetFields } from './asset.events';
import { decideSaveAsset } from './asset.decide';
import { evolveAsset, isCopyable, type AssetState } from './asset.state';

const fields = (overrides: Partial<AssetFields> = {}): AssetFields => ({
  type: 'marketing-email',
  name: 'Welcome',
  automated: true,
  draft: false,
  content: { subject: 'Hi' },
  references: [],
  ...overrides,
});
const fold = (events: AssetEvent[]): AssetState => events.reduce<AssetState>(evolveAsset, null);
const has = (...ids: string[]) => (id: string) => ids.includes(id);
const save = (f: AssetFields) => ({ accountId: 'acc', assetId: 'e1', fields: f });

describe('storing assets (AC1, AC3)', () => {
  it('AC1 an email, a list or a form is stored with its content and references', () => {
    expect(decideSaveAsset(save(fields({ references: ['l1', 'f1'] })), null, has('l1', 'f1'))).toEqual([
      { type: 'AssetSaved', data: { accountId: 'acc', assetId: 'e1', ...fields({ references: ['l1', 'f1'] }) } },
    ]);
  });

  it('AC3 a reference to an asset the account does not have: REFERENCE_NOT_FOUND', () => {
    expect(() => decideSaveAsset(save(fields({ references: ['l1', 'nope'] })), null, has('l1'))).toThrow(expect.objectContaining({ code: 'REFERENCE_NOT_FOUND' }));
  });

  it('AC3 an asset may reference itself (a cycle of one), and references are kept once', () => {
    const [event] = decideSaveAsset(save(fields({ references: ['e1', 'l1', 'l1'] })), null, has('l1'));
    expect(event.data.references).toEqual(['e1', 'l1']);
  });

  it('AC2 storing the same fields again appends nothing; a change appends the new state', () => {
    const state = fold(decideSaveAsset(save(fields()), null, has()));
    expect(decideSaveAsset(save(fields()), state, has())).toEqual([]);
    expect(decideSaveAsset(save(fields({ content: { subject: 'Hello' } })), state, has())).toHaveLength(1);
  });

  it('AC2 an edited copy still names where it came from', () => {
    const copiedFrom = { accountId: 'src', assetId: 's1', copyId: 'c1' };
    const state = fold([
      { type: 'AssetCopied', data: { accountId: 'acc', assetId: 'e1', ...fields(), copiedFrom } },
      { type: 'AssetSaved', data: { accountId: 'acc', assetId: 'e1', ...fields({ name: 'Edited' }) } },
    ]);
    expect(state).toMatchObject({ name: 'Edited', copiedFrom });
  });

  it('AC1 automated emails, lists and forms are copyable; an email that is not automated is not', () => {
    expect(isCopyable({ type: 'marketing-email', automated: true })).toBe(true);
    expect(isCopyable({ type: 'marketing-email', automated: false })).toBe(false);
    expect(isCopyable({ type: 'list', automated: false })).toBe(true);
    expect(isCopyable({ type: 'form', automated: false })).toBe(true);
  });
});
