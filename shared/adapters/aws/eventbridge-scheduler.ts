/**
 * ScheduleManager on EventBridge Scheduler: one schedule per name in one schedule group, each with
 * the Outboard bus as its templated EventBridge target (PutEvents with source `outboard`, the
 * definition's detail type, and the detail JSON as Input).
 *
 * The literal `<aws.scheduler.scheduled-time>` in the detail is a Scheduler context attribute: it is
 * passed through unchanged and Scheduler replaces it with the fire time on each invocation.
 * `at()` schedules delete themselves after they fire (ActionAfterCompletion DELETE).
 */
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { EVENT_SOURCE } from '../../contracts/events.ts';
import type { ScheduleDefinition, ScheduleManager } from '../../ports.ts';
import { isAwsError } from './util.ts';

/** Scheduler's rule for schedule names. */
const SCHEDULE_NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

export class InvalidScheduleNameError extends Error {
  override name = 'InvalidScheduleNameError';
}

export class ForeignScheduleError extends Error {
  override name = 'ForeignScheduleError';
}

export interface EventBridgeScheduleManagerOptions {
  client: SchedulerClient;
  groupName: string;
  /** ARN of the bus the schedules put their events on. */
  busArn: string;
  /** Role Scheduler assumes to call PutEvents on the bus. */
  roleArn: string;
}

export class EventBridgeScheduleManager implements ScheduleManager {
  readonly #client: SchedulerClient;
  readonly #group: string;
  readonly #busArn: string;
  readonly #roleArn: string;

  constructor(options: EventBridgeScheduleManagerOptions) {
    this.#client = options.client;
    this.#group = options.groupName;
    this.#busArn = options.busArn;
    this.#roleArn = options.roleArn;
  }

  async upsert(schedule: ScheduleDefinition): Promise<void> {
    checkName(schedule.name, 'not created or updated');
    const input: CreateScheduleCommandInput = {
      Name: schedule.name,
      GroupName: this.#group,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      ActionAfterCompletion: schedule.expression.startsWith('at(') ? 'DELETE' : 'NONE',
      Target: {
        Arn: this.#busArn,
        RoleArn: this.#roleArn,
        Input: JSON.stringify(schedule.target.detail),
        EventBridgeParameters: { DetailType: schedule.target.detailType, Source: EVENT_SOURCE },
      },
    };
    try {
      await this.#client.send(new UpdateScheduleCommand(input));
      return;
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
    try {
      await this.#client.send(new CreateScheduleCommand(input));
    } catch (error) {
      // Created by someone else between our update and create: make it ours.
      if (!isAwsError(error, 'ConflictException')) throw error;
      await this.#client.send(new UpdateScheduleCommand(input));
    }
  }

  async delete(name: string): Promise<void> {
    checkName(name, 'not deleted');
    try {
      await this.#client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.#group }));
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
    }
  }

  async get(name: string): Promise<ScheduleDefinition | undefined> {
    checkName(name, 'not read');
    let out: GetScheduleCommandOutput;
    try {
      out = await this.#client.send(new GetScheduleCommand({ Name: name, GroupName: this.#group }));
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
    return this.#parse(name, out);
  }

  #parse(name: string, out: GetScheduleCommandOutput): ScheduleDefinition {
    const where = `schedule "${name}" in group "${this.#group}"`;
    const target = out.Target;
    const params = target?.EventBridgeParameters;
    if (!target || target.Arn !== this.#busArn || !params || params.Source !== EVENT_SOURCE) {
      throw new ForeignScheduleError(
        `${where} does not target the Outboard bus ${this.#busArn} with source "${EVENT_SOURCE}"; not read`,
      );
    }
    let detail: unknown;
    try {
      detail = JSON.parse(target.Input ?? '');
    } catch (error) {
      throw new ForeignScheduleError(`${where}: target input is not JSON; not read`, { cause: error });
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      throw new ForeignScheduleError(`${where}: target input is not a JSON object; not read`);
    }
    return {
      name,
      expression: out.ScheduleExpression ?? '',
      timezone: out.ScheduleExpressionTimezone ?? 'UTC',
      target: { detailType: params.DetailType ?? '', detail: detail as Record<string, unknown> },
    };
  }
}

function checkName(name: string, what: string): void {
  if (!SCHEDULE_NAME.test(name)) {
    throw new InvalidScheduleNameError(
      `schedule name ${JSON.stringify(name)} is not 1-64 characters of 0-9 a-z A-Z - _ .; ${what}`,
    );
  }
}
