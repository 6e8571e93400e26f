/**
 * The rule language as data: the zod schema of a rule pack (a JSON file holding a list of rules).
 *
 * A condition is either a combinator (`all`, `any` — lists, `not` — one condition) or a leaf that
 * names a `field` and exactly one operator: `equals`, `in`, `contains`, `startsWith`, `endsWith`,
 * `regex`, a numeric comparison (`gt`, `gte`, `lt`, `lte`, combinable into a range), `exists`; or the
 * field-less `severityAtLeast`. `ignoreCase` applies to the string operators. Every check that can be
 * made at load is made here (field paths, regex shape and syntax, numeric operands, group-by names),
 * so a pack that parses compiles. See docs of each rule kind on `RuleDefinition`.
 */
import { z } from 'zod';
import { Severity } from '../../contracts/monitoring.ts';
import { parseFieldPath } from './fields.ts';
import { parseNumeric } from './numeric.ts';
import { compileRuleRegex } from './regex-guard.ts';

export const RULE_LIMITS = {
  /** Rules in one pack. */
  maxRules: 500,
  /** Nesting of JSON in a pack (conditions inside a rule inside the pack). */
  maxDepth: 32,
  /** Values of an `in` list. */
  maxListItems: 1000,
  /** Paths in a group-by list. */
  maxGroupBy: 8,
  /** Events a threshold must count at most. */
  maxThresholdCount: 1000,
} as const;

export const RuleId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,79}$/,
    'rule id: 1-80 chars of a-z, 0-9, ".", "_" and "-", starting with a letter or digit',
  );

const Tag = z
  .string()
  .regex(/^[a-z0-9][a-z0-9:._/-]{0,63}$/, 'tag: 1-64 chars of a-z, 0-9, ":", ".", "_", "/" and "-"');

/** The input shape of a condition node (one object type; `compileCondition` turns it into a typed tree). */
export interface ConditionInput {
  all?: ConditionInput[] | undefined;
  any?: ConditionInput[] | undefined;
  not?: ConditionInput | undefined;
  field?: string | undefined;
  equals?: string | number | undefined;
  in?: (string | number)[] | undefined;
  contains?: string | undefined;
  startsWith?: string | undefined;
  endsWith?: string | undefined;
  regex?: string | undefined;
  gt?: number | string | undefined;
  gte?: number | string | undefined;
  lt?: number | string | undefined;
  lte?: number | string | undefined;
  exists?: boolean | undefined;
  severityAtLeast?: Severity | undefined;
  ignoreCase?: boolean | undefined;
}

const COMBINATORS = ['all', 'any', 'not'] as const;
const STRING_OPERATORS = ['equals', 'in', 'contains', 'startsWith', 'endsWith', 'regex'] as const;
const COMPARISONS = ['gt', 'gte', 'lt', 'lte'] as const;
const OTHER_LEAF_OPERATORS = ['exists'] as const;

function checkCondition(c: ConditionInput, ctx: z.RefinementCtx): void {
  const present = (key: keyof ConditionInput) => c[key] !== undefined;
  const operators: string[] = [
    ...COMBINATORS.filter(present),
    ...STRING_OPERATORS.filter(present),
    ...(COMPARISONS.some(present) ? [COMPARISONS.filter(present).join('/')] : []),
    ...OTHER_LEAF_OPERATORS.filter(present),
    ...(present('severityAtLeast') ? ['severityAtLeast'] : []),
  ];
  const issue = (message: string, path: PropertyKey[] = []) =>
    ctx.addIssue({ code: 'custom', message, path });
  if (operators.length === 0) {
    issue(
      'a condition needs one operator: all, any, not, equals, in, contains, startsWith, endsWith, regex, gt/gte/lt/lte, exists or severityAtLeast',
    );
    return;
  }
  if (operators.length > 1) {
    issue(`a condition has exactly one operator, found ${operators.join(' and ')}: combine them with "all"`);
    return;
  }
  const op = operators[0]!;
  const isLeaf = !COMBINATORS.includes(op as (typeof COMBINATORS)[number]) && op !== 'severityAtLeast';
  if (!isLeaf && c.field !== undefined) issue(`"field" is not used with "${op}"`, ['field']);
  if (isLeaf) {
    if (c.field === undefined) issue(`"${op}" needs a "field"`, ['field']);
    else {
      const parsed = parseFieldPath(c.field, false);
      if (typeof parsed === 'string') issue(parsed, ['field']);
    }
  }
  if (c.ignoreCase !== undefined && !STRING_OPERATORS.includes(op as (typeof STRING_OPERATORS)[number])) {
    issue(`"ignoreCase" only applies to ${STRING_OPERATORS.join(', ')}`, ['ignoreCase']);
  }
  if (c.regex !== undefined) {
    const compiled = compileRuleRegex(c.regex, c.ignoreCase === true);
    if (typeof compiled === 'string') issue(compiled, ['regex']);
  }
  for (const key of COMPARISONS) {
    const bound = c[key];
    if (typeof bound === 'string' && parseNumeric(bound) === undefined) {
      issue(`"${bound}" is not a number (decimal, or hexadecimal with 0x)`, [key]);
    }
  }
}

const Operand = z.union([z.string().max(4096), z.number()]);
const NumberOperand = z.union([z.number(), z.string().max(40)]);

