import { InvalidEventPatternError, type PatternPath } from './errors.ts';
import { compileLeaf } from './leaf.ts';
import { type FieldMatcher, MATCH_OPERATORS, OR_KEY } from './types.ts';

/** A compiled pattern object: every field must match, and one branch of every `$or` in it. */
export interface ObjectNode {
  /** Tests an event object (never an array). */
  readonly matchObject: (event: object) => boolean;
  /** Tests whatever the event holds where this pattern object sits (absent, leaf, object or array). */
  readonly matchValue: FieldMatcher;
  /** The result for an event with no fields here; fixed once compiled. */
  readonly matchesEmpty: boolean;
  /** Only `exists: false` constraints (no `$or`); such a node must hold for every element of an array. */
  readonly absenceOnly: boolean;
  readonly cost: number;
}

interface Field {
  readonly key: string;
  readonly match: FieldMatcher;
  readonly cost: number;
  /** The key names something on Object.prototype, so only own properties count. */
  readonly guarded: boolean;
}

const EMPTY: object = Object.freeze(Object.create(null));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Walks an event array for objects (descending into nested arrays). For an ordinary node it answers
 * whether any object matches; for an absence-only node, whether all do. Returns undefined when the array
 * holds no object at all.
 */
function scanObjects(
  values: readonly unknown[],
  matchObject: (event: object) => boolean,
  all: boolean,
): boolean | undefined {
  let result: boolean | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || typeof v !== 'object') continue;
    const r = Array.isArray(v) ? scanObjects(v, matchObject, all) : matchObject(v);
    if (r === undefined) continue;
    if (r !== all) return r;
    result = r;
  }
  return result;
}

function compileOr(value: unknown, path: PatternPath): ObjectNode[] {
  if (!Array.isArray(value)) {
    throw new InvalidEventPatternError(`It must be an array followed with ${OR_KEY}.`, path);
  }
  if (value.length < 2) {
    throw new InvalidEventPatternError(`There must have at least 2 objects in ${OR_KEY} relationship.`, path);
  }
  return value.map((branch, i) => {
    if (!isPlainObject(branch)) {
      throw new InvalidEventPatternError(`Only JSON object is allowed in array of ${OR_KEY} relationship.`, [
        ...path,
        i,
      ]);
    }
    return compileObject(branch, [...path, i], true);
  });
}

type ObjectTest = (event: object) => boolean;

function anyBranch(group: readonly ObjectTest[], event: object): boolean {
  for (let b = 0; b < group.length; b++) if ((group[b] as ObjectTest)(event)) return true;
  return false;
}

/**
 * Builds the object test. Patterns with one to three plain fields and no `$or` (most rules) get a closure
 * with the keys bound directly, which avoids the loop and its bookkeeping on the hot path.
 */
function specialize(
  keys: readonly string[],
  matchers: readonly FieldMatcher[],
  guards: readonly boolean[],
  orGroups: readonly (readonly ObjectTest[])[],
): ObjectTest {
  const n = keys.length;
  if (orGroups.length === 0 && !guards.includes(true)) {
    if (n === 1) {
      const [k0] = keys as [string];
      const [m0] = matchers as [FieldMatcher];
      return (event) => m0((event as Record<string, unknown>)[k0]);
    }
    if (n === 2) {
      const [k0, k1] = keys as [string, string];
      const [m0, m1] = matchers as [FieldMatcher, FieldMatcher];
      return (event) =>
        m0((event as Record<string, unknown>)[k0]) && m1((event as Record<string, unknown>)[k1]);
    }
    if (n === 3) {
      const [k0, k1, k2] = keys as [string, string, string];
      const [m0, m1, m2] = matchers as [FieldMatcher, FieldMatcher, FieldMatcher];
      return (event) => {
        const record = event as Record<string, unknown>;
        return m0(record[k0]) && m1(record[k1]) && m2(record[k2]);
      };
    }
  }
  return (event) => {
    const record = event as Record<string, unknown>;
    for (let i = 0; i < n; i++) {
      const key = keys[i] as string;
      let value = record[key];
      if (guards[i] && value !== undefined && !Object.hasOwn(record, key)) value = undefined;
      if (!(matchers[i] as FieldMatcher)(value)) return false;
    }
    for (let g = 0; g < orGroups.length; g++) {
      if (!anyBranch(orGroups[g] as ObjectTest[], event)) return false;
    }
    return true;
  };
}

/**
 * Compiles a pattern object found at `path`. `insideOr` is true within a `$or` branch, where operator names
 * cannot be used as field names.
 */
export function compileObject(
  pattern: Record<string, unknown>,
  path: PatternPath,
  insideOr: boolean,
): ObjectNode {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed', path);
  const fields: Field[] = [];
  const ors: ObjectNode[][] = [];
  let absenceOnly = true;
  for (const key of keys) {
    const value = pattern[key];
    const at = [...path, key];
    if (key === OR_KEY) {
      ors.push(compileOr(value, at));
      absenceOnly = false;
      continue;
    }
    if (insideOr && (MATCH_OPERATORS as readonly string[]).includes(key)) {
      throw new InvalidEventPatternError(
        `${key} is a reserved field name which cannot be used inside ${OR_KEY}.`,
        at,
      );
    }
    const guarded = key in Object.prototype;
    if (Array.isArray(value)) {
      const leaf = compileLeaf(value, at);
      fields.push({ key, match: leaf.match, cost: leaf.cost, guarded });
      absenceOnly &&= leaf.absenceOnly;
    } else if (isPlainObject(value)) {
      const child = compileObject(value, at, insideOr);
      fields.push({ key, match: child.matchValue, cost: child.cost + 1, guarded });
      absenceOnly &&= child.absenceOnly;
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`, at);
    }
  }
  // Cheap, selective tests first: AND short-circuits, and the order does not change the result.
  fields.sort((a, b) => a.cost - b.cost);
  const fieldKeys = fields.map((f) => f.key);
  const fieldMatchers = fields.map((f) => f.match);
  const guards = fields.map((f) => f.guarded);
  const orGroups = ors.map((group) => group.map((branch) => branch.matchObject));

  const matchObject = specialize(fieldKeys, fieldMatchers, guards, orGroups);
  const matchesEmpty = matchObject(EMPTY);
  const matchValue: FieldMatcher = (value) => {
    if (value === null || typeof value !== 'object') return matchesEmpty;
    if (!Array.isArray(value)) return matchObject(value);
    const found = scanObjects(value, matchObject, absenceOnly);
    return found === undefined ? matchesEmpty : found;
  };

  const cost = fields.reduce((sum, f) => sum + f.cost, 0) + ors.reduce((sum, g) => sum + g.length * 2, 0);
  return { matchObject, matchValue, matchesEmpty, absenceOnly, cost };
}
