/**
 * A thousand body signatures compile into one automaton (bounded in size: at most 4 bytes per part) and
 * a file is matched against all of them in one pass. Timing is measured by bench/av-engine.ts, not here.
 */
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../../../shared/antivirus/engine/program.ts';
import { CompiledDatabase } from '../../../../shared/antivirus/engine/scan.ts';
import { binary, dbFrom, seeded } from './helpers.ts';

function generated(count: number, random: () => number): { ndb: string; samples: Uint8Array[] } {
  const lines: string[] = [];
  const samples: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const body = binary(24, random).subarray(4);
    const hex = Buffer.from(body).toString('hex');
    const shape = i % 4;
    if (shape === 0) lines.push(`Gen.${i}:0:*:${hex}`);
    else if (shape === 1) lines.push(`Gen.${i}:0:*:${hex.slice(0, 16)}??${hex.slice(18)}`);
    else if (shape === 2) lines.push(`Gen.${i}:0:*:${hex.slice(0, 16)}{2-10}${hex.slice(20)}`);
    else lines.push(`Gen.${i}:0:*:${hex.slice(0, 12)}(${hex.slice(12, 14)}|00)${hex.slice(14)}`);
    samples.push(body);
  }
  return { ndb: lines.join('\n'), samples };
}

describe('scale', () => {
  const random = seeded(99);
  const { ndb, samples } = generated(1000, random);
  const db = dbFrom({ 'gen.ndb': ndb });

  it('compiles 1,000 body signatures into one bounded automaton', () => {
    expect(db.report.errors).toEqual([]);
    const program = compileProgram(db.bodies);
    expect(program.anchors.length).toBe(1250);
    expect(program.automaton.states).toBeLessThanOrEqual(1 + 4 * program.anchors.length);
  });

  it('finds exactly the planted signatures in one pass over a 1 MiB file', () => {
    const compiled = new CompiledDatabase(db);
    const file = binary(1 << 20, random);
    const planted = [3, 250, 501, 777, 998];
    for (const [k, i] of planted.entries()) file.set(samples[i] as Uint8Array, 1000 + k * 200_000);
    const found = compiled.scanBuffer(file).map((d) => d.signature);
    expect(found.sort()).toEqual(planted.map((i) => `Gen.${i}.UNOFFICIAL`).sort());
  });
});
