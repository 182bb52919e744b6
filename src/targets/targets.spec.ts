import {
  DEFAULT_ACCESS_TARGET,
  DEFAULT_REACH_TARGET,
  fractionToPercent,
  percentToFraction,
  pickTarget,
  singleOrganization,
  TargetRule,
} from './targets';

const ORG = 'org-a';
const OTHER = 'org-b';
const rule = (organizationId: string | null, districtCode: string | null, reach: number): TargetRule => ({
  organizationId,
  districtCode,
  reach,
  accessRate: reach / 1000,
});

const ALL_RULES = [
  rule(null, null, 100),
  rule(ORG, null, 200),
  rule(null, 'hoan-kiem', 300),
  rule(ORG, 'hoan-kiem', 400),
  rule(OTHER, null, 500),
  rule(OTHER, 'hoan-kiem', 600),
];

describe('pickTarget', () => {
  it('gives the default (500, 60%) when nothing is set', () => {
    expect(pickTarget([], ORG, null)).toEqual({
      reach: DEFAULT_REACH_TARGET,
      accessRate: DEFAULT_ACCESS_TARGET,
      source: 'default',
    });
    expect(pickTarget([], null, 'hoan-kiem').source).toBe('default');
  });

  it("gives one organization its own target, before the program's", () => {
    expect(pickTarget(ALL_RULES, ORG, null)).toEqual({ reach: 200, accessRate: 0.2, source: 'organization' });
  });

  it("gives one organization without a target the program's", () => {
    expect(pickTarget(ALL_RULES, 'org-c', null)).toEqual({ reach: 100, accessRate: 0.1, source: 'program' });
  });

  it("gives several organizations (or all) the program's target, never one organization's", () => {
    expect(pickTarget(ALL_RULES, null, null)).toEqual({ reach: 100, accessRate: 0.1, source: 'program' });
    expect(pickTarget([rule(ORG, null, 200)], null, null).source).toBe('default');
  });

  it("with a district: the organization's district target, then the program's district target", () => {
    expect(pickTarget(ALL_RULES, ORG, 'hoan-kiem')).toEqual({ reach: 400, accessRate: 0.4, source: 'district' });
    expect(pickTarget(ALL_RULES, 'org-c', 'hoan-kiem')).toEqual({ reach: 300, accessRate: 0.3, source: 'district' });
    expect(pickTarget(ALL_RULES, null, 'hoan-kiem')).toEqual({ reach: 300, accessRate: 0.3, source: 'district' });
  });

  it('with a district and no district target: the rules without a district, and says which', () => {
    expect(pickTarget(ALL_RULES, ORG, 'ba-dinh')).toEqual({ reach: 200, accessRate: 0.2, source: 'organization' });
    expect(pickTarget(ALL_RULES, null, 'ba-dinh')).toEqual({ reach: 100, accessRate: 0.1, source: 'program' });
    expect(pickTarget([rule(ORG, 'hoan-kiem', 400)], null, 'ba-dinh').source).toBe('default');
  });

  it("never gives several organizations one organization's district target", () => {
    expect(pickTarget([rule(ORG, 'hoan-kiem', 400), rule(null, null, 100)], null, 'hoan-kiem')).toEqual({
      reach: 100,
      accessRate: 0.1,
      source: 'program',
    });
  });
});

describe('singleOrganization', () => {
  it('names the organization when the question is about exactly one', () => {
    expect(singleOrganization([ORG])).toBe(ORG);
    expect(singleOrganization([ORG, ORG])).toBe(ORG);
  });

  it('gives null for several, none or all', () => {
    expect(singleOrganization([ORG, OTHER])).toBeNull();
    expect(singleOrganization([])).toBeNull();
    expect(singleOrganization('all')).toBeNull();
  });
});

describe('percentToFraction', () => {
  it('reads a percent with at most one decimal, with a point or a comma', () => {
    expect(percentToFraction('60')).toBe('0.6000');
    expect(percentToFraction(' 62.5 ')).toBe('0.6250');
    expect(percentToFraction('62,5')).toBe('0.6250');
    expect(percentToFraction('1')).toBe('0.0100');
    expect(percentToFraction('100')).toBe('1.0000');
    expect(percentToFraction('33.3')).toBe('0.3330');
  });

  it('refuses anything else', () => {
    for (const raw of ['0', '0.9', '100.1', '150', '62.55', 'abc', '', '-5', '6e1', '60%', undefined, 60, ['60']]) {
      expect(percentToFraction(raw)).toBeNull();
    }
  });
});

describe('fractionToPercent', () => {
  it('shows a stored fraction as the percent typed', () => {
    expect(fractionToPercent('0.6000')).toBe('60');
    expect(fractionToPercent('0.6250')).toBe('62.5');
    expect(fractionToPercent(0.333)).toBe('33.3');
    expect(fractionToPercent('1.0000')).toBe('100');
  });
});
