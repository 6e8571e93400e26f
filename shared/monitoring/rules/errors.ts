/** Errors of the rule engine: a rule pack that cannot be loaded says every problem and where it is. */

export interface RulePackIssue {
  /** Where in the pack, as `rules[3].match.all[1].regex` (empty for the pack as a whole). */
  path: string;
  message: string;
}

/** Thrown by `loadRulePack`: nothing of the pack was loaded; `issues` lists every problem found. */
export class RulePackError extends Error {
  override readonly name = 'RulePackError';
  readonly source: string;
  readonly issues: readonly RulePackIssue[];
  constructor(source: string, issues: readonly RulePackIssue[]) {
    const lines = issues.map((i) => `  - ${i.path === '' ? '(pack)' : i.path}: ${i.message}`);
    super(
      `rule pack ${source} is invalid; none of its rules were loaded (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
    );
    this.source = source;
    this.issues = issues;
  }
}
