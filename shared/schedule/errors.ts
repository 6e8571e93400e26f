/** Thrown by `parseScheduleExpression`; `message` says what is wrong, in words a policy author can act on. */
export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}
