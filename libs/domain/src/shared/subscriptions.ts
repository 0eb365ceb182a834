export const HUBS = ['marketing', 'sales', 'service', 'content', 'data', 'commerce'] as const;
export type Hub = (typeof HUBS)[number];

export const TIERS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

export interface Subscription {
  hub: Hub;
  tier: Tier;
}

const rank = (tier: Tier): number => TIERS.indexOf(tier);

export function atLeastProfessional(s: Subscription): boolean {
  return rank(s.tier) >= rank('professional');
}

/** A3: Marketing Hub Enterprise. */
export function hasMarketingEnterprise(subscriptions: Subscription[]): boolean {
  return subscriptions.some((s) => s.hub === 'marketing' && s.tier === 'enterprise');
}

/** A3: "Professional or higher" on any hub. */
export function hasProfessionalOrHigher(subscriptions: Subscription[]): boolean {
  return subscriptions.some(atLeastProfessional);
}

/** C3/M3: Sales Hub or Service Hub at Professional or higher. */
export function hasSalesOrServiceProfessional(subscriptions: Subscription[]): boolean {
  return subscriptions.some((s) => (s.hub === 'sales' || s.hub === 'service') && atLeastProfessional(s));
}
