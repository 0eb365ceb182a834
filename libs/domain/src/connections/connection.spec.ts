import { oneWay, twoWay } from '@mam/testing';
import {
  configuredFlows,
  effectiveFlows,
  ineligibleTargetRevocations,
  pairKey,
  sensitiveDataRevocations,
  withAllFeatures,
  type ConnectionState,
  type Revocation,
} from './connection';

const all = { dataMirroring: true, assetCopying: true, workflows: true };
const state = (connection: ReturnType<typeof twoWay>, revoked: Revocation[] = []): ConnectionState => ({ ...connection, revoked });

describe('connection flows', () => {
  describe('configuredFlows', () => {
    it('a two-way connection works both ways for every feature that is on', () =>
      expect(configuredFlows(twoWay('a', 'b', { dataMirroring: true, workflows: true }))).toEqual({
        dataMirroring: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
        assetCopying: [],
        workflows: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
        reporting: [],
      }));

    it('a one-way connection works only from its source', () =>
      expect(configuredFlows(oneWay('a', 'b', all))).toEqual({
        dataMirroring: [{ from: 'a', to: 'b' }],
        assetCopying: [{ from: 'a', to: 'b' }],
        workflows: [{ from: 'a', to: 'b' }],
        reporting: [],
      }));

    it('a one-way connection whose source is the second account of the pair flows from it', () =>
      expect(configuredFlows({ ...oneWay('a', 'b', all), accounts: ['b', 'a'], from: 'a' }).dataMirroring).toEqual([
        { from: 'a', to: 'b' },
      ]));

    it('a connection with every feature off has no flows', () =>
      expect(configuredFlows(twoWay('a', 'b', { dataMirroring: false }))).toEqual({ dataMirroring: [], assetCopying: [], workflows: [], reporting: [] }));
  });

  describe('effectiveFlows', () => {
    it('without revocations equals the configured flows', () =>
      expect(effectiveFlows(state(twoWay('a', 'b', all)))).toEqual(configuredFlows(twoWay('a', 'b', all))));

    it('drops exactly the revoked feature and direction', () =>
      expect(
        effectiveFlows(state(twoWay('a', 'b', all), [{ feature: 'dataMirroring', from: 'a', to: 'b', reason: 'sensitive-data' }])),
      ).toEqual({
        dataMirroring: [{ from: 'b', to: 'a' }],
        assetCopying: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
        workflows: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
        reporting: [],
      }));

    it('a one-way connection with its only mirroring flow revoked mirrors nothing', () =>
      expect(
        effectiveFlows(state(oneWay('a', 'b'), [{ feature: 'dataMirroring', from: 'a', to: 'b', reason: 'mirroring-target-ineligible' }]))
          .dataMirroring,
      ).toEqual([]));
  });

  describe('revocations', () => {
    it('C4 revokes mirroring and workflow flows where the account is the source, never asset copying nor flows into it', () =>
      expect(sensitiveDataRevocations(state(twoWay('a', 'b', all)), 'a')).toEqual([
        { feature: 'dataMirroring', from: 'a', to: 'b', reason: 'sensitive-data' },
        { feature: 'workflows', from: 'a', to: 'b', reason: 'sensitive-data' },
      ]));

    it('R4/C4 revokes reporting flows where the account is the source', () =>
      expect(sensitiveDataRevocations(state(oneWay('a', 'b', { reporting: true })), 'a')).toEqual([
        { feature: 'reporting', from: 'a', to: 'b', reason: 'sensitive-data' },
      ]));

    it('a configuration stored before reporting existed means it off', () => {
      const { reporting: _r, ...three } = twoWay('a', 'b', { reporting: true }).features;
      const stored = { ...twoWay('a', 'b'), features: three } as unknown as ReturnType<typeof twoWay>;
      expect(withAllFeatures(stored).features.reporting).toBe(false);
      expect(configuredFlows(stored).reporting).toEqual([]);
    });

    it('C4 has nothing to revoke for the target of a one-way connection', () =>
      expect(sensitiveDataRevocations(state(oneWay('b', 'a', all)), 'a')).toEqual([]));

    it('C4 does not revoke a flow twice', () =>
      expect(
        sensitiveDataRevocations(
          state(twoWay('a', 'b', all), [{ feature: 'dataMirroring', from: 'a', to: 'b', reason: 'sensitive-data' }]),
          'a',
        ),
      ).toEqual([{ feature: 'workflows', from: 'a', to: 'b', reason: 'sensitive-data' }]));

    it('C5 revokes mirroring into the account only', () =>
      expect(ineligibleTargetRevocations(state(twoWay('a', 'b', all)), 'b')).toEqual([
        { feature: 'dataMirroring', from: 'a', to: 'b', reason: 'mirroring-target-ineligible' },
      ]));

    it('C5 has nothing to revoke when the account is only a mirroring source', () =>
      expect(ineligibleTargetRevocations(state(oneWay('b', 'a')), 'b')).toEqual([]));
  });

  it('pairKey is the same for either order of the pair', () => expect(pairKey(['a', 'b'])).toBe(pairKey(['b', 'a'])));
});
