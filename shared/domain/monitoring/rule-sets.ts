/**
 * Which detection rules apply to a guest: the built-in packs, then its tenant's pack (stored at
 * `monitoring/rules/<tenant>.json` in the object store, loaded through the same validator and cached
 * for a minute), less the rules the guest's monitoring policy disables. A tenant pack that fails to
 * load is reported in the log and the built-in rules still run: a typo must not switch detection off.
 */
import type { Deps } from '../../deps.ts';
import type { SenderDirectory } from '../../monitoring/attribution.ts';
import {
  type CompiledRule,
  type CompiledRulePack,
  combineRulePacks,
  loadBuiltinRulePacks,
  loadRulePack,
} from '../../monitoring/rules/index.ts';

export const tenantRulesKey = (tenantId: string) => `monitoring/rules/${tenantId}.json`;
const TENANT_PACK_TTL_MS = 60_000;

export class RuleSets {
  readonly #builtin: CompiledRulePack[] = loadBuiltinRulePacks();
  readonly #deps: Pick<Deps, 'objects' | 'logger' | 'clock'>;
  readonly #packs = new Map<string, { at: number; pack: CompiledRulePack | null }>();

  constructor(deps: Pick<Deps, 'objects' | 'logger' | 'clock'>) {
    this.#deps = deps;
  }

  get builtin(): readonly CompiledRulePack[] {
    return this.#builtin;
  }

  /** Loads (or reuses) the packs of these tenants; call before `rulesFor`. */
  async prepare(tenantIds: Iterable<string>): Promise<void> {
    const now = this.#deps.clock.now().getTime();
    await Promise.all(
      [...new Set(tenantIds)].map(async (tenantId) => {
        const cached = this.#packs.get(tenantId);
        if (cached && now - cached.at < TENANT_PACK_TTL_MS) return;
        let pack: CompiledRulePack | null = null;
        const object = await this.#deps.objects.get(tenantRulesKey(tenantId));
        if (object) {
          try {
            pack = loadRulePack(Buffer.from(object.body).toString('utf8'), `tenant:${tenantId}`, 'tenant');
          } catch (error) {
            this.#deps.logger.error('tenant rule pack not loaded; built-in rules still apply', {
              tenantId,
              error: String(error),
            });
          }
        }
        this.#packs.set(tenantId, { at: now, pack });
      }),
    );
  }

  rulesFor(directory: SenderDirectory, tenantId: string, guestId: string): CompiledRule[] {
    const tenantPack = this.#packs.get(tenantId)?.pack;
    const rules = combineRulePacks(...this.#builtin, ...(tenantPack ? [tenantPack] : []));
    const disabled = new Set(directory.find(tenantId, guestId)?.policy.disabledRules ?? []);
    return disabled.size === 0
      ? rules
      : rules.map((r) => (disabled.has(r.id) ? { ...r, enabled: false } : r));
  }
}
