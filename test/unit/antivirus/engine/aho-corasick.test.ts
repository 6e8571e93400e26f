import { describe, expect, it } from 'vitest';
import { buildAutomaton } from '../../../../shared/antivirus/engine/aho-corasick.ts';
import { bytes } from './helpers.ts';

function scan(patterns: string[], text: string): [number, number][] {
  const a = buildAutomaton(patterns.map(bytes));
  const hits: [number, number][] = [];
  let s = 0;
  bytes(text).forEach((b, i) => {
    s = a.next[(s << 8) | b] as number;
    for (let o = a.outStart[s] as number; o < (a.outStart[s + 1] as number); o++)
      hits.push([a.outputs[o] as number, i + 1]);
  });
  return hits.sort((x, y) => x[1] - y[1] || x[0] - y[0]);
}

describe('Aho-Corasick automaton', () => {
  it('reports every pattern at every end position, overlapping ones included', () => {
    expect(scan(['he', 'she', 'his', 'hers'], 'ushers')).toEqual([
      [0, 4],
      [1, 4],
      [3, 6],
    ]);
  });

  it('follows failure links through repeated prefixes', () => {
    expect(scan(['aab', 'ab', 'b'], 'aaab')).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
    ]);
  });

  it('reports a pattern listed twice under both ids', () => {
    expect(scan(['xy', 'xy'], '.xy.')).toEqual([
      [0, 3],
      [1, 3],
    ]);
  });

  it('refuses an empty pattern', () => {
    expect(() => buildAutomaton([new Uint8Array(0)])).toThrow(/empty/);
  });
});
