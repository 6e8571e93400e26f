export { checkPattern, compilePattern } from './compile.ts';
export { formatPatternPath, InvalidEventPatternError, type PatternPath } from './errors.ts';
export {
  type CompilePatternOptions,
  type EventMatcher,
  MATCH_OPERATORS,
  type MatchOperator,
  OR_KEY,
  PATTERN_LIMITS,
} from './types.ts';
