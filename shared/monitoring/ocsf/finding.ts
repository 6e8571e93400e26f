/**
 * The OCSF projection of our alerts: Detection Finding (2004), activity Create, the rule as the
 * analytic, the matching events as related events (by id; their compact copies go to `unmapped`).
 */
import type { AlertDraft } from '../rules/alert.ts';
import { compact, epochMs, nonEmpty, ocsfSeverityId, PRODUCT } from './common.ts';
import { OCSF_CATEGORIES, OCSF_CLASSES, OCSF_SEVERITIES, OCSF_VERSION, type OcsfEvent } from './types.ts';

export function alertToOcsf(alert: AlertDraft): OcsfEvent {
  const cls = OCSF_CLASSES.detectionFinding;
  const severityId = ocsfSeverityId(alert.severity);
  const raisedAt = epochMs(alert.raisedAt) ?? 0;
  const firstSeen = epochMs(alert.firstEventAt) ?? epochMs(alert.absence?.silentSince ?? null);
  const lastSeen = epochMs(alert.lastEventAt);
  const attributed = alert.guestId !== null;
  return compact({
    activity_id: 1,
    activity_name: 'Create',
    category_uid: cls.category,
    category_name: OCSF_CATEGORIES[cls.category],
    class_uid: cls.uid,
    class_name: cls.name,
    type_uid: cls.uid * 100 + 1,
    type_name: `${cls.name}: Create`,
    severity_id: severityId,
    severity: OCSF_SEVERITIES[severityId],
    time: raisedAt,
    message: alert.summary,
    status_id: 1,
    status: 'New',
    is_alert: true,
    count: alert.count,
    start_time: firstSeen,
    end_time: lastSeen,
    finding_info: compact({
      uid: alert.alertId,
      title: alert.rule.title,
      desc: alert.summary,
      types: alert.rule.tags.length > 0 ? [...alert.rule.tags] : undefined,
      analytic: {
        uid: alert.rule.id,
        name: alert.rule.title,
        type_id: 1,
        type: 'Rule',
        category: alert.rule.kind,
      },
      created_time: raisedAt,
      first_seen_time: firstSeen,
      last_seen_time: lastSeen,
      related_events_count: alert.count,
      related_events: alert.events.length > 0 ? alert.events.map((e) => ({ uid: e.id })) : undefined,
    }),
    device: compact({
      hostname: alert.host ?? undefined,
      uid: alert.guestId ?? undefined,
      type_id: attributed ? 6 : 0,
      type: attributed ? 'Virtual' : 'Unknown',
    }),
    metadata: compact({
      version: OCSF_VERSION,
      product: PRODUCT,
      profiles: ['host'],
      uid: alert.alertId,
      tenant_uid: alert.tenantId ?? undefined,
      event_code: alert.rule.id,
      log_name: 'alerts',
      log_provider: alert.rule.pack,
    }),
    unmapped: nonEmpty({
      group: Object.keys(alert.group).length > 0 ? alert.group : undefined,
      threshold: alert.threshold ?? undefined,
      absence: alert.absence ?? undefined,
      suppression: alert.suppression,
      eventsOmitted: alert.eventsOmitted > 0 ? alert.eventsOmitted : undefined,
      events: alert.events.length > 0 ? alert.events : undefined,
    }),
  });
}
