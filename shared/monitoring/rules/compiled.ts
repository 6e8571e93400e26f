/**
 * Compiled rules: what `loadRulePack` hands the evaluators. Each keeps its validated definition (for
 * listing and export) next to the functions made from it, and the pack it came from.
 */
import type { MonitorEvent, Severity } from '../../contracts/monitoring.ts';
import { compileCondition, type EventPredicate } from './condition.ts';
import { constraintsOf, type RuleConstraints } from './dispatch.ts';
import { accessorFor, type FieldAccessor, parseFieldPath, valueText } from './fields.ts';
import { compileRuleRegex, execLimited } from './regex-guard.ts';
import type { RuleDefinition } from './schema.ts';

/** Values pulled out of one event by a rule's `extract` section, by name. */
export type Extracted = Readonly<Record<string, string | null>>;

/** A compiled group-by list: the paths, and how to read their values from an event. */
export interface GroupSpec {
  readonly paths: readonly string[];
  values(event: MonitorEvent, extracted: Extracted): (string | null)[];
}

interface CompiledRuleCommon {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly enabled: boolean;
  readonly tags: readonly string[];
  /** The pack the rule came from (the `source` given to `loadRulePack`). */
  readonly source: string;
  /** Whether the pack is built in or a tenant's. */
  readonly origin: RuleOrigin;
  readonly suppressSeconds: number;
  readonly definition: RuleDefinition;
}

export interface CompiledEventRule extends CompiledRuleCommon {
  readonly kind: 'match' | 'threshold';
  readonly matches: EventPredicate;
  /** The source kinds and event ids the rule can match at most (for dispatch). */
  readonly constraints: RuleConstraints;
  /** Runs the rule's extractions (only for events that matched). */
  readonly extract: (event: MonitorEvent) => Extracted;
  readonly hasExtractions: boolean;
  /** Events whose own time lags their receipt by more than this are ignored; null: no limit. */
  readonly maxLagMs: number | null;
  readonly threshold: {
    readonly count: number;
    readonly windowMs: number;
    readonly groupBy: GroupSpec;
  } | null;
  readonly suppressGroupBy: GroupSpec;
}

export interface CompiledAbsenceRule extends CompiledRuleCommon {
  readonly kind: 'absence';
  readonly silentMinutes: number;
}

export type CompiledRule = CompiledEventRule | CompiledAbsenceRule;

export type RuleOrigin = 'builtin' | 'tenant';

const NO_EXTRACTIONS: Extracted = Object.freeze({});

function eventAccessor(path: string): FieldAccessor {
  const parsed = parseFieldPath(path, false);
  if (typeof parsed === 'string' || parsed.kind === 'extract')
    throw new Error(`path "${path}" was not validated`);
  return accessorFor(parsed);
}

function compileGroup(paths: readonly string[]): GroupSpec {
  const readers = paths.map((path): ((event: MonitorEvent, extracted: Extracted) => string | null) => {
    const parsed = parseFieldPath(path, true);
    if (typeof parsed === 'string') throw new Error(`group path "${path}" was not validated: ${parsed}`);
    if (parsed.kind === 'extract') {
      const name = parsed.name;
      return (_event, extracted) => extracted[name] ?? null;
    }
    const read = accessorFor(parsed);
    return (event) => valueText(read(event));
  });
  return { paths, values: (event, extracted) => readers.map((read) => read(event, extracted)) };
}

function compileExtract(definition: Extract<RuleDefinition, { kind: 'match' | 'threshold' }>) {
  const entries = Object.entries(definition.extract ?? {}).map(([name, x]) => {
    const re = compileRuleRegex(x.regex, false);
    if (typeof re === 'string') throw new Error(`extraction "${name}" was not validated: ${re}`);
    return { name, read: eventAccessor(x.field), re };
  });
  if (entries.length === 0) return { extract: () => NO_EXTRACTIONS, hasExtractions: false };
  const extract = (event: MonitorEvent): Extracted => {
    const out: Record<string, string | null> = {};
    for (const { name, read, re } of entries) {
      const value = valueText(read(event));
      out[name] = value === null ? null : execLimited(re, value, name);
    }
    return out;
  };
  return { extract, hasExtractions: true };
}

/** Compiles one rule that `RuleDefinition` accepted. */
export function compileRule(definition: RuleDefinition, source: string, origin: RuleOrigin): CompiledRule {
  const common = {
    id: definition.id,
    title: definition.title,
    description: definition.description,
    severity: definition.severity,
    enabled: definition.enabled,
    tags: definition.tags,
    source,
    origin,
    suppressSeconds: definition.suppress.seconds,
    definition,
  };
  if (definition.kind === 'absence') {
    return { ...common, kind: 'absence', silentMinutes: definition.absence.silentMinutes };
  }
  const threshold =
    definition.kind === 'threshold'
      ? {
          count: definition.threshold.count,
          windowMs: definition.threshold.windowSeconds * 1000,
          groupBy: compileGroup(definition.threshold.groupBy),
        }
      : null;
  return {
    ...common,
    kind: definition.kind,
    matches: compileCondition(definition.match),
    constraints: constraintsOf(definition.match),
    ...compileExtract(definition),
    maxLagMs: definition.maxLagSeconds === undefined ? null : definition.maxLagSeconds * 1000,
    threshold,
    suppressGroupBy: compileGroup(definition.suppress.groupBy ?? threshold?.groupBy.paths ?? []),
  };
}
