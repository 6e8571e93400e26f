/**
 * Builds the dpkg and rpm corpora of test/fixtures/versions/ (run by scripts/fixtures/versions.sh): version
 * strings from the machine's Debian package lists, real RPM EVRs and seeded adversarial strings, paired
 * (random, sorted neighbours, mutations, every edge case against every other) and answered by the tools.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dpkg, rpm } from '../../../shared/versions/index.ts';
import {
  DPKG_EDGE,
  dpkgString,
  makePairs,
  type Rng,
  RPM_EDGE,
  RPM_REAL,
  rpmString,
  seededRng,
} from './generate.ts';
import { type Answer, dpkgAnswers, rpmAnswers } from './oracle.ts';

function sample(items: readonly string[], n: number, rng: Rng): string[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

function allPairs(items: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const a of items) for (const b of items) out.push([a, b]);
  return out;
}

function write(
  path: string,
  header: string,
  pairs: readonly (readonly [string, string])[],
  answers: Answer[],
) {
  const lines = pairs.map(([a, b], i) => `${a}\t${b}\t${answers[i]}\n`);
  writeFileSync(path, gzipSync(`${header}\n${lines.join('')}`, { level: 9 }));
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
  process.stdout.write(`${path}: ${pairs.length} pairs ${JSON.stringify(counts)}\n`);
}

function toolVersion(cmd: string): string {
  return spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.trim();
}

export async function buildCorpora(realDpkgVersions: readonly string[], outDir: string): Promise<void> {
  const rng = seededRng(20240601);
  const real = [...new Set(realDpkgVersions.filter((v) => v && !/[\t\n\r\0]/.test(v)))].sort();
  const dpkgPool = [...sample(real, 4000, rng), ...Array.from({ length: 2000 }, () => dpkgString(rng))];
  const dpkgPairs = [...makePairs(dpkgPool, 21000, rng, dpkg.compareOrUndefined), ...allPairs(DPKG_EDGE)];
  write(
    join(outDir, 'dpkg.tsv.gz'),
    `# A<TAB>B<TAB>answer of \`dpkg --compare-versions -- A lt|gt B\` (exit 2 = invalid); ${toolVersion('dpkg')}; ${real.length} real versions known, scripts/fixtures/versions.sh`,
    dpkgPairs,
    await dpkgAnswers(dpkgPairs),
  );

  const rpmPool = [...RPM_REAL, ...Array.from({ length: 3000 }, () => rpmString(rng))];
  const rpmPairs = [...makePairs(rpmPool, 24000, rng, rpm.compareOrUndefined), ...allPairs(RPM_EDGE)];
  write(
    join(outDir, 'rpm.tsv.gz'),
    `# A<TAB>B<TAB>answer of rpm's Lua rpm.vercmp(A, B) (rpmverCmp; an error = invalid); ${toolVersion('rpm')}; scripts/fixtures/versions.sh`,
    rpmPairs,
    rpmAnswers(rpmPairs),
  );
}
