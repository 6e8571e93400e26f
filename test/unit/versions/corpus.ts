/** Readers of the version corpora in test/fixtures/versions/. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const DIR = new URL('../../fixtures/versions/', import.meta.url);

export interface CorpusLine {
  line: number;
  a: string;
  b: string;
  answer: string;
}

/** A gzip'd `A<TAB>B<TAB>answer` corpus (lines starting with # are comments). */
export function readTsvCorpus(name: string): CorpusLine[] {
  const text = gunzipSync(readFileSync(new URL(name, DIR))).toString('utf8');
  const out: CorpusLine[] = [];
  text.split('\n').forEach((l, i) => {
    if (l === '' || l.startsWith('#')) return;
    const [a, b, answer, extra] = l.split('\t');
    if (answer === undefined || extra !== undefined) throw new Error(`${name}:${i + 1}: bad line`);
    out.push({ line: i + 1, a: a!, b: b!, answer });
  });
  return out;
}

export interface ApkCases {
  comparisons: { line: number; a: string; op: '<' | '=' | '>' | '!'; b: string }[];
  valid: { line: number; version: string; valid: boolean }[];
}

/** test/fixtures/versions/apk.txt: "A op B", "V" and "!V" lines. */
export function readApkCases(): ApkCases {
  const text = readFileSync(new URL('apk.txt', DIR), 'utf8');
  const out: ApkCases = { comparisons: [], valid: [] };
  text.split('\n').forEach((l, i) => {
    if (l === '' || l.startsWith('#')) return;
    const m = /^(\S+) ([<=>!]) (\S+)$/.exec(l);
    if (m) out.comparisons.push({ line: i + 1, a: m[1]!, op: m[2] as '<', b: m[3]! });
    else if (l.startsWith('!')) out.valid.push({ line: i + 1, version: l.slice(1), valid: false });
    else out.valid.push({ line: i + 1, version: l, valid: true });
  });
  return out;
}
