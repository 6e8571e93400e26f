/** Placeholder signature while the schedule library is written (same session). */
export function validateScheduleExpression(expression: string): string | undefined {
  return /^(rate|cron|at)\(.+\)$/.test(expression) ? undefined : 'not a schedule expression';
}
