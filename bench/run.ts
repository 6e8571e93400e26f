/** Runs every benchmark and writes docs/benchmarks.md with the machine they ran on. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { runAvDispatchBench } from './av-dispatch.ts';
import { runAvEngineBench } from './av-engine.ts';
import { runBusMatchingBench } from './bus-matching.ts';
import { runDiskBench } from './disk-read.ts';
import { runIngestBench } from './ingest-e2e.ts';
import { runPatchScanBench } from './patch-scan.ts';
import { type BenchResult, runQueueBench } from './queue-throughput.ts';
import { runSyslogParseBench } from './syslog-parse.ts';

const results: BenchResult[] = [];
/** `npm run bench -- syslog ingest`: only the benches whose function name contains one of the words. */
const only = process.argv.slice(2).map((a) => a.toLowerCase());
const benches: (() => Promise<BenchResult | BenchResult[]>)[] = [
  runQueueBench,
  runBusMatchingBench,
  runDiskBench,
  runPatchScanBench,
  runSyslogParseBench,
  runIngestBench,
  runAvEngineBench,
  runAvDispatchBench,
];
for (const bench of benches) {
  if (only.length > 0 && !only.some((w) => bench.name.toLowerCase().includes(w))) continue;
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
const target = new URL('../docs/benchmarks.md', import.meta.url);
const sections = new Map<string, string>();
for (const r of results) {
  const body = [`## ${r.name}`, '', r.notes, '', '| metric | value |', '| --- | ---: |'];
  for (const [k, v] of Object.entries(r.metrics))
    body.push(`| ${k.replaceAll('|', '\\|')} | ${v.toLocaleString('en-US')} |`);
  sections.set(r.name, `${body.join('\n')}\n`);
}
// A partial run (`npm run bench -- <words>`) keeps the other sections of the last full run.
if (only.length > 0 && existsSync(target)) {
  const previous = readFileSync(target, 'utf8')
    .split(/^(?=## )/m)
    .slice(1);
  for (const section of previous) {
    const name = section.slice(3, section.indexOf('\n'));
    if (!sections.has(name)) sections.set(name, section.endsWith('\n') ? section : `${section}\n`);
  }
}
lines.push(...[...sections.values()].map((s) => s.trimEnd()).flatMap((s) => [s, '']));
writeFileSync(target, `${lines.join('\n')}`);
process.stdout.write('wrote docs/benchmarks.md\n');
