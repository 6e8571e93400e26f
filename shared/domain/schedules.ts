import type { DetailType } from '../contracts/events.ts';
import type { Subscription } from '../contracts/guest.ts';
import type { Service } from '../contracts/service.ts';
import type { ScheduleDefinition } from '../ports.ts';

/**
 * The event each service's policy schedule puts on the bus. Monitoring has none: receipt is continuous
 * and its absence sweep is a function schedule of its own.
 */
const REQUESTED: Record<Service, DetailType | undefined> = {
  backup: 'Backup Requested',
  patching: 'Patch Scan Requested',
  monitoring: undefined,
  antivirus: 'AV Scan Requested',
};

/** Scheduler names: 1-64 chars of [0-9a-zA-Z-_.]; tenant and guest ids are short enough to fit. */
export function scheduleName(tenantId: string, guestId: string, service: Service): string {
  const name = `ob-${tenantId}-${guestId.slice(4)}-${service}`;
  return name.length <= 64 ? name : `ob-${guestId.slice(4)}-${service}`;
}

export function scheduleFor(subscription: Subscription): ScheduleDefinition | undefined {
  const detailType = REQUESTED[subscription.service];
  if (!detailType) return undefined;
  return {
    name: scheduleName(subscription.tenantId, subscription.guestId, subscription.service),
    expression: subscription.policy.schedule,
    timezone: subscription.policy.timezone,
    target: {
      detailType,
      detail: {
        schemaVersion: 1,
        tenantId: subscription.tenantId,
        guestId: subscription.guestId,
        correlationId: `schedule:${subscription.service}:${subscription.guestId}`,
        trigger: { kind: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' },
      },
    },
  };
}
