/**
 * The `outboard` command: `up` runs the local runtime; the other commands drive the portal API.
 * Every command answers `--help`; `--json` prints machine-readable output; errors exit non-zero.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GuestPathError } from '../disk/guest/guest-view.ts';
import { DiskFormatError } from '../disk/types.ts';
import { ConfigError, loadRuntimeConfig } from '../runtime/config.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { AV_SCAN_OPTIONS, AV_SCAN_SUMMARY, AV_SCAN_USAGE } from './av-scan.ts';

type Options = Record<string, string | boolean | string[] | undefined>;

interface Command {
  usage: string;
  summary: string;
  options?: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
  positionals?: string[];
  /** The last positional may repeat (one or more). */
  variadic?: boolean;
  run(ctx: {
    opts: Options;
    args: string[];
    api: () => ApiClient;
    out: (value: unknown, text?: string) => void;
  }): Promise<number>;
}

class UsageError extends Error {
  override name = 'UsageError';
}

const GLOBAL_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  url: { type: 'string' },
  token: { type: 'string' },
} as const;

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForJob(api: ApiClient, jobId: string, timeoutSeconds: number) {
  const until = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const job = await api.request<{ status: string }>('GET', `/v1/jobs/${jobId}`);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    if (Date.now() > until) throw new UsageError(`job ${jobId} still ${job.status} after ${timeoutSeconds}s`);
    await sleep(250);
  }
}

/**
 * The keyring of `--keyring` (repeatable), else of OUTBOARD_FEED_KEYRINGS; undefined when neither names
 * one (InRelease signatures are then not verified, and the feed notes say so).
 */
async function keyringOption(values: unknown) {
  const { FEED_KEYRINGS_ENV, keyringPathsFrom, loadKeyring } = await import('../feeds/openpgp/load.ts');
  const { OpenPgpError } = await import('../feeds/openpgp/packets.ts');
  const given = (values as string[] | undefined) ?? [];
  const paths = given.length > 0 ? given : keyringPathsFrom(process.env[FEED_KEYRINGS_ENV]);
  if (paths.length === 0) return undefined;
  try {
    return await loadKeyring(paths.map((p) => resolve(p)));
  } catch (error) {
    if (error instanceof OpenPgpError) throw new UsageError(`keyring: ${error.message}`);
    throw error;
  }
}

function tagsFrom(values: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const v of (values as string[] | undefined) ?? []) {
    const at = v.indexOf('=');
    if (at < 1) throw new UsageError(`--tag expects key=value, got "${v}"`);
    tags[v.slice(0, at)] = v.slice(at + 1);
  }
  return tags;
}

