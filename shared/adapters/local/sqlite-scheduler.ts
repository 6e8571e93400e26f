/**
 * EventBridge Scheduler, locally: schedules in SQLite, each with its next fire time, fired by the
 * runtime's scheduler loop through `fireDue`. Firing a schedule (putting its event on the bus) and
 * moving it to its next time happen in one transaction, so a crash never fires a slot twice or loses it.
 *
 * A schedule that came due while the runtime was stopped fires once when it starts again, with the
 * scheduled time it missed; any further missed times are skipped. one-time `at()` schedules are deleted
 * after they fire (ActionAfterCompletion DELETE).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ScheduleDefinition, ScheduleManager } from '../../ports.ts';
import { nextFireTime, parseScheduleExpression } from '../../schedule/index.ts';
import { migrate, transaction } from './sqlite.ts';

const MIGRATIONS = [
  `CREATE TABLE schedules (
     name TEXT PRIMARY KEY,
     definition TEXT NOT NULL,
     start_at INTEGER NOT NULL,
     next_fire_at INTEGER,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE next_fire_at IS NOT NULL;`,
];

export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

export interface FiredSchedule {
  name: string;
  scheduledTime: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/** EventBridge Scheduler renders the scheduled time as ISO 8601 in UTC without fractions. */
export function renderScheduledTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function substitute(value: unknown, scheduledTime: string): unknown {
  if (typeof value === 'string') return value.split(SCHEDULED_TIME_PLACEHOLDER).join(scheduledTime);
  if (Array.isArray(value)) return value.map((v) => substitute(v, scheduledTime));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, scheduledTime)]));
  }
  return value;
}

export class SqliteScheduleManager implements ScheduleManager {
  private readonly db: DatabaseSync;
  private readonly now: () => number;

  constructor(db: DatabaseSync, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
    migrate(db, 'scheduler', MIGRATIONS);
  }

  async upsert(schedule: ScheduleDefinition): Promise<void> {
    const parsed = parseScheduleExpression(schedule.expression);
    const now = this.now();
    transaction(this.db, () => {
      const existing = this.db
        .prepare('SELECT definition, start_at FROM schedules WHERE name = ?')
        .get(schedule.name) as { definition: string; start_at: number } | undefined;
      const sameTiming =
        existing &&
        (JSON.parse(existing.definition) as ScheduleDefinition).expression === schedule.expression &&
        (JSON.parse(existing.definition) as ScheduleDefinition).timezone === schedule.timezone;
      // Changing only the target keeps the schedule's rhythm; changing the timing starts it afresh.
      const startAt = sameTiming ? existing.start_at : now;
      const next = nextFireTime(parsed, schedule.timezone, new Date(now), { startDate: new Date(startAt) });
      this.db
        .prepare(
          `INSERT INTO schedules (name, definition, start_at, next_fire_at, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, start_at = excluded.start_at,
           next_fire_at = excluded.next_fire_at, updated_at = excluded.updated_at`,
        )
        .run(schedule.name, JSON.stringify(schedule), startAt, next?.getTime() ?? null, now);
    });
  }

  async delete(name: string): Promise<void> {
    this.db.prepare('DELETE FROM schedules WHERE name = ?').run(name);
  }

  async get(name: string): Promise<ScheduleDefinition | undefined> {
    const row = this.db.prepare('SELECT definition FROM schedules WHERE name = ?').get(name) as
      | { definition: string }
      | undefined;
    return row ? (JSON.parse(row.definition) as ScheduleDefinition) : undefined;
  }

  /** When the next schedule is due (ms), if any. */
  nextDueAt(): number | undefined {
    const row = this.db.prepare('SELECT MIN(next_fire_at) AS t FROM schedules').get() as { t: number | null };
    return row.t ?? undefined;
  }

  nextFireOf(name: string): Date | undefined {
    const row = this.db.prepare('SELECT next_fire_at FROM schedules WHERE name = ?').get(name) as
      | { next_fire_at: number | null }
      | undefined;
    return row?.next_fire_at ? new Date(row.next_fire_at) : undefined;
  }

  /**
   * Fires every due schedule: `emit` runs inside the transaction that advances the schedule, so the
   * event and the schedule's new time are committed together (or neither is).
   */
  fireDue(emit: (fired: FiredSchedule) => void): FiredSchedule[] {
    const now = this.now();
    const due = this.db
      .prepare(
        'SELECT name FROM schedules WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at',
      )
      .all(now) as { name: string }[];
    const fired: FiredSchedule[] = [];
    for (const { name } of due) {
      transaction(this.db, () => {
        const row = this.db
          .prepare('SELECT definition, start_at, next_fire_at FROM schedules WHERE name = ?')
          .get(name) as { definition: string; start_at: number; next_fire_at: number | null } | undefined;
        if (!row || row.next_fire_at === null || row.next_fire_at > now) return;
        const definition = JSON.parse(row.definition) as ScheduleDefinition;
        const scheduledTime = renderScheduledTime(row.next_fire_at);
        const event: FiredSchedule = {
          name,
          scheduledTime,
          detailType: definition.target.detailType,
          detail: substitute(definition.target.detail, scheduledTime) as Record<string, unknown>,
        };
        emit(event);
        const parsed = parseScheduleExpression(definition.expression);
        if (parsed.kind === 'at') {
          this.db.prepare('DELETE FROM schedules WHERE name = ?').run(name);
        } else {
          const next = nextFireTime(parsed, definition.timezone, new Date(Math.max(now, row.next_fire_at)), {
            startDate: new Date(row.start_at),
          });
          this.db
            .prepare('UPDATE schedules SET next_fire_at = ? WHERE name = ?')
            .run(next?.getTime() ?? null, name);
        }
        fired.push(event);
      });
    }
    return fired;
  }
}
