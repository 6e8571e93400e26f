import { describe, expect, it } from 'vitest';
import {
  combineRulePacks,
  loadRulePack,
  RulePackError,
  type RulePackIssue,
} from '../../../../shared/monitoring/rules/index.ts';

const rule = (overrides: Record<string, unknown> = {}) => ({
  id: 'tenant.sudo-failure',
  title: 'sudo failure',
  severity: 'warning',
  kind: 'match',
  match: { field: 'app', equals: 'sudo' },
  ...overrides,
});

function issuesOf(json: unknown): RulePackIssue[] {
  try {
    loadRulePack(json, 'tenant:acme');
  } catch (error) {
    expect(error).toBeInstanceOf(RulePackError);
    expect((error as RulePackError).source).toBe('tenant:acme');
    return [...(error as RulePackError).issues];
  }
  throw new Error('the pack loaded');
}

describe('loadRulePack', () => {
  it('applies defaults and compiles', () => {
    const pack = loadRulePack({ formatVersion: 1, rules: [rule()] }, 'tenant:acme');
    expect(pack.source).toBe('tenant:acme');
    expect(pack.origin).toBe('tenant');
    expect(pack.disable).toEqual([]);
    const [compiled] = pack.rules;
    expect(compiled).toMatchObject({
      id: 'tenant.sudo-failure',
      enabled: true,
      tags: [],
      description: '',
      suppressSeconds: 900,
      source: 'tenant:acme',
      origin: 'tenant',
      kind: 'match',
    });
    expect(compiled?.definition.suppress).toEqual({ seconds: 900 });
  });

  it('accepts the JSON text of a pack', () => {
    const pack = loadRulePack(
      JSON.stringify({ formatVersion: 1, rules: [rule()] }),
      'tenant:acme',
      'builtin',
    );
    expect(pack.rules.map((r) => r.id)).toEqual(['tenant.sudo-failure']);
    expect(pack.origin).toBe('builtin');
  });

  it('reports text that is not JSON', () => {
    expect(issuesOf('{"formatVersion": 1, "rules": [')).toEqual([
      { path: '', message: expect.stringMatching(/^not valid JSON/) },
    ]);
  });

  it('lists every problem with its path in one error', () => {
    const issues = issuesOf({
      formatVersion: 1,
      rules: [
        rule({ match: { field: 'message', regex: '(a+)+b' } }),
        rule({ id: 'tenant.b', kind: 'sometimes' }),
        rule({
          id: 'tenant.c',
          kind: 'threshold',
          match: {
            all: [
              { field: 'bogus', equals: 1 },
              { field: 'message', contains: 'x', equals: 'y' },
              { field: 'eventId', gt: 'many' },
              { field: 'app', exists: true, ignoreCase: true },
              {},
            ],
          },
          threshold: { count: 5, windowSeconds: 60, groupBy: ['extract.user', 'fields.'] },
          colour: 'red',
        }),
        rule({ id: 'tenant.d', match: { not: { field: 'message', regex: '[' } } }),
        rule({ id: 'Bad Id', severity: 'high', suppress: { seconds: -1 } }),
        rule({ id: 'tenant.d' }),
      ],
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['rules[0].match.regex']).toMatch(/nested quantifier/);
    expect(byPath['rules[1].kind']).toBe('"kind" must be one of "match", "threshold", "absence"');
    expect(byPath['rules[2].match.all[0].field']).toMatch(/unknown field path "bogus"/);
    expect(byPath['rules[2].match.all[1]']).toMatch(/exactly one operator, found equals and contains/);
    expect(byPath['rules[2].match.all[2].gt']).toMatch(/"many" is not a number/);
    expect(byPath['rules[2].match.all[3].ignoreCase']).toMatch(/only applies to/);
    expect(byPath['rules[2].match.all[4]']).toMatch(/needs one operator/);
    expect(byPath['rules[2].threshold.groupBy[0]']).toMatch(/names no extraction/);
    expect(byPath['rules[2].threshold.groupBy[1]']).toMatch(/needs a name/);
    expect(byPath['rules[2]']).toMatch(/colour/);
    expect(byPath['rules[3].match.not.regex']).toMatch(/^invalid regular expression/);
    expect(byPath['rules[4].id']).toMatch(/rule id/);
    expect(byPath['rules[4].severity']).toBeDefined();
    expect(byPath['rules[4].suppress.seconds']).toBeDefined();
    expect(byPath['rules[5].id']).toBe('duplicate rule id "tenant.d" (first at rules[3])');
  });

  it('names the pack and every problem in the error message', () => {
    const pack = { formatVersion: 1, rules: [rule({ match: { field: 'nope', equals: 'x' } })] };
    expect(() => loadRulePack(pack, 'tenant:acme')).toThrow(
      /rule pack tenant:acme is invalid; none of its rules were loaded \(1 problem\):\n {2}- rules\[0\]\.match\.field: unknown field path "nope"/,
    );
  });

  it('checks the pack itself', () => {
    expect(issuesOf({ formatVersion: 2, rules: [] }).map((i) => i.path)).toEqual(['formatVersion']);
    expect(
      issuesOf({ rules: {} })
        .map((i) => i.path)
        .sort(),
    ).toEqual(['formatVersion', 'rules']);
    expect(issuesOf([rule()])[0]?.path).toBe('');
  });

  it('refuses rules by kind-specific shape', () => {
    const { match: _match, ...noMatch } = rule();
    const absenceWithGroup = {
      ...noMatch,
      kind: 'absence',
      absence: { silentMinutes: 30 },
      suppress: { seconds: 60, groupBy: ['host'] },
    };
    expect(issuesOf({ formatVersion: 1, rules: [absenceWithGroup] })).toEqual([
      { path: 'rules[0].suppress.groupBy', message: 'absence rules have no events to group by' },
    ]);
    const thresholdWithoutWindow = rule({ kind: 'threshold' });
    expect(issuesOf({ formatVersion: 1, rules: [thresholdWithoutWindow] }).map((i) => i.path)).toEqual([
      'rules[0].threshold',
    ]);
    const extractInCondition = rule({ match: { field: 'extract.user', equals: 'x' } });
    expect(issuesOf({ formatVersion: 1, rules: [extractInCondition] })[0]?.message).toMatch(
      /only be used in groupBy/,
    );
  });

  it('refuses nesting deeper than the limit before validating', () => {
    let condition: unknown = { field: 'app', equals: 'x' };
    for (let i = 0; i < 40; i += 1) condition = { not: condition };
    expect(issuesOf({ formatVersion: 1, rules: [rule({ match: condition })] })).toEqual([
      { path: '', message: expect.stringMatching(/nested more than 32 levels/) },
    ]);
  });
});

describe('combineRulePacks', () => {
  const builtin = loadRulePack(
    {
      formatVersion: 1,
      rules: [
        rule({ id: 'builtin.a', title: 'A' }),
        rule({ id: 'builtin.b', title: 'B' }),
        rule({ id: 'builtin.c', title: 'C' }),
      ],
    },
    'builtin/test.json',
    'builtin',
  );

  it('lets a later pack replace rules by id, disable others, and add its own', () => {
    const tenant = loadRulePack(
      {
        formatVersion: 1,
        disable: ['builtin.b', 'builtin.unknown'],
        rules: [rule({ id: 'builtin.c', title: 'C, tuned' }), rule({ id: 'tenant.d', title: 'D' })],
      },
      'tenant:acme',
    );
    const combined = combineRulePacks(builtin, tenant);
    expect(combined.map((r) => [r.id, r.title, r.enabled, r.origin])).toEqual([
      ['builtin.a', 'A', true, 'builtin'],
      ['builtin.b', 'B', false, 'builtin'],
      ['builtin.c', 'C, tuned', true, 'tenant'],
      ['tenant.d', 'D', true, 'tenant'],
    ]);
    expect(combined[1]?.definition.enabled).toBe(false);
    expect(builtin.rules[1]?.enabled).toBe(true);
  });
});
