/**
 * Alerts as stored for the portal: one JSON object per alert under
 * `monitoring/alerts/<tenant>/<guest>/<inverted raise time>-<alert id>.json`, so that listing a guest's
 * prefix (in key order, as every object store lists) gives the newest first. Writing is idempotent:
 * the alert id is derived from the rule, guest, group and window, so a redelivered batch rewrites the
 * same object.
 */
import type { PageOf, PageRequest } from '../contracts/common.ts';
import { Alert } from '../contracts/monitoring.ts';
import type { ObjectStore } from '../ports.ts';

const PREFIX = 'monitoring/alerts/';
/** Larger than any epoch-ms timestamp until the year 2286; inverted times sort newest first. */
const INVERT_FROM = 9_999_999_999_999;

export function alertKey(alert: Pick<Alert, 'tenantId' | 'guestId' | 'alertId' | 'raisedAt'>): string {
  const inverted = String(INVERT_FROM - Date.parse(alert.raisedAt)).padStart(13, '0');
  return `${PREFIX}${alert.tenantId}/${alert.guestId}/${inverted}-${alert.alertId}.json`;
}

export async function saveAlert(store: ObjectStore, alert: Alert): Promise<void> {
  await store.put(alertKey(alert), JSON.stringify(alert), { contentType: 'application/json' });
}

export async function listAlerts(
  store: ObjectStore,
  tenantId: string,
  guestId: string,
  page: PageRequest,
): Promise<PageOf<Alert>> {
  const listed = await store.list(`${PREFIX}${tenantId}/${guestId}/`, page);
  const items: Alert[] = [];
  for (const info of listed.items) {
    const object = await store.get(info.key);
    if (!object) continue;
    const parsed = Alert.safeParse(JSON.parse(Buffer.from(object.body).toString('utf8')));
    if (!parsed.success) throw new Error(`alert object ${info.key} is malformed`);
    items.push(parsed.data);
  }
  return listed.nextCursor === undefined ? { items } : { items, nextCursor: listed.nextCursor };
}
