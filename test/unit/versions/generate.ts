/**
 * Seeded generators of version strings and pairs for the dpkg and rpm corpora (scripts/fixtures/versions.sh)
 * and for the live system test. Strings never hold TAB, CR, LF or NUL (the corpus is line/TAB separated),
 * nor are the dpkg ones "" or "<unknown>" (dpkg's command line special-cases those without parsing them).
 */

export type Rng = () => number;

/** mulberry32: a small deterministic PRNG in [0, 1). */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[int(rng, items.length)]!;
}

function digits(rng: Rng): string {
  const r = rng();
  if (r < 0.05) return '0'.repeat(1 + int(rng, 4)) + String(int(rng, 100));
  if (r < 0.1) {
    let s = String(1 + int(rng, 9));
    const n = 20 + int(rng, 25);
    while (s.length < n) s += String(int(rng, 10));
    return s;
  }
  if (r < 0.15) return String(20000000 + int(rng, 10000000));
  return String(int(rng, r < 0.6 ? 10 : 1000));
}

function letters(rng: Rng): string {
  const pool = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const words = [
    'rc',
    'alpha',
    'beta',
    'pre',
    'git',
    'dfsg',
    'deb',
    'ubuntu',
    'el',
    'fc',
    'a',
    'b',
    'Z',
    'svn',
  ];
  if (rng() < 0.6) return pick(rng, words);
  let s = '';
  const n = 1 + int(rng, 4);
  for (let i = 0; i < n; i++) s += pool[int(rng, pool.length)];
  return s;
}

const ODD = ['_', '^', 'é', '!', '€', '😀', '%', '@', '=', ',', '/', '\u00a0', 'ß', '\\', '"', '*'];

function piece(rng: Rng, seps: readonly string[]): string {
  const r = rng();
  if (r < 0.45) return digits(rng);
  if (r < 0.7) return letters(rng);
  if (r < 0.95) return pick(rng, seps);
  return pick(rng, ODD);
}

function body(rng: Rng, seps: readonly string[], maxPieces: number): string {
  let s = rng() < 0.9 ? digits(rng) : piece(rng, seps);
  const n = int(rng, maxPieces);
  for (let i = 0; i < n; i++) s += piece(rng, seps);
  return s;
}

const DPKG_EPOCHS = [
  '0',
  '1',
  '2',
  '10',
  '00',
  '007',
  '+1',
  '-0',
  '-1',
  '2147483647',
  '2147483648',
  '99999999999',
  '',
  'x',
  ' 1',
  '1a',
];

/** One adversarial dpkg version string. */
export function dpkgString(rng: Rng): string {
  let s = '';
  if (rng() < 0.25) s += `${pick(rng, DPKG_EPOCHS)}:`;
  s += body(rng, ['.', '.', '.', '+', '~', '~', '-', ':'], 6);
  if (rng() < 0.5) s += `-${rng() < 0.05 ? '' : body(rng, ['.', '+', '~', '~', '.'], 4)}`;
  if (rng() < 0.02) s = ` ${s}`;
  if (rng() < 0.02) s = `${s} `;
  if (rng() < 0.01) s = `${s} 1`;
  return clean(s) || '0';
}

const RPM_EPOCHS = ['0', '1', '2', '10', '00', '007', '', '4294967296', '99999999999999999999', '-1', 'a'];

/** One adversarial rpm EVR string. */
export function rpmString(rng: Rng): string {
  let s = '';
  if (rng() < 0.25) s += `${pick(rng, RPM_EPOCHS)}:`;
  s += body(rng, ['.', '.', '.', '_', '+', '~', '^', '^', '~', '-', ':', '..', '.~', '~~', '^~'], 6);
  if (rng() < 0.6) s += `-${rng() < 0.05 ? '' : body(rng, ['.', '_', '~', '^', '+', '.'], 4)}`;
  if (rng() < 0.02) s = pick(rng, ['...', '~', '^', '-', ':', '.-.', '~~', '^^', '_', '-:', '+']);
  return clean(s) || '0';
}

function clean(s: string): string {
  let out = '';
  for (const ch of s) if (ch !== '\t' && ch !== '\n' && ch !== '\r' && ch !== '\0') out += ch;
  return out === '<unknown>' ? '' : out;
}

