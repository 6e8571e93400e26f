import type { PageOf, PageRequest } from '../../contracts/common.ts';
import { makeEvent, type OutboardEvent } from '../../contracts/events.ts';
import { type Guest, type RegisterGuestRequest, Subscription } from '../../contracts/guest.ts';
import type { Policy, Service } from '../../contracts/service.ts';
import type { Deps } from '../../deps.ts';
import { NotFoundError, UnavailableError } from '../../errors.ts';
import { newId } from '../../ids/ids.ts';
import { scheduleFor, scheduleName } from '../schedules.ts';

type GuestDeps = Pick<Deps, 'registry' | 'bus' | 'scheduler' | 'clock' | 'logger'>;

export interface RequestScope {
  tenantId: string;
  correlationId: string;
}

async function ensureTenant(deps: GuestDeps, tenantId: string): Promise<void> {
  if (await deps.registry.getTenant(tenantId)) return;
  await deps.registry.putTenant({ id: tenantId, name: tenantId, createdAt: deps.clock.now().toISOString() });
}

export async function registerGuest(deps: GuestDeps, scope: RequestScope, request: RegisterGuestRequest) {
  await ensureTenant(deps, scope.tenantId);
  const now = deps.clock.now();
  const guest: Guest = {
    ...request,
    tenantId: scope.tenantId,
    id: newId('gst', now),
    createdAt: now.toISOString(),
  };
  await deps.registry.createGuest(guest);
  await publishOrWarn(deps, [makeEvent('Guest Registered', { ...scope, guest })]);
  return guest;
}

export async function getGuest(
  deps: Pick<Deps, 'registry'>,
  tenantId: string,
  guestId: string,
): Promise<Guest> {
  const guest = await deps.registry.getGuest(tenantId, guestId);
  if (!guest) throw new NotFoundError('GUEST_NOT_FOUND', `guest ${guestId} does not exist`);
  return guest;
}

export function listGuests(
  deps: Pick<Deps, 'registry'>,
  tenantId: string,
  page: PageRequest,
): Promise<PageOf<Guest>> {
  return deps.registry.listGuests(tenantId, page);
}

/** Disables every service (their schedules first, so none fires for a guest that is gone), then deletes. */
export async function deleteGuest(deps: GuestDeps, scope: RequestScope, guestId: string): Promise<void> {
  await getGuest(deps, scope.tenantId, guestId);
  const subscriptions = await deps.registry.listSubscriptions(scope.tenantId, guestId);
  for (const s of subscriptions) await deps.scheduler.delete(scheduleName(s.tenantId, s.guestId, s.service));
  const removed = await deps.registry.deleteGuest(scope.tenantId, guestId);
  if (!removed) throw new NotFoundError('GUEST_NOT_FOUND', `guest ${guestId} does not exist`);
  await publishOrWarn(deps, [
    ...removed.map((s) =>
      makeEvent('Service Disabled', { ...scope, guestId, service: s.service, reason: 'guest-deleted' }),
    ),
    makeEvent('Guest Deleted', { ...scope, guestId, disabledServices: removed.map((s) => s.service) }),
  ]);
}

/**
 * Enables a service or replaces its policy. The registry is written first, then the schedule; if the
 * schedule cannot be written the registry is put back as it was, so nothing is left half-done.
 */
export async function enableService(
  deps: GuestDeps,
  scope: RequestScope,
  guestId: string,
  service: Service,
  policy: Policy,
): Promise<{ subscription: Subscription; created: boolean }> {
  await getGuest(deps, scope.tenantId, guestId);
  const previous = await deps.registry.getSubscription(scope.tenantId, guestId, service);
  const now = deps.clock.now().toISOString();
  const subscription = Subscription.parse({
    tenantId: scope.tenantId,
    guestId,
    service,
    policy,
    enabledAt: previous?.enabledAt ?? now,
    updatedAt: now,
  });
  await deps.registry.putSubscription(subscription);
  try {
    const schedule = scheduleFor(subscription);
    if (schedule) await deps.scheduler.upsert(schedule);
  } catch (cause) {
    if (previous) await deps.registry.putSubscription(previous);
    else await deps.registry.deleteSubscription(scope.tenantId, guestId, service);
    throw new UnavailableError(
      'SCHEDULER_UNAVAILABLE',
      `the ${service} schedule could not be written, so the service was left as it was`,
      { cause },
    );
  }
  await publishOrWarn(deps, [
    makeEvent('Service Enabled', {
      ...scope,
      guestId,
      service,
      policy,
      change: previous ? 'updated' : 'created',
    }),
  ]);
  return { subscription, created: !previous };
}

export async function disableService(
  deps: GuestDeps,
  scope: RequestScope,
  guestId: string,
  service: Service,
) {
  await getGuest(deps, scope.tenantId, guestId);
  const existing = await deps.registry.getSubscription(scope.tenantId, guestId, service);
  if (!existing)
    throw new NotFoundError('SERVICE_NOT_ENABLED', `${service} is not enabled for guest ${guestId}`);
  await deps.scheduler.delete(scheduleName(scope.tenantId, guestId, service));
  await deps.registry.deleteSubscription(scope.tenantId, guestId, service);
  await publishOrWarn(deps, [
    makeEvent('Service Disabled', { ...scope, guestId, service, reason: 'requested' }),
  ]);
}

/**
 * Notification events about registry changes that already happened: the change stands even if the bus
 * is down, so a publish failure is logged rather than reported as a failed request.
 */
async function publishOrWarn(deps: GuestDeps, events: OutboardEvent[]) {
  try {
    await deps.bus.publish(events);
  } catch (error) {
    deps.logger.error('events could not be published; the registry change stands', {
      detailTypes: events.map((e) => e.detailType),
      error: String(error),
    });
  }
}
