import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FUZZ_FIXTURES,
  fuzzInProcess,
  isSavedInput,
  loadSavedInput,
  runOne,
} from '../../../../scripts/fuzz/engine.ts';
import {
  checkInvariants,
  syslog3164Target,
  syslog5424Target,
} from '../../../../scripts/fuzz/targets/syslog.ts';
import { parseRfc3164, parseRfc5424, parseSyslog } from '../../../../shared/monitoring/syslog/index.ts';

/** A seeded PRNG, so that the property run is the same every time. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces that matter to the grammars, glued at random, with random characters between them. */
const PIECES = [
  '<',
  '>',
  '<13>',
  '<191>',
  '<192>',
  '<007>',
  '1 ',
  '999 ',
  '-',
  ' ',
  '  ',
  '[',
  ']',
  '"',
  '\\',
  '=',
  ':',
  '#012',
  '#',
  'T',
  't',
  'Z',
  '+',
  '.',
  '2024-02-29T23:59:59',
  '2023-02-29T00:00:00',
  '.123456789',
  '+01:00',
  '-0700',
  'Feb 29 ',
  'Oct  1 ',
  'NOV 22 ',
  '12:34:56',
  ' 2007 ',
  '*',
  '%ASA-6-302014:',
  '65536: ',
  'sshd[12]:',
  'host ',
  '[origin software="x"]',
  '[a b="c\\"d"]',
  '\uFEFF',
  '\n',
  '\r',
  '\0',
  'é',
  '\u{1F600}',
  '\uD800',
  '\uDFFF',
  'Message forwarded from ',
  'UTC:',
  '__proto__',
  'constructor',
];

function randomText(random: () => number): string {
  const parts: string[] = [];
  const n = Math.floor(random() * 24);
  for (let i = 0; i < n; i++) {
    parts.push(
      random() < 0.7
        ? (PIECES[Math.floor(random() * PIECES.length)] as string)
        : String.fromCharCode(Math.floor(random() * (random() < 0.9 ? 128 : 0x10000))),
    );
  }
  return parts.join('');
}

describe('never throws and keeps the invariants on random text', () => {
  it('3,000 random strings through every parser and listener setting', () => {
    const random = rng(2024);
    const optionSets = [
      { receivedAt: Date.UTC(2025, 0, 1, 0, 5) },
      {
        receivedAt: Date.UTC(2024, 1, 29, 12),
        expectHostname: false,
        defaultTimeZone: 'Australia/Lord_Howe',
      },
      {
        receivedAt: 0,
        defaultTimeZone: 600,
        decodeControlCharEscapes: false,
        structuredDataInRfc3164: false,
      },
    ];
    const failures: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const text = randomText(random);
      for (const options of optionSets) {
        for (const parse of [parseSyslog, parseRfc5424, parseRfc3164]) {
          try {
            checkInvariants(parse(text, options), text);
          } catch (error) {
            failures.push(`${parse.name} ${JSON.stringify(text)}: ${(error as Error).message}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('syslog fuzz targets', () => {
  const targets = [syslog5424Target, syslog3164Target];
  const saved = targets.flatMap((target) => {
    const dir = join(FUZZ_FIXTURES, target.name);
    return existsSync(dir)
      ? readdirSync(dir)
          .filter(isSavedInput)
          .map((file) => ({ name: target.name, file, target }))
      : [];
  });

  it('has kept the inputs that once broke them', () => {
    expect(saved.length).toBeGreaterThan(0);
  });

  it.each(saved)('$name/$file still passes', async ({ target, name, file }) => {
    const input = loadSavedInput(join(FUZZ_FIXTURES, name, file));
    expect(await runOne(target, input, 5000)).toEqual({ ok: true });
  });

  it.each(targets)('$name: 1,000 mutated inputs, no failures', async (target) => {
    const { tried, failures } = await fuzzInProcess(target, { iterations: 1000, seed: 20240601 });
    expect(tried).toBe(1000);
    expect(failures.map((f) => `#${f.index}: ${f.error}`)).toEqual([]);
  });

  it('reports a broken invariant as a failure', async () => {
    const broken = {
      ...syslog5424Target,
      run: async () => checkInvariants({ ...parseSyslog('x'), pri: 192 }, 'x'),
    };
    const outcome = await runOne(broken, new Uint8Array());
    expect(outcome.ok).toBe(false);
  });
});