export const Condition: z.ZodType<ConditionInput> = z.lazy(() =>
  z
    .strictObject({
      all: z.array(Condition).min(1).max(100).optional(),
      any: z.array(Condition).min(1).max(100).optional(),
      not: Condition.optional(),
      field: z.string().min(1).max(300).optional(),
      equals: Operand.optional(),
      in: z.array(Operand).min(1).max(RULE_LIMITS.maxListItems).optional(),
      contains: z.string().min(1).max(4096).optional(),
      startsWith: z.string().min(1).max(4096).optional(),
      endsWith: z.string().min(1).max(4096).optional(),
      regex: z.string().min(1).max(1000).optional(),
      gt: NumberOperand.optional(),
      gte: NumberOperand.optional(),
      lt: NumberOperand.optional(),
      lte: NumberOperand.optional(),
      exists: z.boolean().optional(),
      severityAtLeast: Severity.optional(),
      ignoreCase: z.boolean().optional(),
    })
    .superRefine(checkCondition),
);

const ExtractName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'extract name: a letter, then up to 39 letters, digits or "_"');

/** A value pulled out of a matching event for grouping: the named group `<name>`, else the first capture. */
const Extraction = z
  .strictObject({ field: z.string().min(1).max(300), regex: z.string().min(1).max(1000) })
  .superRefine((x, ctx) => {
    const parsed = parseFieldPath(x.field, false);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, path: ['field'] });
    const compiled = compileRuleRegex(x.regex, false);
    if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: compiled, path: ['regex'] });
  });

const GroupBy = z.array(z.string().min(1).max(300)).max(RULE_LIMITS.maxGroupBy);

const Suppress = z.strictObject({
  /** How long after an alert further matches of the same group only count as suppressed. Default 900. */
  seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(900),
  /** Paths whose values make a separate suppression group. Default: the threshold's groupBy, or none. */
  groupBy: GroupBy.optional(),
});

const common = {
  id: RuleId,
  title: z.string().min(1).max(200),
  description: z.string().max(4000).default(''),
  /** The severity of the alert the rule raises (syslog names, as events use). */
  severity: Severity,
  enabled: z.boolean().default(true),
  tags: z.array(Tag).max(20).default([]),
  suppress: Suppress.default({ seconds: 900 }),
};

const eventRule = {
  match: Condition,
  extract: z.record(ExtractName, Extraction).optional(),
  /**
   * Ignore events whose own time is more than this many seconds before their receipt: history that a
   * Windows Event Forwarding subscription replays when a channel is added, or a long-queued backlog.
   */
  maxLagSeconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 86_400)
    .optional(),
};

const MatchRule = z.strictObject({ ...common, kind: z.literal('match'), ...eventRule });

const ThresholdRule = z.strictObject({
  ...common,
  kind: z.literal('threshold'),
  ...eventRule,
  threshold: z.strictObject({
    /** Matching events of one group within the window that raise the alert. */
    count: z.number().int().min(1).max(RULE_LIMITS.maxThresholdCount),
    /** The sliding window, over the events' receipt time. */
    windowSeconds: z.number().int().min(1).max(86_400),
    groupBy: GroupBy.default([]),
  }),
});

const AbsenceRule = z.strictObject({
  ...common,
  kind: z.literal('absence'),
  absence: z.strictObject({
    /** Minutes without any event from a monitored guest before the alert is raised. */
    silentMinutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 1440),
  }),
});

function checkGroupPaths(
  paths: readonly string[] | undefined,
  extract: Record<string, unknown> | undefined,
  at: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  for (const [index, path] of (paths ?? []).entries()) {
    const parsed = parseFieldPath(path, true);
    const message =
      typeof parsed === 'string'
        ? parsed
        : parsed.kind === 'extract' && (extract === undefined || !Object.hasOwn(extract, parsed.name))
          ? `"${path}" names no extraction of this rule (declare it under "extract")`
          : undefined;
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, path: [...at, index] });
  }
}

/**
 * One rule. `match`: every matching event is a finding. `threshold`: `count` matching events of one
 * group (the values of `groupBy`) within `windowSeconds` of receipt. `absence`: a monitored guest sent
 * nothing for `silentMinutes`. Each raises at most one alert per suppression group and period.
 */
export const RuleDefinition = z
  .discriminatedUnion('kind', [MatchRule, ThresholdRule, AbsenceRule])
  .superRefine((rule, ctx) => {
    if (rule.kind === 'absence') {
      if (rule.suppress.groupBy !== undefined && rule.suppress.groupBy.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'absence rules have no events to group by',
          path: ['suppress', 'groupBy'],
        });
      }
      return;
    }
    checkGroupPaths(rule.suppress.groupBy, rule.extract, ['suppress', 'groupBy'], ctx);
    if (rule.kind === 'threshold')
      checkGroupPaths(rule.threshold.groupBy, rule.extract, ['threshold', 'groupBy'], ctx);
  });
export type RuleDefinition = z.output<typeof RuleDefinition>;
export type RuleDefinitionInput = z.input<typeof RuleDefinition>;

/** A rule file: a format version, the rules, and ids of rules of earlier packs to switch off. */
export const RulePack = z
  .strictObject({
    formatVersion: z.literal(1),
    description: z.string().max(4000).optional(),
    rules: z.array(RuleDefinition).max(RULE_LIMITS.maxRules),
    /** Rule ids, from packs combined before this one (the built-in pack), that this pack turns off. */
    disable: z.array(RuleId).max(RULE_LIMITS.maxRules).default([]),
  })
  .superRefine((pack, ctx) => {
    const seen = new Map<string, number>();
    for (const [index, rule] of pack.rules.entries()) {
      const first = seen.get(rule.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate rule id "${rule.id}" (first at rules[${first}])`,
          path: ['rules', index, 'id'],
        });
      } else seen.set(rule.id, index);
    }
  });
export type RulePack = z.output<typeof RulePack>;
export type RulePackInput = z.input<typeof RulePack>;
