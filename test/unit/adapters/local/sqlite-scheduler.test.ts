import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import {
  type FiredSchedule,
  SqliteScheduleManager,
} from '../../../../shared/adapters/local/sqlite-scheduler.ts';
import type { ScheduleDefinition } from '../../../../shared/ports.ts';

const T0 = Date.parse('2026-03-07T12:00:30.000Z');

function setup() {
  let now = T0;
  const scheduler = new SqliteScheduleManager(openDatabase(':memory:'), () => now);
  const fired: FiredSchedule[] = [];
  return {
    scheduler,
    fired,
    set: (iso: string) => (now = Date.parse(iso)),
    fire: () => scheduler.fireDue((f) => fired.push(f)),
  };
}

const def = (expression: string, timezone = 'UTC'): ScheduleDefinition => ({
  name: 'ob-test',
  expression,
  timezone,
  target: {
    detailType: 'Backup Requested',
    detail: { trigger: { kind: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' }, guestId: 'g' },
  },
});

describe('SqliteScheduleManager', () => {
  it('fires a cron schedule at its time in its zone, substituting the scheduled time', async () => {
    const t = setup();
    await t.scheduler.upsert(def('cron(0 9 * * ? *)', 'Europe/Paris'));
    expect(t.scheduler.nextFireOf('ob-test')?.toISOString()).toBe('2026-03-08T08:00:00.000Z');
    t.set('2026-03-08T07:59:59.999Z');
    expect(t.fire()).toHaveLength(0);
    t.set('2026-03-08T08:00:00.000Z');
    expect(t.fire()).toHaveLength(1);
    expect(t.fired[0]!.detail).toEqual({
      trigger: { kind: 'schedule', scheduledTime: '2026-03-08T08:00:00Z' },
      guestId: 'g',
    });
    expect(t.scheduler.nextFireOf('ob-test')?.toISOString()).toBe('2026-03-09T08:00:00.000Z');
    expect(t.fire()).toHaveLength(0);
  });

  it('fires an at() schedule once and deletes it', async () => {
    const t = setup();
    await t.scheduler.upsert(def('at(2026-03-07T12:05:00)'));
    t.set('2026-03-07T12:05:00.000Z');
    expect(t.fire()).toHaveLength(1);
    expect(await t.scheduler.get('ob-test')).toBeUndefined();
    t.set('2026-03-07T13:00:00.000Z');
    expect(t.fire()).toHaveLength(0);
  });

  it('fires a schedule missed while stopped once, then moves on to the next future time', async () => {
    const t = setup();
    await t.scheduler.upsert(def('rate(1 hour)'));
    t.set('2026-03-07T17:30:00.000Z'); // five slots missed
    const fired = t.fire();
    expect(fired.map((f) => f.scheduledTime)).toEqual(['2026-03-07T13:00:30Z']);
    expect(t.scheduler.nextFireOf('ob-test')?.toISOString()).toBe('2026-03-07T18:00:30.000Z');
  });

  it('keeps a rate schedule rhythm when only its target changes, restarts it when the timing changes', async () => {
    const t = setup();
    await t.scheduler.upsert(def('rate(10 minutes)'));
    t.set('2026-03-07T12:05:00.000Z');
    await t.scheduler.upsert({
      ...def('rate(10 minutes)'),
      target: { detailType: 'Backup Requested', detail: { x: 1 } },
    });
    expect(t.scheduler.nextFireOf('ob-test')?.toISOString()).toBe('2026-03-07T12:10:30.000Z');
    await t.scheduler.upsert(def('rate(15 minutes)'));
    expect(t.scheduler.nextFireOf('ob-test')?.toISOString()).toBe('2026-03-07T12:20:00.000Z');
  });

  it('rolls back the schedule advance when emitting fails, so the slot fires later', async () => {
    const t = setup();
    await t.scheduler.upsert(def('rate(1 minute)'));
    t.set('2026-03-07T12:01:30.000Z');
    expect(() =>
      t.scheduler.fireDue(() => {
        throw new Error('bus down');
      }),
    ).toThrow('bus down');
    expect(t.scheduler.nextFireOf('ob-test')?.toISOString()).toBe('2026-03-07T12:01:30.000Z');
    expect(t.fire()).toHaveLength(1);
  });

  it('refuses an invalid expression and deletes idempotently', async () => {
    const t = setup();
    await expect(t.scheduler.upsert(def('cron(0 9 * * *)'))).rejects.toThrow();
    await t.scheduler.delete('nothing');
    expect(await t.scheduler.get('nothing')).toBeUndefined();
  });
});