const COMMANDS: Record<string, Command> = {
  up: {
    usage: 'outboard up',
    summary: 'Run the whole system on this machine (the local runtime); stop with Ctrl-C.',
    async run() {
      const { startRuntime } = await import('../runtime/runtime.ts');
      const config = loadRuntimeConfig();
      const { seedDemoEstate } = await import('../runtime/demo-estate.ts');
      const runtime = await startRuntime(config);
      let demo = '';
      try {
        const seeded = await seedDemoEstate({ config, parts: runtime.parts, logger: runtime.logger });
        if (seeded.status === 'created')
          demo =
            `  Demo estate created in ${seeded.dir}: ${seeded.guests.map((g) => `${g.name} (${g.id})`).join(', ')}\n` +
            '    with patching and backup enabled and demo feeds imported; scan one with\n' +
            `    curl -s -X POST ${runtime.url}/v1/guests/${seeded.guests[0]!.id}/patch-scans\n` +
            '    (start a new home with OUTBOARD_DEMO=0 to have no demo estate)\n';
      } catch (error) {
        runtime.logger.error('demo estate could not be created', { error: String(error) });
        demo = `  Demo estate not created (${(error as Error).message}); the next start completes it. OUTBOARD_DEMO=0 turns it off.\n`;
      }
      process.stdout.write(
        `Outboard is running (estate ${config.estate}, data in ${config.home})\n` +
          `  API: ${runtime.url}\n` +
          runtime.listeners.map((l) => `  ${l.name}: ${l.address}\n`).join('') +
          `  OpenAPI: ${runtime.url}/v1/openapi.json\n` +
          demo,
      );
      await new Promise<void>((resolveStop) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void runtime.stop().then(resolveStop);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      return 0;
    },
  },
  'guests list': {
    usage: 'outboard guests list [--limit N]',
    summary: 'List registered guests.',
    options: { limit: { type: 'string' }, all: { type: 'boolean' } },
    async run({ opts, api, out }) {
      const items: { id: string; name: string; connector: string }[] = [];
      let cursor: string | undefined;
      do {
        const q = new URLSearchParams({ limit: String(opts.limit ?? 100), ...(cursor ? { cursor } : {}) });
        const page = await api().request<{ items: typeof items; nextCursor?: string }>(
          'GET',
          `/v1/guests?${q}`,
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && !opts.limit);
      out(items, items.map((g) => `${g.id}\t${g.connector}\t${g.name}`).join('\n'));
      return 0;
    },
  },
  'guests register': {
    usage:
      'outboard guests register --name NAME --disk /abs/disk0.img [--disk …] [--hostname H] [--address IP] [--tag k=v]',
    summary: 'Register a guest whose disks are raw image files (local connector).',
    options: {
      name: { type: 'string' },
      disk: { type: 'string', multiple: true },
      hostname: { type: 'string', multiple: true },
      address: { type: 'string', multiple: true },
      tag: { type: 'string', multiple: true },
    },
    async run({ opts, api, out }) {
      if (!opts.name) throw new UsageError('--name is required');
      const disks = ((opts.disk as string[] | undefined) ?? []).map((d) => resolve(d));
      if (disks.length === 0) throw new UsageError('at least one --disk is required');
      const guest = await api().request<{ id: string }>('POST', '/v1/guests', {
        name: opts.name,
        connector: 'local',
        disks,
        hostnames: opts.hostname ?? [],
        addresses: opts.address ?? [],
        tags: tagsFrom(opts.tag),
      });
      out(guest, guest.id);
      return 0;
    },
  },
  'guests show': {
    usage: 'outboard guests show GUEST_ID',
    summary: 'Show one guest.',
    positionals: ['GUEST_ID'],
    async run({ args, api, out }) {
      const guest = await api().request('GET', `/v1/guests/${encodeURIComponent(args[0]!)}`);
      out(guest, JSON.stringify(guest, null, 2));
      return 0;
    },
  },
  'guests delete': {
    usage: 'outboard guests delete GUEST_ID',
    summary: 'Delete a guest (its services are disabled first).',
    positionals: ['GUEST_ID'],
    async run({ args, api, out }) {
      await api().request('DELETE', `/v1/guests/${encodeURIComponent(args[0]!)}`);
      out({ deleted: args[0] }, `deleted ${args[0]}`);
      return 0;
    },
  },
  'services list': {
    usage: 'outboard services list GUEST_ID',
    summary: "List a guest's enabled services and their policies.",
    positionals: ['GUEST_ID'],
    async run({ args, api, out }) {
      const r = await api().request<{ items: { service: string; policy: { schedule: string } }[] }>(
        'GET',
        `/v1/guests/${encodeURIComponent(args[0]!)}/services`,
      );
      out(r, r.items.map((s) => `${s.service}\t${s.policy.schedule}`).join('\n'));
      return 0;
    },
  },
  'services enable': {
    usage: 'outboard services enable GUEST_ID SERVICE [--policy FILE.json]',
    summary:
      'Enable a service (patching, monitoring, backup, antivirus) with a policy file, or all defaults.',
    positionals: ['GUEST_ID', 'SERVICE'],
    options: { policy: { type: 'string' } },
    async run({ args, opts, api, out }) {
      let policy: unknown = {};
      if (opts.policy) {
        try {
          policy = JSON.parse(readFileSync(String(opts.policy), 'utf8'));
        } catch (error) {
          throw new UsageError(`cannot read policy file ${opts.policy}: ${(error as Error).message}`);
        }
      }
      const s = await api().request(
        'PUT',
        `/v1/guests/${encodeURIComponent(args[0]!)}/services/${encodeURIComponent(args[1]!)}`,
        policy,
      );
      out(s, JSON.stringify(s, null, 2));
      return 0;
    },
  },
  'services disable': {
    usage: 'outboard services disable GUEST_ID SERVICE',
    summary: 'Disable a service for a guest.',
    positionals: ['GUEST_ID', 'SERVICE'],
    async run({ args, api, out }) {
      await api().request(
        'DELETE',
        `/v1/guests/${encodeURIComponent(args[0]!)}/services/${encodeURIComponent(args[1]!)}`,
      );
      out({ disabled: args[1] }, `disabled ${args[1]}`);
      return 0;
    },
  },
  backup: {
    usage: 'outboard backup GUEST_ID [--wait] [--timeout SECONDS]',
    summary: 'Request a backup now; --wait follows the job to its end (exit 1 if it failed).',
    positionals: ['GUEST_ID'],
    options: { wait: { type: 'boolean' }, timeout: { type: 'string' } },
    async run({ args, opts, api, out }) {
      const accepted = await api().request<{ jobId: string }>(
        'POST',
        `/v1/guests/${encodeURIComponent(args[0]!)}/backups`,
        {},
      );
      if (!opts.wait) {
        out(accepted, accepted.jobId);
        return 0;
      }
      const job = await waitForJob(api(), accepted.jobId, Number(opts.timeout ?? 600));
      out(job, `${accepted.jobId}\t${job.status}`);
      return job.status === 'succeeded' ? 0 : 1;
    },
  },
  'patch-scan': {
    usage: 'outboard patch-scan GUEST_ID [--wait] [--timeout SECONDS]',
    summary: 'Request a patch scan now; --wait follows the job to its end (exit 1 if it failed).',
    positionals: ['GUEST_ID'],
    options: { wait: { type: 'boolean' }, timeout: { type: 'string' } },
    async run({ args, opts, api, out }) {
      const accepted = await api().request<{ jobId: string }>(
        'POST',
        `/v1/guests/${encodeURIComponent(args[0]!)}/patch-scans`,
        {},
      );
      if (!opts.wait) {
        out(accepted, accepted.jobId);
        return 0;
      }
      const job = await waitForJob(api(), accepted.jobId, Number(opts.timeout ?? 900));
      out(job, `${accepted.jobId}\t${job.status}`);
      return job.status === 'succeeded' ? 0 : 1;
    },
  },
  'feeds import': {
    usage: 'outboard feeds import PATH-OR-URL [PATH-OR-URL…] [--replace] [--keyring FILE-OR-DIR…]',
    summary:
      'Import package and advisory feeds into the local runtime (OUTBOARD_HOME), with every feed imported before (--replace: only these); with keyrings (--keyring, OUTBOARD_FEED_KEYRINGS) a Debian/Ubuntu mirror must carry a validly signed InRelease.',
    positionals: ['PATH-OR-URL'],
    variadic: true,
    options: { replace: { type: 'boolean' }, keyring: { type: 'string', multiple: true } },
    async run({ args, opts, out }) {
      const { FsObjectStore } = await import('../adapters/local/object-store.ts');
      const { homePaths } = await import('../runtime/local-deps.ts');
      const { FeedImportError, importFeedsIntoStore } = await import('../domain/patching/feeds.ts');
      const config = loadRuntimeConfig();
      const objects = new FsObjectStore(homePaths(config.home).objects);
      const locations = args.map((a) => (/^https?:\/\//i.test(a) ? a : resolve(a)));
      const tty = process.stderr.isTTY;
      const keyring = await keyringOption(opts.keyring);
      const saved = await importFeedsIntoStore({ objects, clock: { now: () => new Date() } }, locations, {
        ...(opts.replace ? { replace: 'all' as const } : {}),
        ...(keyring ? { keyring } : {}),
        progress: (location, i, total) => {
          if (tty) process.stderr.write(`importing ${i + 1}/${total} ${location}\n`);
        },
      }).catch((error: unknown) => {
        throw error instanceof FeedImportError ? new UsageError(error.message) : error;
      });
      out(
        saved,
        [
          ...saved.sources.flatMap((s) =>
            s.feeds.map(
              (f) =>
                `${f.kind}\t${f.release ?? '-'}\t${f.packages} packages\t${f.advisories} advisories\t${f.date ?? f.mtime ?? '-'}\t${f.location}`,
            ),
          ),
          `feed index saved (${saved.indexBytes} bytes) from ${saved.sources.length} source(s) in ${config.home}`,
        ].join('\n'),
      );
      return 0;
    },
  },
  'feeds list': {
    usage: 'outboard feeds list',
    summary: 'The feeds imported into the local runtime (OUTBOARD_HOME), with their freshness.',
    async run({ out }) {
      const { FsObjectStore } = await import('../adapters/local/object-store.ts');
      const { homePaths } = await import('../runtime/local-deps.ts');
      const { loadFeedSources } = await import('../domain/patching/feeds.ts');
      const config = loadRuntimeConfig();
      const sources = await loadFeedSources(new FsObjectStore(homePaths(config.home).objects));
      if (!sources)
        throw new UsageError(`no feeds imported in ${config.home}: run outboard feeds import PATH-OR-URL`);
      out(
        sources,
        sources.sources
          .map((s) => `${s.location}\t${s.origin}\t${s.importedAt}\t${s.feeds.length} feed(s)`)
          .join('\n'),
      );
      return 0;
    },
  },
  'jobs show': {
    usage: 'outboard jobs show JOB_ID [--wait]',
    summary: 'Show a job; --wait follows it to its end.',
    positionals: ['JOB_ID'],
    options: { wait: { type: 'boolean' }, timeout: { type: 'string' } },
    async run({ args, opts, api, out }) {
      const job = opts.wait
        ? await waitForJob(api(), args[0]!, Number(opts.timeout ?? 600))
        : await api().request('GET', `/v1/jobs/${encodeURIComponent(args[0]!)}`);
      out(job, JSON.stringify(job, null, 2));
      return 0;
    },
  },
  'restore-points list': {
    usage: 'outboard restore-points list GUEST_ID',
    summary: "List a guest's restore points, newest first.",
    positionals: ['GUEST_ID'],
    async run({ args, api, out }) {
      const r = await api().request<{ items: { id: string; createdAt: string; snapshotId: string }[] }>(
        'GET',
        `/v1/guests/${encodeURIComponent(args[0]!)}/restore-points`,
      );
      out(r, r.items.map((p) => `${p.id}\t${p.createdAt}\t${p.snapshotId}`).join('\n'));
      return 0;
    },
  },
  'image info': {
    usage: 'outboard image info IMAGE [IMAGE…]',
    summary: "A guest's disk images (raw, qcow2, VMDK): container, partitions, volumes, filesystems, OS.",
    positionals: ['IMAGE'],
    variadic: true,
    async run({ args, out }) {
      const { describeImages, openImages } = await import('../disk/inspect.ts');
      const opened = await openImages(args);
      try {
        const info = describeImages(args, opened);
        out(info, formatInfo(info));
        return 0;
      } finally {
        await opened.close();
      }
    },
  },
  'image files': {
    usage: 'outboard image files IMAGE [IMAGE…] [--hash sha256]',
    summary:
      'Every regular file of the guest: PATH<TAB>SIZE[<TAB>SHA256], sorted (tab, newline and \\ in names escaped).',
    positionals: ['IMAGE'],
    variadic: true,
    options: { hash: { type: 'string' } },
    async run({ args, opts, out }) {
      if (opts.hash !== undefined && opts.hash !== 'sha256')
        throw new UsageError('--hash supports only sha256');
      const { listGuestFiles, openImages } = await import('../disk/inspect.ts');
      const opened = await openImages(args);
      try {
        if (!opened.guest.view) throw new UsageError(`no readable filesystem in ${args.join(', ')}`);
        const files = await listGuestFiles(opened, opts.hash ? { hash: 'sha256' } : {});
        out(
          files,
          files
            .map((f) => [escapeField(f.path), f.size, ...(f.sha256 ? [f.sha256] : [])].join('\t'))
            .join('\n'),
        );
        return 0;
      } finally {
        await opened.close();
      }
    },
  },
  'image cat': {
    usage: 'outboard image cat IMAGE GUESTPATH [--disk MORE_IMAGE]…',
    summary: 'Write one file of the guest to standard output.',
    positionals: ['IMAGE', 'GUESTPATH'],
    options: { disk: { type: 'string', multiple: true } },
    async run({ args, opts }) {
      const { openImages } = await import('../disk/inspect.ts');
      const opened = await openImages([args[0]!, ...((opts.disk as string[] | undefined) ?? [])]);
      try {
        const view = opened.guest.view;
        if (!view) throw new UsageError(`no readable filesystem in ${args[0]}`);
        const { pipeline } = await import('node:stream/promises');
        await pipeline(view.createReadStream(args[1]!), process.stdout, { end: false });
        return 0;
      } finally {
        await opened.close();
      }
    },
  },
  'versions compare': {
    usage: 'outboard versions compare --scheme dpkg|rpm|apk < PAIRS',
    summary:
      'Compare version pairs, lines A<TAB>B on stdin: prints -1, 0 or 1 per line, or invalid (either side invalid, or not exactly one TAB).',
    options: { scheme: { type: 'string' } },
    async run({ opts }) {
      const { isVersionScheme } = await import('../versions/index.ts');
      if (!isVersionScheme(opts.scheme)) throw new UsageError('--scheme must be dpkg, rpm or apk');
      const { compareStream } = await import('../versions/compare-stream.ts');
      await compareStream(opts.scheme, process.stdin, process.stdout);
      return 0;
    },
  },
  inventory: {
    usage: 'outboard inventory IMAGE [IMAGE…] [--format table|json|cyclonedx]',
    summary: "A guest's OS, installed packages (dpkg, rpm, apk) and kernels, read from its disk images.",
    positionals: ['IMAGE'],
    variadic: true,
    options: { format: { type: 'string' } },
    async run({ args, opts }) {
      const { INVENTORY_FORMATS, formatInventory } = await import('../inventory/format.ts');
      const format = (opts.format ?? (opts.json ? 'json' : 'table')) as (typeof INVENTORY_FORMATS)[number];
      if (!INVENTORY_FORMATS.includes(format))
        throw new UsageError(`--format must be ${INVENTORY_FORMATS.join(', ')}`);
      const { openImages } = await import('../disk/inspect.ts');
      const { collectInventory } = await import('../inventory/collect.ts');
      const opened = await openImages(args);
      try {
        if (!opened.guest.view) throw new UsageError(`no readable filesystem in ${args.join(', ')}`);
        const inventory = await collectInventory(opened.guest.view);
        process.stdout.write(`${formatInventory(inventory, format)}\n`);
        return 0;
      } finally {
        await opened.close();
      }
    },
  },
  'av-scan': {
    usage: AV_SCAN_USAGE,
    summary: AV_SCAN_SUMMARY,
    positionals: ['PATH-OR-IMAGE'],
    variadic: true,
    options: AV_SCAN_OPTIONS,
    async run({ args, opts }) {
      const { runAvScan } = await import('./av-scan.ts');
      return runAvScan(args, opts);
    },
  },
  scan: {
    usage:
      'outboard scan IMAGE [IMAGE…] --feed PATH [--feed PATH…] [--keyring FILE-OR-DIR…] [--format table|json|cyclonedx|sarif] [--severity low|medium|high|critical] [--exit-code N]',
    summary:
      'Patch scan of a guest from its disk images against feeds; exits N (--exit-code) when findings remain, 3 when the guest is not assessable.',
    positionals: ['IMAGE'],
    variadic: true,
    options: {
      feed: { type: 'string', multiple: true },
      keyring: { type: 'string', multiple: true },
      format: { type: 'string' },
      severity: { type: 'string' },
      'exit-code': { type: 'string' },
    },
    async run({ args, opts }) {
      const { SCAN_FORMATS, SEVERITY_LEVELS, filterBySeverity, formatScan } = await import(
        '../patching/format.ts'
      );
      const format = (opts.format ?? (opts.json ? 'json' : 'table')) as (typeof SCAN_FORMATS)[number];
      if (!SCAN_FORMATS.includes(format)) throw new UsageError(`--format must be ${SCAN_FORMATS.join(', ')}`);
      const severity = opts.severity as (typeof SEVERITY_LEVELS)[number] | undefined;
      if (severity !== undefined && !SEVERITY_LEVELS.includes(severity))
        throw new UsageError(`--severity must be ${SEVERITY_LEVELS.join(', ')}`);
      const exitCode = opts['exit-code'] === undefined ? 0 : Number(opts['exit-code']);
      if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255)
        throw new UsageError('--exit-code must be an integer 0-255');
      const feeds = (opts.feed as string[] | undefined) ?? [];
      if (feeds.length === 0) throw new UsageError('at least one --feed is required');
      const { scanImages } = await import('../patching/scan.ts');
      const tty = process.stderr.isTTY === true;
      const { FeedFormatError } = await import('../feeds/types.ts');
      const keyring = await keyringOption(opts.keyring);
      const scanned = await scanImages(args, feeds, {
        ...(keyring ? { keyring } : {}),
        progress: (stage, detail) => {
          if (tty) process.stderr.write(`\r\x1b[K${stage}: ${detail}${stage === 'done' ? '\n' : ''}`);
        },
      }).catch((error: unknown) => {
        if (tty) process.stderr.write('\n');
        throw error instanceof FeedFormatError ? new UsageError(`feed: ${error.message}`) : error;
      });
      const result = filterBySeverity(scanned, severity);
      process.stdout.write(`${formatScan(result, format)}\n`);
      if (!result.assessable) {
        process.stderr.write(`outboard scan: not assessable: ${result.reasons.join('; ')}\n`);
        return 3;
      }
      return result.findings.length > 0 ? exitCode : 0;
    },
  },
};

function escapeField(s: string): string {
  return s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c);
}

function formatInfo(info: ReturnType<typeof import('../disk/inspect.ts').describeImages>): string {
  const lines: string[] = [];
  for (const d of info.disks) lines.push(`disk ${d.path}: ${d.format}, ${d.virtualSize} bytes`);
  for (const [i, t] of info.partitionTables.entries()) {
    lines.push(
      `disk${i} partition table: ${t.scheme}${t.scheme === 'none' ? '' : ` (${t.sectorSize}-byte sectors)`}`,
    );
    for (const n of t.notes) lines.push(`  note: ${n}`);
  }
  for (const v of info.volumes) {
    const fs = v.filesystem
      ? `${v.filesystem.kind}${v.filesystem.label ? ` label=${v.filesystem.label}` : ''}${v.filesystem.uuid ? ` uuid=${v.filesystem.uuid}` : ''}${v.filesystem.needsRecovery ? ' (journal not replayed)' : ''}`
      : `no filesystem${v.problem ? ` (${v.problem})` : ''}`;
    lines.push(
      `volume ${v.id} (${v.kind}, ${v.size} bytes): ${fs}${v.mountPoint ? ` mounted at ${v.mountPoint}` : ''}`,
    );
  }
  if (info.os) lines.push(`os: ${info.os.PRETTY_NAME ?? `${info.os.ID ?? '?'} ${info.os.VERSION_ID ?? ''}`}`);
  for (const n of info.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'Usage: outboard COMMAND [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --url URL      the API (default $OUTBOARD_URL or http://127.0.0.1:$OUTBOARD_HTTP_PORT, port 8080)',
    '  --token JWT    bearer token for a provider estate (default $OUTBOARD_TOKEN)',
    '  --json         machine-readable output',
    '  -h, --help     help for any command',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = [words.slice(0, 2).join(' '), words[0] ?? ''].find((n) => COMMANDS[n]);
  if (!name) {
    if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(help());
      return argv.length === 0 ? 2 : 0;
    }
    process.stderr.write(`outboard: unknown command "${words.slice(0, 2).join(' ')}"\n\n${help()}`);
    return 2;
  }
  const command = COMMANDS[name]!;
  const rest = argv.slice();
  for (const word of name.split(' ')) rest.splice(rest.indexOf(word), 1);
  try {
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...(command.options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
    const opts = parsed.values as Options;
    if (opts.help) {
      process.stdout.write(`Usage: ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    const expected = command.positionals ?? [];
    const countOk = command.variadic
      ? parsed.positionals.length >= expected.length
      : parsed.positionals.length === expected.length;
    if (!countOk) {
      throw new UsageError(
        `expected ${expected.length ? expected.join(' ') : 'no arguments'}; usage: ${command.usage}`,
      );
    }
    const api = () =>
      new ApiClient({
        baseUrl:
          (opts.url as string | undefined) ??
          process.env.OUTBOARD_URL ??
          `http://127.0.0.1:${process.env.OUTBOARD_HTTP_PORT || 8080}`,
        ...((opts.token ?? process.env.OUTBOARD_TOKEN)
          ? { token: String(opts.token ?? process.env.OUTBOARD_TOKEN) }
          : {}),
      });
    const out = (value: unknown, text?: string) => {
      process.stdout.write(`${opts.json || text === undefined ? JSON.stringify(value, null, 2) : text}\n`);
    };
    return await command.run({ opts, args: parsed.positionals, api, out });
  } catch (error) {
    if (error instanceof DiskFormatError || error instanceof GuestPathError) {
      process.stderr.write(`outboard ${name}: ${error.message}\n`);
      return 1;
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (error as NodeJS.ErrnoException).path) {
      process.stderr.write(`outboard ${name}: no such file: ${(error as NodeJS.ErrnoException).path}\n`);
      return 1;
    }
    if (error instanceof UsageError || error instanceof ApiError || error instanceof ConfigError) {
      process.stderr.write(`outboard ${name}: ${error.message}\n`);
      return error instanceof ApiError ? 1 : 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`outboard ${name}: ${(error as Error).message}\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(
      `outboard ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