const MUTATIONS: ((s: string, rng: Rng) => string)[] = [
  (s) => `${s}~`,
  (s) => `${s}~~`,
  (s) => `${s}~rc1`,
  (s) => `${s}^`,
  (s) => `${s}^git1`,
  (s) => `${s}+1`,
  (s) => `${s}.0`,
  (s) => `${s}0`,
  (s) => `${s}a`,
  (s) => `${s}.`,
  (s) => `${s}-1`,
  (s) => `${s}-0`,
  (s) => `0:${s}`,
  (s) => `1:${s}`,
  (s) => s.replace(/\d+/, (d) => `00${d}`),
  (s) => s.replace(/\d+(?!.*\d)/, (d) => String(BigInt(d) + 1n)),
  (s) => s.replace(/\d+/, (d) => `${d}0000000000000000000000000`),
  (s) => s.replace('.', '+'),
  (s) => s.replace('.', '~'),
  (s) => s.replace('.', '_'),
  (s) => s.replace('.', '^'),
  (s) => s.replace('.', '..'),
  (s) => s.replace(/[a-z]/, (c) => c.toUpperCase()),
  (s) => s.slice(0, -1),
  (s, rng) => s.slice(0, int(rng, s.length + 1)),
];

/** A near neighbour of s: one small edit. */
export function mutate(s: string, rng: Rng): string {
  return clean(pick(rng, MUTATIONS)(s, rng)) || s;
}

/**
 * Pairs from a pool of strings: random pairs, neighbours after sorting (with `compare`, invalid strings
 * last), and each string against a mutation of itself; `count` in all, a third each.
 */
export function makePairs(
  pool: readonly string[],
  count: number,
  rng: Rng,
  compare: (a: string, b: string) => number | undefined,
): [string, string][] {
  const pairs: [string, string][] = [];
  const third = Math.floor(count / 3);
  for (let i = 0; i < third; i++) pairs.push([pick(rng, pool), pick(rng, pool)]);
  const sorted = [...pool].sort((a, b) => {
    const r = compare(a, b);
    if (r !== undefined) return r;
    return (compare(a, a) === undefined ? 1 : 0) - (compare(b, b) === undefined ? 1 : 0) || (a < b ? -1 : 1);
  });
  const start = int(rng, Math.max(1, sorted.length - third));
  for (let i = 0; i < third && start + i + 1 < sorted.length; i++) {
    const a = sorted[start + i]!;
    const b = sorted[start + i + 1]!;
    pairs.push(rng() < 0.5 ? [a, b] : [b, a]);
  }
  while (pairs.length < count) {
    const a = pick(rng, pool);
    const b = mutate(a, rng);
    pairs.push(rng() < 0.5 ? [a, b] : [b, a]);
  }
  return pairs;
}

/** Real-world rpm EVRs (RHEL, Fedora, SUSE, Amazon Linux styles). */
export const RPM_REAL: readonly string[] = [
  '5.14.0-362.8.1.el9_3',
  '5.14.0-362.13.1.el9_3',
  '5.14.0-70.13.1.el9_0',
  '4.18.0-513.5.1.el8_9',
  '4.18.0-477.27.1.el8_8',
  '3.10.0-1160.105.1.el7',
  '1:3.0.7-24.el9',
  '1:3.0.7-25.el9_3',
  '1:1.1.1k-9.el8_7',
  '1:1.1.1k-12.el8_9',
  '2.34-83.el9_3.7',
  '2.34-60.el9',
  '2.28-225.el8_8.6',
  '0:1.2.11-40.el9',
  '1.2.11-31.el9_0.1',
  '252-18.el9',
  '252-14.el9_2.3',
  '239-78.el8',
  '2:9.0.2153-1.el9',
  '2:8.2.2637-20.el9_1',
  '7.76.1-26.el9_3.2',
  '7.61.1-33.el8_9.5',
  '6.5.0-0.rc7.20230821git.fc40',
  '6.5.0-0.rc7.fc40',
  '6.5.0-1.fc40',
  '6.8.9-300.fc40',
  '6.11.4-201.fc40',
  '1.0^20230101git1234abc-1.fc39',
  '1.0^20230215git9f8e7d6-1.fc39',
  '1.0-1.fc39',
  '2.0~rc1-1.fc40',
  '2.0~rc2-1.fc40',
  '2.0-1.fc40',
  '2.0^post1-1.fc40',
  '3.12.0~b4-1.fc40',
  '3.12.0-1.fc40',
  '3.12.1-2.fc41',
  '1:2.43.0-1.fc40',
  '2.43.0-1.fc39',
  '0.9.8e-fips-rhel5',
  '1.0.2k-26.el7_9',
  '5.3.28-53.el9',
  '1.44.6-5.el9',
  '3.9.18-1.el9_3.1',
  '3.11.5-1.el9_3',
  '12.2.1-2.fc40',
  '2.1.0-0.1.beta1.fc40',
  '4.18.0-553.el8_10',
  '8.0.35-1.module+el8.9.0+19742+6d0d8f5e',
  '10.5.22-1.module+el8.8.0+20134+a92c7654',
  '1.20.1-1.module_el8.7.0+3280+24f8ff9e',
  '2.4.37-62.module+el8.9.0+19699+7a7a2044.2',
  '3.0.1-150400.2.1',
  '1.1.1l-150400.7.60.2',
  '5.14.21-150500.55.39.1',
  '4.12.14-122.183.1',
  '2.0.30-1.amzn2023.0.2',
  '6.1.61-85.164.amzn2023',
  '1.0.2k-24.amzn2.0.7',
  '1:26.2-7.fc40',
  '32:9.18.19-1.el9_3',
  '2:1.8.0.392.b08-4.el9',
  '1:1.8.0.392.b08-2.el8',
  '17.0.9.0.9-2.el9',
  '1.2.3.4.5.6-7',
  '20240101-1.el9',
  '20230808-2.20231009.1.el9_3',
  '0.20191029gitd5b08c8-1.el9',
  '3.3.0-0.1.20231010git1a2b3c4.fc40',
  '1.0.0-0.1.rc1.el9',
  '1.0.0-0.2.rc2.el9',
  '1.0.0-1.el9',
  '2.02-150.el8',
  '2.06-70.el9_3.1',
  '1:2.06-70.el9_3.2',
  '4.16.1.3-25.el9',
  '4.18.2-1.fc40',
  '0.5.0~git20230101.abcdef-1',
  '115.4.1-1.el9_2',
  '115.5.0-1.el9_3',
  '9.4p1-7.el9',
  '8.7p1-34.el9_3.3',
  '8.0p1-19.el8_9.2',
];

