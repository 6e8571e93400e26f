/** Records every event it is invoked with in the object store under `invocations/` (runtime tests). */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../../../shared/deps.ts';

export function createHandler(deps: Deps) {
  return async (event: unknown) => {
    await deps.objects.put(`invocations/${Date.now()}-${randomUUID()}.json`, JSON.stringify(event));
    return { ok: true };
  };
}
