/**
 * Loading rule packs: validate a pack (parsed JSON or its text) with zod, report every problem with
 * its path, compile what passed; and combine packs (built-in first, then a tenant's) into the rule
 * list the evaluators take.
 */
import type { z } from 'zod';
import { type CompiledRule, compileRule, type RuleOrigin } from './compiled.ts';
import { RulePackError, type RulePackIssue } from './errors.ts';
import { RULE_LIMITS, RulePack } from './schema.ts';

export interface CompiledRulePack {
  readonly source: string;
  readonly origin: RuleOrigin;
  readonly description: string | undefined;
  readonly rules: readonly CompiledRule[];
  /** Ids of rules of earlier packs this pack switches off (see `combineRulePacks`). */
  readonly disable: readonly string[];
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function toIssue(issue: z.core.$ZodIssue): RulePackIssue {
  const path = formatPath(issue.path);
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'kind') {
    return { path, message: '"kind" must be one of "match", "threshold", "absence"' };
  }
  return { path, message: issue.message };
}

/** True when the value nests deeper than `limit` (checked without recursion, before zod walks it). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Rules of a (possibly invalid) pack that repeat an earlier rule's id, worded as the schema words them. */
function duplicateIdIssues(value: unknown): RulePackIssue[] {
  if (value === null || typeof value !== 'object' || !Array.isArray((value as { rules?: unknown }).rules))
    return [];
  const issues: RulePackIssue[] = [];
  const seen = new Map<string, number>();
  for (const [index, rule] of (value as { rules: unknown[] }).rules.entries()) {
    const id = rule !== null && typeof rule === 'object' ? (rule as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') continue;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else
      issues.push({
        path: `rules[${index}].id`,
        message: `duplicate rule id "${id}" (first at rules[${first}])`,
      });
  }
  return issues;
}

/**
 * Validates and compiles a rule pack. `json` is the parsed JSON value or its text; `source` names the
 * pack in errors and on each compiled rule (for example `builtin/windows.json` or `tenant:acme`);
 * `origin` says whose it is (alerts carry it as `rule.source`).
 * Throws `RulePackError` listing every problem; nothing is loaded from an invalid pack.
 */
export function loadRulePack(json: unknown, source: string, origin: RuleOrigin = 'tenant'): CompiledRulePack {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new RulePackError(source, [{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  if (nestsDeeperThan(value, RULE_LIMITS.maxDepth)) {
    throw new RulePackError(source, [
      { path: '', message: `nested more than ${RULE_LIMITS.maxDepth} levels deep; flatten the conditions` },
    ]);
  }
  const parsed = RulePack.safeParse(value);
  if (!parsed.success) {
    // The pack-level duplicate check only runs on an otherwise valid pack: add it here so one round lists all.
    const issues = parsed.error.issues.map(toIssue);
    const known = new Set(issues.map((i) => `${i.path}\n${i.message}`));
    for (const issue of duplicateIdIssues(value))
      if (!known.has(`${issue.path}\n${issue.message}`)) issues.push(issue);
    throw new RulePackError(source, issues);
  }
  return {
    source,
    origin,
    description: parsed.data.description,
    rules: parsed.data.rules.map((rule) => compileRule(rule, source, origin)),
    disable: parsed.data.disable,
  };
}

/**
 * The rules in effect when packs are layered, earliest first (the built-in pack, then a tenant's): a
 * rule replaces an earlier one with the same id in place; a pack's `disable` list marks earlier rules
 * `enabled: false` (kept, so a listing can show them). Disabling an id no earlier pack has is ignored.
 */
export function combineRulePacks(...packs: readonly CompiledRulePack[]): CompiledRule[] {
  const byId = new Map<string, CompiledRule>();
  for (const pack of packs) {
    for (const id of pack.disable) {
      const rule = byId.get(id);
      if (rule?.enabled) {
        byId.set(id, { ...rule, enabled: false, definition: { ...rule.definition, enabled: false } });
      }
    }
    for (const rule of pack.rules) byId.set(rule.id, rule);
  }
  return [...byId.values()];
}
