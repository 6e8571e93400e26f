/**
 * Installed Alpine packages from apk's database, `/lib/apk/db/installed` (`/usr/lib/apk/db/installed`
 * where apk keeps it under /usr): one block per package of `X:value` lines (a single-letter key),
 * blocks separated by empty lines. `P` name, `V` version, `A` architecture, `o` origin — the
 * source package (aports directory) it was built from, which shares its version. The other keys
 * (checksums, sizes, dependencies, file lists) are not needed and are not checked beyond their shape.
 *
 * A block with a line that is not `X:value`, without `P` or `V`, or with `P`, `V`, `A` or `o` twice
 * is refused, and a note says the inventory is incomplete.
 */
import { printable } from './control.ts';
import { describeError, MAX_DB_BYTES, readBytes } from './read.ts';
import type { GuestFiles, InstalledPackage } from './types.ts';

export const APK_INSTALLED_PATHS = ['/lib/apk/db/installed', '/usr/lib/apk/db/installed'] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;
/** apk-tools' version grammar: digits with dots, a letter, `_suffix[N]`…, `~hash`, `-rN`. */
const VERSION =
  /^\d+(?:\.\d+)*[a-z]?(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*(?:~[0-9a-f]+)?(?:-r\d+)?$/;
const ARCH = /^[a-z0-9_]+$/;
const SINGLE = ['P', 'V', 'A', 'o'] as const;

export interface ApkResult {
  packages: InstalledPackage[];
  notes: string[];
}

export interface ApkBlock {
  line: number;
  fields: Map<string, string>;
}

/** The blocks of an installed database; refused blocks come back as errors with their line. */
export function parseApkInstalled(bytes: Uint8Array): {
  blocks: ApkBlock[];
  errors: { line: number; problem: string }[];
} {
  if (bytes.includes(0)) throw new Error('contains NUL bytes: not an apk installed database');
  const lines = new TextDecoder().decode(bytes).split('\n');
  const blocks: ApkBlock[] = [];
  const errors: { line: number; problem: string }[] = [];
  let current: ApkBlock | undefined;
  let broken: { line: number; problem: string } | undefined;
  const finish = () => {
    if (broken) errors.push(broken);
    else if (current) blocks.push(current);
    current = undefined;
    broken = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') {
      finish();
      continue;
    }
    if (!current && !broken) current = { line: i + 1, fields: new Map() };
    if (broken) continue;
    const m = /^([A-Za-z]):(.*)$/.exec(line);
    if (!m) {
      broken = { line: i + 1, problem: `"${printable(line)}" is not an X:value line` };
      continue;
    }
    const k = m[1]!;
    if ((SINGLE as readonly string[]).includes(k) && current!.fields.has(k)) {
      broken = { line: i + 1, problem: `${k}: given twice in one package` };
      continue;
    }
    if (!current!.fields.has(k)) current!.fields.set(k, m[2]!);
  }
  finish();
  return { blocks, errors };
}

export async function collectApk(files: GuestFiles): Promise<ApkResult | undefined> {
  for (const path of APK_INSTALLED_PATHS) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readBytes(files, path, MAX_DB_BYTES);
    } catch (error) {
      return {
        packages: [],
        notes: [`${path}: cannot be read (${describeError(error)}); the package inventory is incomplete`],
      };
    }
    if (bytes === undefined) continue;
    return fromInstalled(bytes, path);
  }
  return undefined;
}

export function fromInstalled(bytes: Uint8Array, path: string): ApkResult {
  let parsed: ReturnType<typeof parseApkInstalled>;
  try {
    parsed = parseApkInstalled(bytes);
  } catch (error) {
    return {
      packages: [],
      notes: [
        `${path}: ${describeError(error)}; none of it was read, so the package inventory is incomplete`,
      ],
    };
  }
  const problems = parsed.errors.map((e) => `line ${e.line}: ${e.problem}`);
  const packages: InstalledPackage[] = [];
  for (const b of parsed.blocks) {
    const name = b.fields.get('P');
    const version = b.fields.get('V');
    const arch = b.fields.get('A');
    const origin = b.fields.get('o');
    const problem =
      name === undefined
        ? 'package without P: (name)'
        : !NAME.test(name)
          ? `invalid name "${printable(name)}"`
          : version === undefined
            ? `${name}: no V: (version)`
            : !VERSION.test(version)
              ? `${name}: invalid version "${printable(version)}"`
              : arch !== undefined && !ARCH.test(arch)
                ? `${name}: invalid architecture "${printable(arch)}"`
                : origin !== undefined && !NAME.test(origin)
                  ? `${name}: invalid origin "${printable(origin)}"`
                  : undefined;
    if (problem) {
      problems.push(`line ${b.line}: ${problem}`);
      continue;
    }
    const pkg: InstalledPackage = {
      format: 'apk',
      name: name!,
      version: version!,
      source: { name: origin ?? name!, version: version! },
      evidence: { file: path, collector: 'apk-installed' },
    };
    if (arch !== undefined) pkg.arch = arch;
    packages.push(pkg);
  }
  const notes: string[] = [];
  if (problems.length) {
    notes.push(
      `${path}: ${problems.length} package block(s) could not be read, so the package inventory is incomplete: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`,
    );
  }
  return { packages, notes };
}
