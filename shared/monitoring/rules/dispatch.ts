/**
 * Rule dispatch: which rules can possibly match an event, decided from its source kind and event id
 * before any predicate runs. Most rules say `sourceKind` and `eventId` up front (a Windows rule for
 * 4625 cannot match a syslog line or a 4624), so a batch only runs the predicates of its candidates.
 *
 * The constraints come from a static reading of each condition: a leaf `sourceKind`/`eventId` equals
 * or in-list constrains; `all` intersects its children's constraints, `any` unites them (so "syslog
 * lines, or Windows event 4616" stays that precise); `not` and other leaves constrain nothing. The
 * candidates are always a superset of the rules that match: the predicates still decide.
 */
import { type MonitorEvent, SourceKind } from '../../contracts/monitoring.ts';
import type { CompiledEventRule } from './compiled.ts';
import type { ConditionInput } from './schema.ts';

/**
 * What a condition can match at most: null for anything; else the source kinds it can match, each
 * with the event ids it can match for that kind (null: any id).
 */
export type RuleConstraints = ReadonlyMap<string, ReadonlySet<number> | null> | null;

const KINDS = SourceKind.options;
const DIGITS = /^\d{1,9}$/;

function operands(c: ConditionInput): (string | number)[] | undefined {
  if (c.equals !== undefined) return [c.equals];
  return c.in;
}

function leafEventIds(c: ConditionInput): RuleConstraints {
  const values = operands(c);
  if (values === undefined) return null;
  const ids = new Set<number>();
  for (const value of values) {
    if (typeof value === 'number') ids.add(value);
    else if (DIGITS.test(value)) ids.add(Number(value));
    else return null;
  }
  return new Map(KINDS.map((kind) => [kind, ids]));
}

function leafSourceKinds(c: ConditionInput): RuleConstraints {
  const values = operands(c);
  if (values === undefined) return null;
  return new Map(values.map((v) => [c.ignoreCase === true ? String(v).toLowerCase() : String(v), null]));
}

function intersectIds(
  a: ReadonlySet<number> | null,
  b: ReadonlySet<number> | null,
): ReadonlySet<number> | null {
  if (a === null) return b;
  if (b === null) return a;
  return new Set([...a].filter((id) => b.has(id)));
}

function unionIds(a: ReadonlySet<number> | null, b: ReadonlySet<number> | null): ReadonlySet<number> | null {
  return a === null || b === null ? null : new Set([...a, ...b]);
}

function both(a: RuleConstraints, b: RuleConstraints): RuleConstraints {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Map<string, ReadonlySet<number> | null>();
  for (const [kind, ids] of a) if (b.has(kind)) out.set(kind, intersectIds(ids, b.get(kind)!));
  return out;
}

function either(a: RuleConstraints, b: RuleConstraints): RuleConstraints {
  if (a === null || b === null) return null;
  const out = new Map(a);
  for (const [kind, ids] of b) out.set(kind, out.has(kind) ? unionIds(out.get(kind)!, ids) : ids);
  return out;
}

/** The source kinds and event ids a condition can match at most. */
export function constraintsOf(c: ConditionInput): RuleConstraints {
  if (c.all !== undefined) return c.all.map(constraintsOf).reduce(both);
  if (c.any !== undefined) return c.any.map(constraintsOf).reduce(either);
  if (c.field === 'sourceKind') return leafSourceKinds(c);
  if (c.field === 'eventId') return leafEventIds(c);
  return null;
}

/** For one call: the enabled event rules that may match an event, in rule order (cached per kind and id). */
export function candidatesFor(
  rules: readonly CompiledEventRule[],
): (event: MonitorEvent) => CompiledEventRule[] {
  const cache = new Map<string, CompiledEventRule[]>();
  return (event) => {
    const key = `${event.sourceKind}|${event.eventId ?? ''}`;
    let list = cache.get(key);
    if (list === undefined) {
      list = rules.filter(({ constraints }) => {
        if (constraints === null) return true;
        if (!constraints.has(event.sourceKind)) return false;
        const ids = constraints.get(event.sourceKind)!;
        return ids === null || (event.eventId !== null && ids.has(event.eventId));
      });
      cache.set(key, list);
    }
    return list;
  };
}
