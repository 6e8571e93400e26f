/**
 * The built-in rule pack: the JSON files of `builtin/`, bundled with the code (JSON imports, so the
 * Lambda bundle carries them and nothing is read from disk at run time), loaded through the same
 * `loadRulePack` as a tenant's pack. Tenants layer their own pack on top (`combineRulePacks`).
 */
import common from './builtin/common.json' with { type: 'json' };
import linux from './builtin/linux.json' with { type: 'json' };
import windows from './builtin/windows.json' with { type: 'json' };
import { type CompiledRulePack, loadRulePack } from './load.ts';

/** The built-in packs' JSON by source name, in load order. */
export const BUILTIN_RULE_PACKS: Readonly<Record<string, unknown>> = {
  'builtin/windows.json': windows,
  'builtin/linux.json': linux,
  'builtin/common.json': common,
};

/** Loads and compiles the built-in packs (throws `RulePackError` if one is broken: a bug, caught by the tests). */
export function loadBuiltinRulePacks(): CompiledRulePack[] {
  return Object.entries(BUILTIN_RULE_PACKS).map(([source, json]) => loadRulePack(json, source, 'builtin'));
}
