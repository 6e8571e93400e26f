/**
 * The alert a rule raises, as the evaluators return it and as it can travel on the bus as the detail
 * of `Monitor Alert Raised` (wrap it in the usual envelope: schemaVersion, tenantId, correlationId).
 *
 * Its fields are those of `Alert` (contracts/monitoring.ts) and the `Monitor Alert Raised` detail,
 * built from the contract's `AlertFields` and `AlertEvent` so the two cannot drift apart.
 *
 * An alert is self-contained: the rule's id, title and kind, the guest, the group it was raised for,
 * how many events it covers and up to `MAX_ALERT_EVENTS` of them in a compact copy (the archive holds
 * the rest: look them up by id), and what suppression did before it. The id is derived from the rule,
 * guest, group and triggering event, so evaluating a redelivered batch again gives the same id.
 */
import { z } from 'zod';
import { GuestId, TenantId } from '../../contracts/common.ts';
import {
  ALERT_MESSAGE_LIMIT,
  AlertEvent,
  AlertFields,
  AlertId,
  MAX_ALERT_EVENTS,
  type MonitorEvent,
} from '../../contracts/monitoring.ts';

export { ALERT_MESSAGE_LIMIT, AlertEvent, MAX_ALERT_EVENTS };

/**
 * The contract's alert fields, with two differences: tenant and guest are null for events from
 * senders matched to no guest (such an alert cannot be put on a tenant's bus as it is), and the id is
 * the one the evaluators derive (`alr_` and 32 hex digits).
 */
export const AlertDraft = z.strictObject({
  ...AlertFields,
  alertId: AlertId.regex(
    /^alr_[0-9a-f]{32}$/,
    'an alert id as the evaluators derive it (alr_ and 32 hex digits)',
  ),
  tenantId: TenantId.nullable(),
  guestId: GuestId.nullable(),
});
export type AlertDraft = z.infer<typeof AlertDraft>;

/** The compact copy of an event an alert carries. */
export function alertEventOf(event: MonitorEvent): AlertEvent {
  return {
    id: event.id,
    time: event.time,
    host: event.host,
    app: event.app,
    eventId: event.eventId,
    message:
      event.message.length > ALERT_MESSAGE_LIMIT
        ? event.message.slice(0, ALERT_MESSAGE_LIMIT)
        : event.message,
  };
}

/** `path=value, …` for the non-empty values of a group, or '' when there are none. */
export function groupText(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== '')
    .map(([path, value]) => `${path}=${value}`)
    .join(', ');
}

/** A group's values by path, a missing value as ''. */
export function valuesByPath(
  paths: readonly string[],
  values: readonly (string | null)[],
): Record<string, string> {
  const out: Record<string, string> = {};
  paths.forEach((path, i) => {
    out[path] = values[i] ?? '';
  });
  return out;
}
