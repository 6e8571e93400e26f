import { InvalidEventPatternError } from './errors.ts';
import { compileObject } from './object-node.ts';
import { type CompilePatternOptions, type EventMatcher, PATTERN_LIMITS } from './types.ts';

function patternText(pattern: unknown): string {
  try {
    return typeof pattern === 'string' ? pattern : (JSON.stringify(pattern) ?? '');
  } catch {
    throw new InvalidEventPatternError('Filter is not valid JSON');
  }
}

function parsePattern(pattern: unknown): unknown {
  if (typeof pattern !== 'string') return pattern;
  try {
    return JSON.parse(pattern);
  } catch (error) {
    throw new InvalidEventPatternError(`Filter is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Compiles an EventBridge event pattern (a parsed JSON object, or its JSON text) into a matcher.
 * Throws `InvalidEventPatternError` for any pattern EventBridge would reject.
 */
export function compilePattern(pattern: unknown, options: CompilePatternOptions = {}): EventMatcher {
  const maxLength = options.maxPatternLength ?? PATTERN_LIMITS.defaultMaxPatternLength;
  const parsed = parsePattern(pattern);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidEventPatternError('Filter is not an object');
  }
  const length = patternText(pattern).length;
  if (length > maxLength) {
    throw new InvalidEventPatternError(
      `Event pattern is ${length} characters long; the limit is ${maxLength} characters`,
    );
  }
  const root = compileObject(parsed as Record<string, unknown>, [], false);
  const { matchObject, matchesEmpty } = root;
  return {
    matches: (event) =>
      event !== null && typeof event === 'object' && !Array.isArray(event)
        ? matchObject(event)
        : matchesEmpty,
  };
}

/** Validates a pattern the way PutRule does; returns the error message, or undefined when it is valid. */
export function checkPattern(pattern: unknown, options: CompilePatternOptions = {}): string | undefined {
  try {
    compilePattern(pattern, options);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error.message;
    throw error;
  }
}
