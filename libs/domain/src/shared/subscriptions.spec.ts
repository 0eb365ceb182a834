import { hasMarketingEnterprise, hasProfessionalOrHigher, hasSalesOrServiceProfessional, type Subscription } from './subscriptions';

const sub = (hub: Subscription['hub'], tier: Subscription['tier']): Subscription => ({ hub, tier });

describe('A3 subscription levels', () => {
  it('A3 Marketing Hub Enterprise is a marketing subscription at enterprise', () => {
    expect(hasMarketingEnterprise([sub('marketing', 'enterprise')])).toBe(true);
    expect(hasMarketingEnterprise([sub('marketing', 'professional'), sub('sales', 'enterprise')])).toBe(false);
    expect(hasMarketingEnterprise([])).toBe(false);
  });

  it('A3 "Professional or higher" is any hub at professional or enterprise', () => {
    expect(hasProfessionalOrHigher([sub('content', 'professional')])).toBe(true);
    expect(hasProfessionalOrHigher([sub('data', 'enterprise')])).toBe(true);
    expect(hasProfessionalOrHigher([sub('marketing', 'starter'), sub('sales', 'free')])).toBe(false);
  });

  it('A3 Sales or Service Hub Professional or higher (C3, M3) counts those two hubs only', () => {
    expect(hasSalesOrServiceProfessional([sub('service', 'professional')])).toBe(true);
    expect(hasSalesOrServiceProfessional([sub('sales', 'enterprise')])).toBe(true);
    expect(hasSalesOrServiceProfessional([sub('marketing', 'enterprise'), sub('sales', 'starter')])).toBe(false);
  });
});
