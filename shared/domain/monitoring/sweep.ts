/**
 * The absence sweep: for every guest with monitoring enabled, has it sent anything lately? Runs on a
 * schedule. A guest silent for longer than its policy's `silentAfterMinutes` (0: never) raises one
 * "guest silent" alert per silence, through the built-in absence rule; silence is counted from the
 * last event received or, for a guest that never sent one, from when monitoring was enabled.
 */
import type { Deps } from '../../deps.ts';
import type { SenderDirectory } from '../../monitoring/attribution.ts';
import {
  absenceStateKeysFor,
  type CompiledRule,
  evaluateAbsence,
  type RuleState,
  RuleStateEntry,
} from '../../monitoring/rules/index.ts';
import { raise } from './ingest.ts';

type SweepDeps = Pick<Deps, 'monitorState' | 'bus' | 'objects' | 'logger' | 'clock'>;

const RULE_STATE_TTL_MS = 400 * 86_400_000;

export async function sweepAbsence(
  deps: SweepDeps,
  directory: SenderDirectory,
  rulesFor: (tenantId: string, guestId: string) => readonly CompiledRule[],
): Promise<{ guests: number; alerts: number }> {
  const seen = new Map(
    (await deps.monitorState.listLastSeen()).map((s) => [`${s.tenantId}/${s.guestId}`, s.at]),
  );
  const now = deps.clock.now().getTime();
  let alerts = 0;
  for (const guest of directory.guests) {
    const minutes = guest.policy.silentAfterMinutes;
    if (minutes === 0) continue;
    // The policy's silence threshold replaces the rule's default for this guest.
    const rules = rulesFor(guest.tenantId, guest.guestId).map((r) =>
      r.kind === 'absence' ? ({ ...r, silentMinutes: minutes } as CompiledRule) : r,
    );
    const input = [
      {
        tenantId: guest.tenantId,
        guestId: guest.guestId,
        monitoringEnabledAt: guest.enabledAt,
        lastEventAt: seen.get(`${guest.tenantId}/${guest.guestId}`) ?? null,
      },
    ];
    const keys = absenceStateKeysFor(rules, input);
    if (keys.length === 0) continue;
    const stored = await deps.monitorState.getRuleState(keys);
    const state: Record<string, RuleStateEntry> = {};
    for (const [key, entry] of stored) {
      if (entry.value === '') continue;
      const parsed = RuleStateEntry.safeParse(JSON.parse(entry.value));
      if (parsed.success) state[key] = { ...parsed.data, v: entry.version } as RuleStateEntry;
    }
    const result = evaluateAbsence(rules, input, state as RuleState, now);
    await raise(deps, result.alerts);
    alerts += result.alerts.length;
    const ok = await deps.monitorState.putRuleState(
      result.changedKeys.map((key) => ({
        key,
        value: JSON.stringify(result.state[key]),
        version: stored.get(key)?.version ?? 0,
      })),
      now + RULE_STATE_TTL_MS,
    );
    if (!ok)
      deps.logger.warn('absence state changed meanwhile; the next sweep re-checks', {
        guestId: guest.guestId,
      });
  }
  return { guests: directory.guests.length, alerts };
}
