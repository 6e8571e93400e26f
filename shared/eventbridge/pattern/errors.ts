/** A location inside an event pattern: object keys and array indexes from the root. */
export type PatternPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a pattern location as a JSONPath, e.g. `$.detail["c-count"][0].numeric`. */
export function formatPatternPath(path: PatternPath): string {
  let out = '$';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (IDENTIFIER.test(step)) out += `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/**
 * Thrown by `compilePattern` for a pattern EventBridge would refuse (`InvalidEventPatternException`).
 * `reason` says what is wrong and `path` where, as a JSONPath into the pattern.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  /** The error code the EventBridge API returns for the same pattern. */
  readonly code = 'InvalidEventPatternException';
  readonly path: string;
  readonly reason: string;

  constructor(reason: string, path: PatternPath = []) {
    const where = formatPatternPath(path);
    super(`Event pattern is not valid. Reason: ${reason} at ${where}`);
    this.path = where;
    this.reason = reason;
  }
}