/** Hand-picked dpkg edge cases; the corpus compares every one against every other. */
export const DPKG_EDGE: readonly string[] = [
  '0',
  '00',
  '1',
  '1.0',
  '1.00',
  '01.0',
  '1.0~',
  '1.0~~',
  '1.0~~a',
  '1.0~a',
  '1.0~0',
  '1.0a',
  '1.0A',
  '1.0+',
  '1.0.',
  '1.0-0',
  '1.0-1',
  '1.0-1~',
  '1.0-1+b1',
  '1.0-a',
  '1.0-',
  '-1.0',
  '0:1.0',
  '1:1.0',
  '+1:1.0',
  '-0:1.0',
  '-1:1.0',
  '2147483647:0',
  '2147483648:0',
  ':1.0',
  '1:',
  'a:1.0',
  '1.0:1',
  '1:2:3',
  '1:1.0-1-1',
  'a1.0',
  '~1',
  '1_0',
  '1.0é',
  '1.0\u00a0',
  ' 1.0',
  '1.0 ',
  '1 0',
  '1.0-1 ',
  '123456789012345678901234567890',
  '123456789012345678901234567891',
  '0000000000000000000000000000001',
  '1.123456789012345678901234567890',
  '1.0+dfsg-1',
  '1.0+dfsg1-1',
  '2.36.1-8+deb11u1',
  '2.36.1-8+deb12u1',
  '3.0.11-1~deb12u2',
  '1:9.18.19-1~deb12u1',
  '252.19-1~deb12u1',
];

/** Hand-picked rpm edge cases; the corpus compares every one against every other. */
export const RPM_EDGE: readonly string[] = [
  '',
  '0',
  '00',
  '1',
  '1.0',
  '1.00',
  '01.0',
  '1.0~',
  '1.0~~',
  '1.0~rc1',
  '1.0~~rc1',
  '1.0^',
  '1.0^^',
  '1.0^1',
  '1.0^git1',
  '1.0^~',
  '1.0~^',
  '1.0a',
  '1.0A',
  '1.0_1',
  '1.0.',
  '1.0..1',
  '1.0.1',
  '1.0-',
  '1.0-0',
  '1.0-1',
  '1.0-1.el9',
  '1.0-1.el9_3',
  '1.0-1.fc40',
  '-1',
  '-',
  ':',
  ':1.0',
  '0:1.0',
  '00:1.0',
  '1:1.0',
  '1:',
  '-1:1.0',
  'a:1.0',
  '1.0:1',
  '1:2:3',
  '1-2-3',
  '...',
  '~',
  '^',
  '+',
  'é',
  '1é0',
  '1.0é',
  '😀',
  'a',
  'A',
  'z',
  'Z',
  '123456789012345678901234567890',
  '123456789012345678901234567891',
  '0000000000000000000000000000001',
  '99999999999999999999:1',
  '99999999999999999998:1',
  '1.0 ',
  ' 1.0',
  '1 0',
];
