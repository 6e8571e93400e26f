/**
 * Detection rules: the rule language (schema.ts), loading and layering packs (load.ts), the built-in
 * pack (builtin/), the event evaluator (evaluate.ts), the absence evaluator (absence.ts), the alert
 * they raise (alert.ts) and the per-key state they keep (state.ts).
 */
export { absenceStateKeysFor, evaluateAbsence, type MonitoredGuest } from './absence.ts';
export { ALERT_MESSAGE_LIMIT, AlertDraft, AlertEvent, MAX_ALERT_EVENTS } from './alert.ts';
export { BUILTIN_RULE_PACKS, loadBuiltinRulePacks } from './builtin.ts';
export type {
  CompiledAbsenceRule,
  CompiledEventRule,
  CompiledRule,
  Extracted,
  GroupSpec,
  RuleOrigin,
} from './compiled.ts';
export { RulePackError, type RulePackIssue } from './errors.ts';
export {
  evaluateHits,
  evaluateRules,
  findHits,
  type RuleEvaluation,
  type RuleHit,
  receiptTime,
  stateKeysFor,
  stateKeysOfHits,
} from './evaluate.ts';
export { type CompiledRulePack, combineRulePacks, loadRulePack } from './load.ts';
export { REGEX_INPUT_LIMIT } from './regex-guard.ts';
export { Condition, type ConditionInput, RULE_LIMITS, RuleDefinition, RulePack } from './schema.ts';
export {
  AbsenceEntry,
  absenceKey,
  expiredKeys,
  type RuleState,
  RuleStateEntry,
  SuppressEntry,
  suppressKey,
  WindowEntry,
  windowKey,
} from './state.ts';
