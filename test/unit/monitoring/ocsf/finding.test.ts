import { describe, expect, it } from 'vitest';
import { alertToOcsf, OCSF_VERSION } from '../../../../shared/monitoring/ocsf/index.ts';
import {
  combineRulePacks,
  evaluateAbsence,
  evaluateRules,
  loadBuiltinRulePacks,
} from '../../../../shared/monitoring/rules/index.ts';
import { failedLogonFields, GUEST, securityEvent, T0, TENANT } from '../rules/factory.ts';

const builtin = combineRulePacks(...loadBuiltinRulePacks());

describe('alertToOcsf', () => {
  it('projects a threshold alert as a Detection Finding with the rule as analytic', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      securityEvent(4625, failedLogonFields('Administrator'), { at: T0 + i * 1000 }),
    );
    const [alert] = evaluateRules(builtin, events, {}, T0 + 20_000).alerts;
    const ocsf = alertToOcsf(alert!);
    expect(ocsf).toMatchObject({
      class_uid: 2004,
      class_name: 'Detection Finding',
      category_uid: 2,
      category_name: 'Findings',
      activity_id: 1,
      activity_name: 'Create',
      type_uid: 200401,
      severity_id: 3,
      severity: 'Medium',
      time: T0 + 20_000,
      status_id: 1,
      is_alert: true,
      count: 10,
      start_time: T0,
      end_time: T0 + 9000,
      message: alert!.summary,
      finding_info: {
        uid: alert!.alertId,
        title: 'Burst of failed Windows logons for one account',
        analytic: {
          uid: 'builtin.windows.failed-logon-burst',
          type_id: 1,
          type: 'Rule',
          category: 'threshold',
        },
        types: expect.arrayContaining(['attack.t1110']),
        related_events_count: 10,
        first_seen_time: T0,
        last_seen_time: T0 + 9000,
      },
      device: { hostname: 'DC01.corp.example.com', uid: GUEST, type_id: 6 },
      metadata: {
        version: OCSF_VERSION,
        product: { name: 'Outboard', vendor_name: 'Outboard' },
        uid: alert!.alertId,
        tenant_uid: TENANT,
        event_code: 'builtin.windows.failed-logon-burst',
        log_provider: 'builtin/windows.json',
      },
      unmapped: {
        group: { 'fields.TargetUserName': 'Administrator' },
        threshold: { count: 10, windowSeconds: 300 },
        suppression: { seconds: 900 },
      },
    });
    const related = (ocsf.finding_info as { related_events: { uid: string }[] }).related_events;
    expect(related.map((r) => r.uid)).toEqual(events.map((e) => e.id));
    expect(JSON.parse(JSON.stringify(ocsf))).toEqual(ocsf);
  });

  it('projects an absence alert with the silence as its start and no related events', () => {
    const [alert] = evaluateAbsence(
      builtin,
      [{ tenantId: TENANT, guestId: GUEST, monitoringEnabledAt: T0 - 86_400_000, lastEventAt: T0 }],
      {},
      T0 + 45 * 60_000,
    ).alerts;
    const ocsf = alertToOcsf(alert!);
    expect(ocsf).toMatchObject({
      type_uid: 200401,
      count: 0,
      start_time: T0,
      end_time: T0,
      finding_info: {
        analytic: { uid: 'builtin.guest-silent', category: 'absence' },
        related_events_count: 0,
      },
      device: { uid: GUEST, type_id: 6 },
      unmapped: { absence: { silentMinutes: 30 } },
    });
    expect(ocsf.finding_info).not.toHaveProperty('related_events');
    expect(ocsf.device).not.toHaveProperty('hostname');
  });
});
