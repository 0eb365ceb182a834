import { fail } from '../shared/domain-error';
import { hasSalesOrServiceProfessional } from '../shared/subscriptions';
import type { Account } from '../accounts/account.state';

export const FEATURES = ['dataMirroring', 'assetCopying', 'workflows', 'reporting'] as const;
export type Feature = (typeof FEATURES)[number];

export interface Connection {
  accounts: [string, string];
  direction: 'two-way' | 'one-way';
  /** One-way only: the source side. */
  from?: string;
  features: Record<Feature, boolean>;
}

export interface Flow {
  from: string;
  to: string;
}

export type RevocationReason = 'sensitive-data' | 'mirroring-target-ineligible';

export interface Revocation extends Flow {
  feature: Feature;
  reason: RevocationReason;
}

/** A connection as the organization keeps it: the configuration and what C4/C5 took away. */
export interface ConnectionState extends Connection {
  revoked: Revocation[];
}

export type Flows = Record<Feature, Flow[]>;

/** Features that move a source's data into its target: C2 keeps sensitive-data accounts out of their sources, C4 revokes them. */
export const SOURCE_RESTRICTED: readonly Feature[] = ['dataMirroring', 'workflows', 'reporting'];

/**
 * A connection with every feature key: configurations stored before
 * `reporting` existed (and requests that leave it out) mean it off.
 */
export function withAllFeatures<C extends Connection>(connection: C): C {
  const features = { ...connection.features };
  for (const feature of FEATURES) features[feature] = features[feature] ?? false;
  return { ...connection, features };
}

/** The directed pairs a connection's configuration allows, per feature. */
export function configuredFlows(connection: Connection): Flows {
  const [a, b] = connection.accounts;
  const pairs: Flow[] =
    connection.direction === 'two-way'
      ? [
          { from: a, to: b },
          { from: b, to: a },
        ]
      : [{ from: connection.from!, to: connection.from === a ? b : a }];
  const flows = {} as Flows;
  for (const feature of FEATURES) flows[feature] = connection.features[feature] ? pairs.map((p) => ({ ...p })) : [];
  return flows;
}

/** The effective flows: configured minus revoked (what api.md answers as `flows`). */
export function effectiveFlows(connection: ConnectionState): Flows {
  const flows = configuredFlows(connection);
  for (const feature of FEATURES) {
    flows[feature] = flows[feature].filter(
      (f) => !connection.revoked.some((r) => r.feature === feature && r.from === f.from && r.to === f.to),
    );
  }
  return flows;
}

export const pairKey = (accounts: readonly [string, string]): string => [...accounts].sort().join('\u0000');

/**
 * C1–C3 for a whole desired set of connections among `members`.
 * Shape errors (self-connection, a one-way without a valid `from`) are input
 * errors; the rest are the rules' 422s.
 */
export function validateConnections(connections: Connection[], members: Map<string, Account>): void {
  const seen = new Set<string>();
  for (const c of connections) {
    const [a, b] = c.accounts;
    if (a === b) fail('VALIDATION_FAILED', `a connection joins two different accounts (${a})`);
    if (c.direction === 'one-way' && c.from !== a && c.from !== b) {
      fail('VALIDATION_FAILED', `a one-way connection needs "from" set to one of its accounts`);
    }
    if (c.direction === 'two-way' && c.from !== undefined) {
      fail('VALIDATION_FAILED', `"from" is for one-way connections only`);
    }
    for (const id of c.accounts) {
      if (!members.has(id)) fail('NOT_A_MEMBER', `account ${id} is not a member of the organization`);
    }
    const key = pairKey(c.accounts);
    if (seen.has(key)) fail('DUPLICATE_CONNECTION', `accounts ${a} and ${b} have more than one connection`);
    seen.add(key);

    const flows = configuredFlows(c);
    for (const feature of SOURCE_RESTRICTED) {
      for (const flow of flows[feature]) {
        if (members.get(flow.from)!.sensitiveData) {
          fail('SENSITIVE_DATA_SOURCE', `account ${flow.from} stores sensitive data and cannot be a source of ${feature}`);
        }
      }
    }
    for (const flow of flows.dataMirroring) {
      if (!hasSalesOrServiceProfessional(members.get(flow.to)!.subscriptions)) {
        fail('MIRRORING_TARGET_INELIGIBLE', `account ${flow.to} has no Sales or Service Hub Professional or higher`);
      }
    }
  }
}

/** Flows in which `accountId` is a mirroring, workflow or reporting source, not yet revoked (C4). */
export function sensitiveDataRevocations(connection: ConnectionState, accountId: string): Revocation[] {
  const flows = effectiveFlows(connection);
  return SOURCE_RESTRICTED.flatMap((feature) =>
    flows[feature].filter((f) => f.from === accountId).map((f) => ({ ...f, feature, reason: 'sensitive-data' as const })),
  );
}

/** Mirroring flows into `accountId`, not yet revoked (C5). */
export function ineligibleTargetRevocations(connection: ConnectionState, accountId: string): Revocation[] {
  return effectiveFlows(connection)
    .dataMirroring.filter((f) => f.to === accountId)
    .map((f) => ({ ...f, feature: 'dataMirroring' as const, reason: 'mirroring-target-ineligible' as const }));
}
