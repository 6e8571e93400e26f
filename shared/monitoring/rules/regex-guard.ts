/**
 * Compiles the regular expressions of rule conditions once, at load, and refuses the shapes that make
 * a backtracking engine take exponential time on a hostile log line.
 *
 * Refused: a group repeated more than once (`*`, `+`, `{n,}`, `{n,m}` with m > 1) that itself contains a
 * quantifier (`(a+)+`, `(\w*\s?)*`, `(a?){20}`) or an alternation (`(a|ab)*`), at any depth; and
 * backreferences (`\1`, `\k<name>`), which no linear-time engine supports. What remains can still be
 * polynomial (`.*a.*b`), so the evaluator also only looks at the first `REGEX_INPUT_LIMIT` characters
 * of a value. Patterns are compiled without the `g` and `y` flags, so `test` keeps no state.
 */

/** Characters of a value a regex condition looks at; longer values are cut before matching. */
export const REGEX_INPUT_LIMIT = 4096;

interface Frame {
  quantified: boolean;
  alternation: boolean;
}

interface Quantifier {
  /** Index just past the quantifier (and a lazy `?`). */
  end: number;
  /** True when the quantifier can repeat its atom more than once. */
  repeats: boolean;
}

/** Reads a quantifier at `i`, if there is one. A `{` that does not form `{n}`, `{n,}` or `{n,m}` is a literal. */
function quantifierAt(pattern: string, i: number): Quantifier | undefined {
  const c = pattern[i];
  let end: number;
  let repeats: boolean;
  if (c === '*' || c === '+') {
    end = i + 1;
    repeats = true;
  } else if (c === '?') {
    end = i + 1;
    repeats = false;
  } else if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (match === null) return undefined;
    end = i + match[0].length;
    const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
    repeats = max > 1;
  } else {
    return undefined;
  }
  if (pattern[end] === '?') end += 1;
  return { end, repeats };
}

/** Index just past a group's opening: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`. */
function groupBodyStart(pattern: string, open: number): number {
  if (pattern[open + 1] !== '?') return open + 1;
  const kind = pattern[open + 2];
  if (kind === ':' || kind === '=' || kind === '!') return open + 3;
  if (kind === '<') {
    const next = pattern[open + 3];
    if (next === '=' || next === '!') return open + 4;
    const close = pattern.indexOf('>', open + 3);
    return close === -1 ? open + 3 : close + 1;
  }
  return open + 2;
}

/** Returns why the pattern is refused, or undefined when its shape is acceptable. Syntax is checked by compiling. */
export function checkRegexShape(pattern: string): string | undefined {
  const stack: Frame[] = [{ quantified: false, alternation: false }];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    let atomEnd: number;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== undefined && next >= '1' && next <= '9') {
        return `backreference \\${next} at offset ${i} is not supported`;
      }
      if (next === 'k' && pattern[i + 2] === '<')
        return `named backreference at offset ${i} is not supported`;
      atomEnd = i + 2;
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j += 1;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      i = groupBodyStart(pattern, i);
      continue;
    } else if (c === ')') {
      if (stack.length === 1) return undefined; // unbalanced: the compiler reports it
      const group = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      const q = quantifierAt(pattern, i + 1);
      if (q?.repeats && (group.quantified || group.alternation)) {
        return group.quantified
          ? `nested quantifier: the group closed at offset ${i} is repeated and contains a quantifier (catastrophic backtracking)`
          : `repeated alternation: the group closed at offset ${i} is repeated and contains "|" (catastrophic backtracking); use a character class or the "in" operator`;
      }
      parent.quantified ||= group.quantified || q !== undefined;
      parent.alternation ||= group.alternation;
      i = q?.end ?? i + 1;
      continue;
    } else if (c === '|') {
      top.alternation = true;
      i += 1;
      continue;
    } else {
      atomEnd = i + 1;
    }
    const q = quantifierAt(pattern, atomEnd);
    if (q !== undefined) {
      top.quantified = true;
      i = q.end;
    } else {
      i = atomEnd;
    }
  }
  return undefined;
}

/** Compiles a condition's pattern, or returns why it cannot be used. */
export function compileRuleRegex(pattern: string, ignoreCase: boolean): RegExp | string {
  const refused = checkRegexShape(pattern);
  if (refused !== undefined) return refused;
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
}

/** Tests a value against a compiled pattern, looking at no more than `REGEX_INPUT_LIMIT` characters. */
export function testLimited(re: RegExp, value: string): boolean {
  return re.test(value.length > REGEX_INPUT_LIMIT ? value.slice(0, REGEX_INPUT_LIMIT) : value);
}

/** Runs a pattern for extraction: the named group `name` if it has one, else the first capture, else the match. */
export function execLimited(re: RegExp, value: string, name: string): string | null {
  const match = re.exec(value.length > REGEX_INPUT_LIMIT ? value.slice(0, REGEX_INPUT_LIMIT) : value);
  if (match === null) return null;
  const named = match.groups?.[name];
  if (named !== undefined) return named;
  return match[1] ?? match[0];
}
