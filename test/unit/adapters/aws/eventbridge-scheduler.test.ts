import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeScheduleManager } from '../../../../shared/adapters/aws/eventbridge-scheduler.ts';
import type { ScheduleDefinition } from '../../../../shared/ports.ts';

const scheduler = mockClient(SchedulerClient);
const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/outboard';
const ROLE = 'arn:aws:iam::123456789012:role/outboard-scheduler';
const manager = () =>
  new EventBridgeScheduleManager({
    client: new SchedulerClient({ region: 'eu-west-1' }),
    groupName: 'outboard',
    busArn: BUS,
    roleArn: ROLE,
  });

const definition = (over: Partial<ScheduleDefinition> = {}): ScheduleDefinition => ({
  name: 't1.gst_0000000001.backup',
  expression: 'cron(0 2 * * ? *)',
  timezone: 'Europe/Amsterdam',
  target: {
    detailType: 'Backup Requested',
    detail: {
      schemaVersion: 1,
      tenantId: 't1',
      correlationId: 'sched',
      guestId: 'gst_0000000001',
      trigger: { kind: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' },
    },
  },
  ...over,
});

const notFound = () =>
  new ResourceNotFoundException({
    message: 'Schedule not found',
    Message: 'Schedule not found',
    $metadata: {},
  });

const expectedInput = (d: ScheduleDefinition, after: 'NONE' | 'DELETE') => ({
  Name: d.name,
  GroupName: 'outboard',
  ScheduleExpression: d.expression,
  ScheduleExpressionTimezone: d.timezone,
  FlexibleTimeWindow: { Mode: 'OFF' },
  State: 'ENABLED',
  ActionAfterCompletion: after,
  Target: {
    Arn: BUS,
    RoleArn: ROLE,
    Input: JSON.stringify(d.target.detail),
    EventBridgeParameters: { DetailType: d.target.detailType, Source: 'outboard' },
  },
});

beforeEach(() => {
  scheduler.reset();
});

describe('EventBridgeScheduleManager.upsert', () => {
  it('updates an existing schedule with the templated EventBridge target', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await manager().upsert(definition());
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input).toEqual(
      expectedInput(definition(), 'NONE'),
    );
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('passes the scheduled-time placeholder through literally', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({});
    await manager().upsert(definition());
    const input = scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input.Target?.Input ?? '';
    expect(input).toContain('"scheduledTime":"<aws.scheduler.scheduled-time>"');
  });

  it('creates the schedule when it does not exist', async () => {
    scheduler.on(UpdateScheduleCommand).rejects(notFound());
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    await manager().upsert(definition());
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toMatchObject(
      expectedInput(definition(), 'NONE'),
    );
  });

  it('updates again when a concurrent create wins the race', async () => {
    scheduler.on(UpdateScheduleCommand).rejectsOnce(notFound()).resolves({});
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await manager().upsert(definition());
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(2);
  });

  it('deletes at() schedules after they fire', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({});
    const once = definition({ expression: 'at(2026-03-01T02:00:00)' });
    await manager().upsert(once);
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input.ActionAfterCompletion).toBe(
      'DELETE',
    );
  });

  it('rethrows other errors', async () => {
    scheduler
      .on(UpdateScheduleCommand)
      .rejects(new ValidationException({ message: 'bad cron', Message: 'bad cron', $metadata: {} }));
    await expect(manager().upsert(definition())).rejects.toMatchObject({ name: 'ValidationException' });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('refuses a name Scheduler would not take, before calling it', async () => {
    await expect(manager().upsert(definition({ name: 'has spaces' }))).rejects.toMatchObject({
      name: 'InvalidScheduleNameError',
      message: expect.stringContaining('"has spaces"'),
    });
    expect(scheduler.calls()).toHaveLength(0);
  });
});

describe('EventBridgeScheduleManager.delete and get', () => {
  it('deletes by name in the group and ignores a missing schedule', async () => {
    scheduler.on(DeleteScheduleCommand).rejects(notFound());
    await manager().delete('t1.gst_0000000001.backup');
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: 't1.gst_0000000001.backup',
      GroupName: 'outboard',
    });
  });

  it('delete rethrows other errors', async () => {
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ValidationException({ message: 'no', Message: 'no', $metadata: {} }));
    await expect(manager().delete('x')).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('get parses the schedule back into its definition', async () => {
    const d = definition();
    scheduler.on(GetScheduleCommand).resolves(expectedInput(d, 'NONE') as never);
    expect(await manager().get(d.name)).toEqual(d);
  });

  it('get returns undefined for a missing schedule', async () => {
    scheduler.on(GetScheduleCommand).rejects(notFound());
    expect(await manager().get('t1.gst_0000000001.backup')).toBeUndefined();
  });

  it('get refuses a schedule that does not target the Outboard bus', async () => {
    const d = definition();
    const input = expectedInput(d, 'NONE');
    scheduler
      .on(GetScheduleCommand)
      .resolves({ ...input, Target: { ...input.Target, Arn: 'arn:aws:sqs:x' } } as never);
    await expect(manager().get(d.name)).rejects.toMatchObject({
      name: 'ForeignScheduleError',
      message: expect.stringContaining(d.name),
    });
  });
});
