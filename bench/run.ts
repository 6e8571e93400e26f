/** Runs every benchmark and writes docs/benchmarks.md with the machine they ran on. */
import { writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { runBusMatchingBench } from './bus-matching.ts';
import { runDiskBench } from './disk-read.ts';
import { runPatchScanBench } from './patch-scan.ts';
import { type BenchResult, runQueueBench } from './queue-throughput.ts';

const results: BenchResult[] = [];
const benches: (() => Promise<BenchResult | BenchResult[]>)[] = [
  runQueueBench,
  runBusMatchingBench,
  runDiskBench,
  runPatchScanBench,
];
for (const bench of benches) {
  const out = await bench();
  for (const r of Array.isArray(out) ? out : [out]) {
    const lines = Object.entries(r.metrics).map(([k, v]) => `  ${k}: ${v}`);
    process.stdout.write(`${r.name}\n${lines.join('\n')}\n`);
    results.push(r);
  }
}

const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} GiB free), Node ${process.version}, ${process.platform}/${process.arch}`;
const lines = [
  '# Benchmarks',
  '',
  '<!-- Written by `npm run bench` (bench/run.ts). Each benchmark measures its baseline in the same run. -->',
  '',
  `Run on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
  '',
];
for (const r of results) {
  lines.push(`## ${r.name}`, '', r.notes, '', '| metric | value |', '| --- | ---: |');
  for (const [k, v] of Object.entries(r.metrics))
    lines.push(`| ${k.replaceAll('|', '\\|')} | ${v.toLocaleString('en-US')} |`);
  lines.push('');
}
writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), `${lines.join('\n')}`);
process.stdout.write('wrote docs/benchmarks.md\n');
