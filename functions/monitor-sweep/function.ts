import type { Deps } from '../../shared/deps.ts';
import { RuleSets } from '../../shared/domain/monitoring/rule-sets.ts';
import { sweepAbsence } from '../../shared/domain/monitoring/sweep.ts';
import { loadSenderDirectory } from '../../shared/monitoring/attribution.ts';

/** Scheduled: raises "guest silent" alerts (see shared/domain/monitoring/sweep.ts). */
export function createHandler(deps: Deps) {
  const ruleSets = new RuleSets(deps);
  return async (_event: unknown): Promise<{ guests: number; alerts: number }> => {
    const directory = await loadSenderDirectory(deps.registry);
    await ruleSets.prepare(directory.guests.map((g) => g.tenantId));
    const result = await sweepAbsence(deps, directory, (t, g) => ruleSets.rulesFor(directory, t, g));
    deps.logger.info('absence sweep', result);
    return result;
  };
}
