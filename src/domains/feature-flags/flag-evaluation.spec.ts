import { randomUUID } from 'node:crypto';
import { evaluateFlag, featureLabel, type FlagSnapshot, missingFlag, rolloutBucket } from './flag-evaluation';

const flag = (over: Partial<FlagSnapshot> = {}): FlagSnapshot => ({
  name: 'new_editor',
  exists: true,
  enabled: true,
  rolloutPercentage: 100,
  users: {},
  orgs: {},
  ...over,
});

describe('flag evaluation', () => {
  it('is off for an unknown flag', () => {
    expect(evaluateFlag(missingFlag('nope'), { userId: randomUUID() })).toBe(false);
  });

  it('follows enabled at 100 % and 0 %, with or without a subject', () => {
    expect(evaluateFlag(flag(), {})).toBe(true);
    expect(evaluateFlag(flag({ enabled: false }), { userId: 'u' })).toBe(false);
    expect(evaluateFlag(flag({ rolloutPercentage: 0 }), { userId: 'u' })).toBe(false);
  });

  it('is off for a partial rollout without a subject (no bucket to fall in)', () => {
    expect(evaluateFlag(flag({ rolloutPercentage: 99 }), {})).toBe(false);
  });

  it('user override beats org override beats the flag', () => {
    const user = randomUUID();
    const org = randomUUID();
    const base = flag({ enabled: false, users: { [user]: true }, orgs: { [org]: false } });
    expect(evaluateFlag(base, { userId: user, organizationIds: [org] })).toBe(true);
    expect(evaluateFlag({ ...base, users: {} }, { userId: user, organizationIds: [org] })).toBe(false);
    expect(evaluateFlag({ ...base, users: {}, orgs: { [org]: true } }, { userId: user, organizationIds: [org] })).toBe(true);
    expect(evaluateFlag({ ...base, users: {}, orgs: {} }, { userId: user, organizationIds: [org] })).toBe(false);
  });

  it('when two of the subject’s organizations disagree, off wins', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(evaluateFlag(flag({ orgs: { [a]: true, [b]: false } }), { userId: 'u', organizationIds: [a, b] })).toBe(false);
  });

  it('buckets are stable, in 0..99, and independent between flags', () => {
    const id = randomUUID();
    expect(rolloutBucket('a', id)).toBe(rolloutBucket('a', id));
    const buckets = Array.from({ length: 1000 }, () => rolloutBucket('a', randomUUID()));
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThanOrEqual(99);
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const same = ids.filter((u) => rolloutBucket('a', u) === rolloutBucket('b', u)).length;
    expect(same).toBeLessThan(20);
  });

  it('names the feature in the 503 message', () => {
    expect(featureLabel('enable_user_registration')).toBe('User registration');
    expect(featureLabel('enable_file_uploads')).toBe('File uploads');
    expect(featureLabel('beta_search')).toBe('Beta search');
  });
});
