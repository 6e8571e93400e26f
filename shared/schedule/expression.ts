/** Entry points: parse a schedule expression into its syntax tree, or say what is wrong with it. */
import { parseAt } from './at-parse.ts';
import { parseCron } from './cron-parse.ts';
import { ScheduleExpressionError } from './errors.ts';
import { parseRate } from './rate-parse.ts';
import type { ScheduleExpression } from './types.ts';

const SHAPE = /^(rate|cron|at)\((.*)\)$/s;
const KINDS =
  'rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)';

function shapeProblem(expression: string): string {
  if (expression.trim() === '') return `schedule expression is empty; expected ${KINDS}`;
  if (expression.trim() !== expression) return `schedule expression must not start or end with white space`;
  const opened = /^(rate|cron|at)\(/.exec(expression);
  if (opened) return `${opened[1]} expression must end with ")"`;
  if (/^(rate|cron|at)\(/i.test(expression)) return `schedule expression type must be lower case: ${KINDS}`;
  return `schedule expression must be ${KINDS}`;
}

/** Throws `ScheduleExpressionError` naming what is wrong. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  if (typeof expression !== 'string')
    throw new ScheduleExpressionError('schedule expression must be a string');
  const match = SHAPE.exec(expression);
  const kind = match?.[1];
  const body = match?.[2];
  if (kind === undefined || body === undefined) throw new ScheduleExpressionError(shapeProblem(expression));
  switch (kind) {
    case 'rate':
      return parseRate(body);
    case 'cron':
      return parseCron(body);
    default:
      return parseAt(body);
  }
}

/** Undefined when `expression` is a valid EventBridge Scheduler schedule expression, else what is wrong with it. */
export function validateScheduleExpression(expression: string): string | undefined {
  try {
    parseScheduleExpression(expression);
    return undefined;
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return error.message;
    throw error;
  }
}
