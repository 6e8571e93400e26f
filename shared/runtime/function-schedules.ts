/**
 * Functions triggered by a schedule (`trigger.kind: 'schedule'`), locally. On AWS an EventBridge
 * Scheduler schedule invokes the function directly; here the runtime keeps one schedule per such
 * function in the same SQLite scheduler as the per-guest policy schedules (named `fn-<function>`, which
 * no guest schedule can be: those start with `ob-`), and the scheduler loop puts each firing on the
 * function's asynchronous-invocation queue instead of the bus. The event the function receives is
 * `{ function, scheduledTime }`.
 *
 * A schedule is written only when it is new or its definition changed, so one that came due while the
 * runtime was stopped keeps its due time and fires once at the next start.
 */
import type { SqliteScheduleManager } from '../adapters/local/sqlite-scheduler.ts';
import { SCHEDULED_TIME_PLACEHOLDER } from '../adapters/local/sqlite-scheduler.ts';
import type { ScheduleDefinition } from '../ports.ts';
import type { FunctionSpec, Topology } from '../topology.ts';

const PREFIX = 'fn-';

/** The detail-type recorded for a function schedule (it never reaches the bus). */
export const FUNCTION_SCHEDULE_DETAIL_TYPE = 'Scheduled Function Invocation';

export function functionScheduleName(functionName: string): string {
  return `${PREFIX}${functionName}`;
}

/** The function a fired schedule invokes, when it is a function schedule. */
export function functionOfSchedule(scheduleName: string): string | undefined {
  return scheduleName.startsWith(PREFIX) ? scheduleName.slice(PREFIX.length) : undefined;
}

export function functionSchedule(fn: FunctionSpec): ScheduleDefinition | undefined {
  if (fn.trigger.kind !== 'schedule') return undefined;
  return {
    name: functionScheduleName(fn.name),
    expression: fn.trigger.expression,
    timezone: fn.trigger.timezone,
    target: {
      detailType: FUNCTION_SCHEDULE_DETAIL_TYPE,
      detail: { function: fn.name, scheduledTime: SCHEDULED_TIME_PLACEHOLDER },
    },
  };
}

/** Creates or updates the schedule of every schedule-triggered function; returns their names. */
export async function syncFunctionSchedules(
  scheduler: SqliteScheduleManager,
  topology: Topology,
): Promise<string[]> {
  const names: string[] = [];
  for (const fn of topology.functions) {
    const definition = functionSchedule(fn);
    if (!definition) continue;
    names.push(definition.name);
    const existing = await scheduler.get(definition.name);
    if (existing && JSON.stringify(existing) === JSON.stringify(definition)) continue;
    await scheduler.upsert(definition);
  }
  return names;
}
