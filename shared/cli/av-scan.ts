/**
 * `outboard av-scan`: files, folders and disk images through the built-in engine, reported line by line
 * as `clamscan -r` 1.4.6 reports them, so it drops into scripts written for clamscan.
 *
 * What it shares with clamscan, checked against clamscan 1.4.6:
 * - one line per file on stdout: `PATH: NAME FOUND`, `PATH: OK`, `PATH: Empty file` (size 0, not scanned),
 *   `PATH: Symbolic link` (a link met inside a folder; links named on the command line are followed),
 *   `PATH: Access denied`, `DIR: Can't open directory.`; `-i` keeps only the FOUND lines;
 * - folders are walked depth first in the order the directory lists its entries (not sorted), entering a
 *   subfolder where it is met; fifos, sockets and devices inside them are passed over in silence;
 * - a path that cannot be accessed or is not a file or folder is reported on stderr
 *   (`PATH: No such file or directory`, `WARNING: PATH: Can't access file`,
 *   `WARNING: PATH: Not supported file type`);
 * - archives (zip, gzip, tar) are opened with clamscan's default limits (recursion 17, 10,000 files,
 *   400 MiB per file, 100 MiB per member), and what a limit stops is reported `OK`, as clamscan does
 *   without `--alert-exceeds-max`; a corrupt archive is `OK` too; a zip whose members overlap (a zip
 *   bomb) is `Heuristics.Zip.OverlappingFiles FOUND`, as clamscan's default heuristic alerts say;
 * - exit 1 when anything was found, else 2 when anything went wrong, else 0;
 * - the SCAN SUMMARY block (unless `--no-summary`).
 *
 * Where it differs, on purpose:
 * - folders are always walked recursively (`-r` is accepted and changes nothing);
 * - a file named on the command line that the disk reader opens as a disk image (qcow2, VMDK, or a raw
 *   disk whose partition table or filesystem it reads) is scanned file by file through its filesystems,
 *   each reported as `IMAGE:/guest/path`, in path order; its raw bytes are not scanned. `--image` insists
 *   (an error when a path does not open as one), `--raw` never opens images (clamscan's behaviour). Files
 *   met while walking a folder are never opened as images;
 * - whatever was not scanned in full (a limit, a zip bomb, an encrypted member, a corrupt archive) gets a
 *   `warning:` on stderr beside its clamscan-compatible `OK`; `--fail-closed` turns those into ERROR lines
 *   and exit 2, as the scanning service counts them;
 * - signature database entries this engine cannot read are `warning:` lines on stderr at load.
 */
import type { Stats } from 'node:fs';
import { lstat, open, opendir, stat } from 'node:fs/promises';
import type { ArchiveLimits } from '../antivirus/archives/limits.ts';
import type { ScanEngine } from '../antivirus/engine/types.ts';
import type { ScanFileMeta, ScannedFile } from '../antivirus/scan/scan-file.ts';
import type { LoadReport } from '../antivirus/signatures/types.ts';
import type { OpenedImages } from '../disk/inspect.ts';

const MiB = 1024 * 1024;

/** clamscan's default MaxRecursion (libclamav's 17); the other defaults are clamd's and clamscan's alike. */
export const CLAMSCAN_MAX_RECURSION = 17;

export const AV_SCAN_OPTIONS = {
  db: { type: 'string', multiple: true, short: 'd' },
  database: { type: 'string', multiple: true },
  infected: { type: 'boolean', short: 'i' },
  'no-summary': { type: 'boolean' },
  recursive: { type: 'boolean', short: 'r' },
  image: { type: 'boolean' },
  raw: { type: 'boolean' },
  'fail-closed': { type: 'boolean' },
  'max-filesize': { type: 'string' },
  'max-scansize': { type: 'string' },
  'max-files': { type: 'string' },
  'max-recursion': { type: 'string' },
} as const;

export const AV_SCAN_USAGE = [
  'outboard av-scan [--db DIR]… [options] PATH-OR-IMAGE…',
  '',
  'Options:',
  '  -d, --db PATH        signature database: a folder read like clamscan -d, or one database file;',
  '                       repeatable (also --database); default $OUTBOARD_AV_DB (PATH:PATH…), else antivirus-db/',
  '  -i, --infected       print only the infected files',
  '  --no-summary         no SCAN SUMMARY block at the end',
  '  --json               one JSON document: every verdict, the database report, the summary',
  '  --image              every PATH is a disk image (raw, qcow2, VMDK); an error when one does not open as one',
  '  --raw                never open disk images: scan every file as bytes, as clamscan does',
  '  --fail-closed        files or archive members not scanned in full are ERROR lines (exit 2), not OK',
  '  --max-filesize N     largest file or archive member scanned (K, M, G suffixes; default 100M)',
  '  --max-scansize N     most bytes extracted from one file (default 400M)',
  '  --max-files N        most archive members extracted from one file (default 10000)',
  '  --max-recursion N    deepest archive nesting opened (default 17, as clamscan)',
  '  -r, --recursive      accepted for clamscan scripts: folders are always walked recursively',
  '',
  "Lines are clamscan's: PATH: NAME FOUND, PATH: OK, PATH: Empty file…; files inside a disk image are",
  'IMAGE:/guest/path. Exit 0 when nothing was found, 1 when something was, 2 on errors (nothing found).',
].join('\n');

export const AV_SCAN_SUMMARY =
  'Scan files, folders or disk images with the built-in engine; clamscan-compatible lines, exit 1 when something is found, 2 on errors.';

/** A problem with the command line or the database: reported, and the scan does not start (exit 2). */
export class AvScanSetupError extends Error {
  override name = 'AvScanSetupError';
}

// ---------------------------------------------------------------- options

export interface AvScanOptions {
  /** Database paths as given; empty means the default (OUTBOARD_AV_DB, else antivirus-db/). */
  db: string[];
  infectedOnly: boolean;
  summary: boolean;
  json: boolean;
  images: 'auto' | 'always' | 'never';
  failClosed: boolean;
  limits: ArchiveLimits;
}

/** The command's options from parseArgs' values; throws `AvScanSetupError` for a bad one. */
export async function parseAvScanOptions(values: Record<string, unknown>): Promise<AvScanOptions> {
  const { archiveLimits } = await import('../antivirus/archives/limits.ts');
  if (values.image && values.raw) throw new AvScanSetupError('--image and --raw cannot be used together');
  const overrides: Partial<Record<keyof ArchiveLimits, number>> = { maxRecursion: CLAMSCAN_MAX_RECURSION };
  const sized = [
    ['max-filesize', 'maxFileSize', true],
    ['max-scansize', 'maxScanSize', true],
    ['max-files', 'maxFiles', false],
    ['max-recursion', 'maxRecursion', false],
  ] as const;
  for (const [flag, key, withUnits] of sized) {
    const value = values[flag];
    if (typeof value === 'string') overrides[key] = parseCount(`--${flag}`, value, withUnits);
  }
  return {
    db: [...strings(values.db), ...strings(values.database)],
    infectedOnly: values.infected === true,
    summary: values['no-summary'] !== true,
    json: values.json === true,
    images: values.image ? 'always' : values.raw ? 'never' : 'auto',
    failClosed: values['fail-closed'] === true,
    limits: archiveLimits(overrides),
  };
}

/** A whole number ≥ 1, with K, M or G (powers of 1024) when `withUnits`, as clamscan reads sizes. */
export function parseCount(flag: string, text: string, withUnits: boolean): number {
  const m = (withUnits ? /^(\d{1,15})([KkMmGg]?)$/ : /^(\d{1,15})$/).exec(text.trim());
  const unit = m?.[2]?.toUpperCase() ?? '';
  const value = m
    ? Number(m[1]) * (unit === 'K' ? 1024 : unit === 'M' ? MiB : unit === 'G' ? 1024 * MiB : 1)
    : 0;
  if (!m || !Number.isSafeInteger(value) || value < 1) {
    throw new AvScanSetupError(
      `${flag} expects a whole number ≥ 1${withUnits ? ' (bytes, or with a K, M or G suffix)' : ''}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

// ---------------------------------------------------------------- results and lines

export type AvScanStatus = 'infected' | 'clean' | 'not-scanned' | 'error' | 'empty' | 'symlink';

/** Why a path gave an error; each is printed with clamscan's words (see `ERROR_TEXT`). */
export type AvScanErrorReason =
  | 'cannot-access'
  | 'unsupported-type'
  | 'access-denied'
  | 'cannot-open-directory'
  | 'cannot-open'
  | 'cannot-read'
  | 'cannot-open-image'
  | 'engine-error';

export interface AvScanResult {
  /** As printed: the path as given or found, `IMAGE:/guest/path` inside a disk image. */
  path: string;
  status: AvScanStatus;
  signature?: string;
  /** `not-scanned`: the engine's reason (zip-bomb, archive-limit, too-large…); `error`: an AvScanErrorReason. */
  reason?: string;
  /** What happened, in words. */
  detail?: string;
  /** For a detection inside an archive: the member that matched. */
  member?: string;
  size?: number;
  sha256?: string;
}

const ERROR_TEXT: Record<AvScanErrorReason, string> = {
  'cannot-access': "Can't access file",
  'unsupported-type': 'Not supported file type',
  'access-denied': 'Access denied',
  'cannot-open-directory': "Can't open directory.",
  'cannot-open': "Can't open file or directory ERROR",
  'cannot-read': "Can't read file ERROR",
  'cannot-open-image': "Can't open disk image ERROR",
  'engine-error': 'Engine error ERROR',
};

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** The lines a result prints (clamscan's), given `-i` and `--fail-closed`. */
export function resultLines(
  r: AvScanResult,
  options: { infectedOnly: boolean; failClosed: boolean },
): OutputLine[] {
  const out = (text: string): OutputLine[] => (options.infectedOnly ? [] : [{ stream: 'stdout', text }]);
  switch (r.status) {
    case 'infected':
      return [{ stream: 'stdout', text: `${r.path}: ${r.signature} FOUND` }];
    case 'clean':
      return out(`${r.path}: OK`);
    case 'empty':
      return out(`${r.path}: Empty file`);
    case 'symlink':
      return out(`${r.path}: Symbolic link`);
    case 'not-scanned':
      return out(options.failClosed ? `${r.path}: Not scanned (${r.reason}) ERROR` : `${r.path}: OK`);
    case 'error': {
      const reason = r.reason as AvScanErrorReason;
      if (reason === 'cannot-access') {
        return [
          { stream: 'stderr', text: `${r.path}: ${r.detail ?? 'No such file or directory'}` },
          { stream: 'stderr', text: `WARNING: ${r.path}: ${ERROR_TEXT[reason]}` },
        ];
      }
      if (reason === 'unsupported-type')
        return [{ stream: 'stderr', text: `WARNING: ${r.path}: ${ERROR_TEXT[reason]}` }];
      return out(`${r.path}: ${ERROR_TEXT[reason] ?? `${r.reason} ERROR`}`);
    }
  }
}

/** Reasons whose stdout line does not say why; their detail goes to stderr. */
const DETAILED_ERRORS: ReadonlySet<string> = new Set([
  'cannot-open',
  'cannot-read',
  'cannot-open-image',
  'engine-error',
]);

/** The stderr warning a result deserves beside its line (without the `warning: PATH: ` in front), if any. */
export function warningFor(r: AvScanResult): string | undefined {
  const detail = r.detail?.startsWith(`${r.path}: `) ? r.detail.slice(r.path.length + 2) : r.detail;
  if (r.status === 'not-scanned') return `not scanned in full (${r.reason})${detail ? `: ${detail}` : ''}`;
  if (r.status === 'error' && r.reason && DETAILED_ERRORS.has(r.reason) && detail) return detail;
  return undefined;
}

/** Whether a result counts as an error for the exit code and the summary. */
export function isError(r: AvScanResult, failClosed: boolean): boolean {
  return r.status === 'error' || (failClosed && r.status === 'not-scanned');
}

export interface AvScanTotals {
  directories: number;
  files: number;
  infected: number;
  notScanned: number;
  errors: number;
  bytes: number;
}

/** clamscan's exit code: 1 when anything was found, else 2 when anything failed, else 0. */
export function exitCodeFor(totals: Pick<AvScanTotals, 'infected' | 'errors'>): 0 | 1 | 2 {
  return totals.infected > 0 ? 1 : totals.errors > 0 ? 2 : 0;
}

/** The SCAN SUMMARY block, laid out as clamscan's (leading empty line included). */
export function summaryBlock(
  totals: AvScanTotals,
  engine: { signatures: number; engine: string; engineVersion: string },
  seconds: number,
): string {
  const lines = [
    '',
    '----------- SCAN SUMMARY -----------',
    `Known viruses: ${engine.signatures}`,
    `Engine version: ${engine.engine} ${engine.engineVersion}`,
    `Scanned directories: ${totals.directories}`,
    `Scanned files: ${totals.files}`,
    `Infected files: ${totals.infected}`,
    ...(totals.notScanned > 0 ? [`Not fully scanned: ${totals.notScanned}`] : []),
    ...(totals.errors > 0 ? [`Total errors: ${totals.errors}`] : []),
    `Data scanned: ${(totals.bytes / MiB).toFixed(2)} MB`,
    `Time: ${seconds.toFixed(3)} sec (${Math.floor(seconds / 60)} m ${Math.floor(seconds % 60)} s)`,
  ];
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- the command

export interface AvScanIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

const processIo: AvScanIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** Runs the command on parsed arguments; never throws: problems are messages and exit code 2. */
export async function runAvScan(
  paths: readonly string[],
  values: Record<string, unknown>,
  io: AvScanIo = processIo,
): Promise<number> {
  const started = performance.now();
  let options: AvScanOptions;
  let engine: Awaited<ReturnType<typeof loadEngine>>;
  try {
    if (paths.length === 0) throw new AvScanSetupError('expected at least one PATH-OR-IMAGE');
    options = await parseAvScanOptions(values);
    engine = await loadEngine(options, io);
  } catch (error) {
    io.stderr(`outboard av-scan: ${messageOf(error)}\n`);
    return 2;
  }
  const totals: AvScanTotals = { directories: 0, files: 0, infected: 0, notScanned: 0, errors: 0, bytes: 0 };
  const results: AvScanResult[] = [];
  const emit = (r: AvScanResult) => {
    if (r.status === 'infected') totals.infected++;
    if (r.status === 'not-scanned') totals.notScanned++;
    if (isError(r, options.failClosed)) totals.errors++;
    const warning = warningFor(r);
    if (warning) io.stderr(`warning: ${r.path}: ${warning}\n`);
    if (options.json) results.push(r);
    else
      for (const line of resultLines(r, options))
        (line.stream === 'stdout' ? io.stdout : io.stderr)(`${line.text}\n`);
  };
  const scanner = new Scanner(engine.engine, engine.scanFile, options, totals, emit, io);
  try {
    for (const path of paths) await scanner.argument(path);
  } catch (error) {
    // Nothing expected reaches here; the scan stops, and says so, rather than report a partial clean.
    io.stderr(`outboard av-scan: scan stopped: ${messageOf(error)}\n`);
    totals.errors++;
  }
  const seconds = (performance.now() - started) / 1000;
  const description = await engine.engine.describe();
  const exitCode = exitCodeFor(totals);
  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        {
          engine: description,
          database: { paths: engine.paths, report: engine.report },
          results,
          summary: { ...totals, seconds: Number(seconds.toFixed(3)) },
          exitCode,
        },
        null,
        2,
      )}\n`,
    );
  } else if (options.summary) {
    io.stdout(summaryBlock(totals, description, seconds));
  }
  return exitCode;
}

async function loadEngine(options: AvScanOptions, io: AvScanIo) {
  const [{ BuiltinEngine }, { DatabaseLoadError }, { databasePaths, ENGINE_ENV }, { scanFile }] =
    await Promise.all([
      import('../antivirus/engine/builtin-engine.ts'),
      import('../antivirus/signatures/errors.ts'),
      import('../antivirus/scan/engines.ts'),
      import('../antivirus/scan/scan-file.ts'),
    ]);
  const paths = options.db.length > 0 ? options.db : databasePaths(io.env);
  const where =
    options.db.length > 0
      ? '--db'
      : io.env[ENGINE_ENV.database]?.trim()
        ? ENGINE_ENV.database
        : 'the default';
  for (const path of paths) {
    try {
      await stat(path);
    } catch (error) {
      throw new AvScanSetupError(
        `signature database ${path} (${where}) cannot be read: ${errnoText(error)}` +
          (where === 'the default' ? `; give one with --db DIR or ${ENGINE_ENV.database}` : ''),
      );
    }
  }
  let engine: InstanceType<typeof BuiltinEngine>;
  try {
    engine = await BuiltinEngine.load(paths, { maxFileSize: options.limits.maxFileSize });
  } catch (error) {
    if (error instanceof DatabaseLoadError) throw new AvScanSetupError(error.message);
    throw new AvScanSetupError(`signature database ${paths.join(', ')} not loaded: ${errnoText(error)}`);
  }
  const { report } = engine.database;
  reportUnsupported(report, io);
  if (engine.database.hashes.length + engine.database.bodies.length === 0) {
    throw new AvScanSetupError(
      `signature database ${paths.join(', ')} holds no signature this engine reads; nothing would ever be found`,
    );
  }
  return { engine: engine as ScanEngine, scanFile, paths, report };
}

const MAX_UNSUPPORTED_WARNINGS = 20;

function reportUnsupported(report: LoadReport, io: AvScanIo): void {
  for (const u of report.unsupported.slice(0, MAX_UNSUPPORTED_WARNINGS)) {
    io.stderr(`warning: ${u.file}${u.line === undefined ? '' : `:${u.line}`}: not loaded: ${u.reason}\n`);
  }
  const more = report.unsupported.length - MAX_UNSUPPORTED_WARNINGS;
  if (more > 0) io.stderr(`warning: ${more} more signature database entries not loaded (see --json)\n`);
}

// ---------------------------------------------------------------- walking and scanning

type ScanFileFn = (
  engine: ScanEngine,
  input: AsyncIterable<Uint8Array>,
  meta: ScanFileMeta,
  limits: ArchiveLimits,
) => Promise<ScannedFile>;

/** What a file's byte source saw: whether reading failed (an error, not a verdict) and how much it read. */
export interface ReadState {
  failed?: unknown;
  bytes: number;
}

const CHUNK = MiB;

class Scanner {
  private readonly engine: ScanEngine;
  private readonly scanFile: ScanFileFn;
  private readonly options: AvScanOptions;
  private readonly totals: AvScanTotals;
  private readonly emit: (r: AvScanResult) => void;
  private readonly io: AvScanIo;

  constructor(
    engine: ScanEngine,
    scanFile: ScanFileFn,
    options: AvScanOptions,
    totals: AvScanTotals,
    emit: (r: AvScanResult) => void,
    io: AvScanIo,
  ) {
    this.engine = engine;
    this.scanFile = scanFile;
    this.options = options;
    this.totals = totals;
    this.emit = emit;
    this.io = io;
  }

  /** One command-line argument: a file, a folder or a disk image. Links given here are followed. */
  async argument(given: string): Promise<void> {
    const path = stripTrailingSlashes(given);
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      this.emit({ path, status: 'error', reason: 'cannot-access', detail: errnoText(error) });
      return;
    }
    if (info.isDirectory()) {
      if (this.options.images === 'always') {
        this.emit({
          path,
          status: 'error',
          reason: 'cannot-open-image',
          detail: 'is a folder, not a disk image',
        });
        return;
      }
      await this.directory(path);
      return;
    }
    if (!info.isFile()) {
      this.emit({ path, status: 'error', reason: 'unsupported-type' });
      return;
    }
    if (this.options.images !== 'never' && (await this.image(path))) return;
    await this.localFile(path, info.size);
  }

  /** Depth first, in the directory's own order, as clamscan walks. */
  private async directory(path: string): Promise<void> {
    let dir: Awaited<ReturnType<typeof opendir>>;
    try {
      dir = await opendir(path);
    } catch (error) {
      this.emit({ path, status: 'error', reason: 'cannot-open-directory', detail: errnoText(error) });
      return;
    }
    this.totals.directories++;
    for await (const entry of dir) {
      const child = path === '/' ? `/${entry.name}` : `${path}/${entry.name}`;
      let info: Stats;
      try {
        info = await lstat(child);
      } catch {
        continue; // gone since the listing: clamscan passes over it too
      }
      if (info.isSymbolicLink()) this.emit({ path: child, status: 'symlink' });
      else if (info.isDirectory()) await this.directory(child);
      else if (info.isFile()) await this.localFile(child, info.size);
    }
  }

  private async localFile(path: string, size: number): Promise<void> {
    if (size === 0) {
      this.emit({ path, status: 'empty', size: 0 });
      return;
    }
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const denied =
        (error as NodeJS.ErrnoException).code === 'EACCES' ||
        (error as NodeJS.ErrnoException).code === 'EPERM';
      this.emit({
        path,
        status: 'error',
        reason: denied ? 'access-denied' : 'cannot-open',
        detail: errnoText(error),
      });
      return;
    }
    try {
      const state: ReadState = { bytes: 0 };
      await this.scanOne(path, size, fileChunks(handle, size, state), state);
    } finally {
      await handle.close();
    }
  }

  /**
   * A regular file named on the command line, opened as a disk image when the disk reader finds a
   * filesystem in it (or always, with --image). Answers whether it was handled as an image.
   */
  private async image(path: string): Promise<boolean> {
    const { openImages } = await import('../disk/inspect.ts');
    let opened: OpenedImages;
    try {
      opened = await openImages([path]);
    } catch (error) {
      if (this.options.images === 'always') {
        this.emit({ path, status: 'error', reason: 'cannot-open-image', detail: messageOf(error) });
        return true;
      }
      if (await hasContainerMagic(path))
        this.io.stderr(
          `warning: ${path}: not opened as a disk image (${messageOf(error)}); scanned as a plain file\n`,
        );
      return false;
    }
    try {
      const view = opened.guest.view;
      if (!view) {
        if (this.options.images === 'always') {
          this.emit({
            path,
            status: 'error',
            reason: 'cannot-open-image',
            detail: 'no readable filesystem in it',
          });
          return true;
        }
        if (opened.containers.some((c) => c.info.format !== 'raw'))
          this.io.stderr(
            `warning: ${path}: a ${opened.containers[0]?.info.format} image with no readable filesystem; scanned as a plain file\n`,
          );
        return false;
      }
      for (const n of opened.guest.needsRecovery)
        this.io.stderr(
          `warning: ${path}: ${n.volumeId}: journal not replayed; the latest writes may be missing\n`,
        );
      try {
        for await (const entry of view.walk('/')) {
          const shown = `${path}:${entry.path}`;
          if (entry.node.type === 'dir') this.totals.directories++;
          else if (entry.node.type === 'symlink') this.emit({ path: shown, status: 'symlink' });
          else if (entry.node.type === 'file') {
            if (entry.node.size === 0) {
              this.emit({ path: shown, status: 'empty', size: 0 });
              continue;
            }
            const state: ReadState = { bytes: 0 };
            const fs = entry.mount.fs;
            const node = entry.node;
            await this.scanOne(
              shown,
              node.size,
              guestChunks((o, l) => fs.read(node, o, l), node.size, state),
              state,
            );
          }
        }
      } catch (error) {
        this.emit({
          path,
          status: 'error',
          reason: 'cannot-read',
          detail: `the disk image could not be read to its end: ${messageOf(error)}`,
        });
      }
      return true;
    } finally {
      await opened.close();
    }
  }

  private async scanOne(
    path: string,
    size: number,
    input: AsyncIterable<Uint8Array>,
    state: ReadState,
  ): Promise<void> {
    this.totals.files++;
    this.totals.bytes += size;
    let scanned: ScannedFile;
    try {
      scanned = await this.scanFile(this.engine, input, { path, size }, this.options.limits);
    } catch (error) {
      this.emit({ path, status: 'error', reason: 'engine-error', detail: messageOf(error), size });
      return;
    }
    this.emit(resultOf(path, size, scanned, state));
  }
}

/**
 * What `scanFile`'s verdict means for the command: infected and clean as they are; a file whose own bytes
 * could not be read (or changed size while read) is an error, as clamscan's; an engine failure is an
 * error; what a limit, a bomb or a broken archive stopped is `not-scanned` (printed OK), except the zip
 * bomb clamscan names.
 */
export function resultOf(path: string, size: number, scanned: ScannedFile, read: ReadState): AvScanResult {
  const { record } = scanned;
  const extra = {
    size,
    ...(scanned.sha256 ? { sha256: scanned.sha256 } : {}),
    ...(scanned.member ? { member: scanned.member } : {}),
    ...(scanned.detail ? { detail: scanned.detail } : {}),
  };
  if (record.status === 'infected')
    return { path, status: 'infected', signature: record.signature ?? 'Unknown', ...extra };
  if (record.status === 'clean') return { path, status: 'clean', ...extra };
  if (read.failed !== undefined || (record.reason === 'unreadable' && read.bytes !== size)) {
    const why =
      read.failed !== undefined
        ? messageOf(read.failed)
        : (scanned.detail ?? `read ${read.bytes} of ${size} bytes`);
    return { path, status: 'error', reason: 'cannot-read', ...extra, detail: why };
  }
  const heuristic = heuristicFor(record.reason, scanned.detail);
  if (heuristic) return { path, status: 'infected', signature: heuristic, ...extra };
  if (record.reason === 'engine-error') return { path, status: 'error', reason: 'engine-error', ...extra };
  return { path, status: 'not-scanned', reason: record.reason ?? 'unknown', ...extra };
}

/** clamscan's heuristic alert (on by default) for overlapping zip members, its usual zip-bomb verdict. */
export const OVERLAPPING_ZIP_HEURISTIC = 'Heuristics.Zip.OverlappingFiles';

/**
 * The name clamscan reports for a file the engine gave up on, when clamscan would report one: a zip whose
 * members overlap. Other limits and bombs are `OK` in clamscan's output (no --alert-exceeds-max).
 * The archive reader says overlap only in its detail, so the detail's wording is matched here (and
 * pinned by the CLI's tests).
 */
export function heuristicFor(reason: string | undefined, detail: string | undefined): string | undefined {
  return reason === 'zip-bomb' && detail !== undefined && /\boverlap/.test(detail)
    ? OVERLAPPING_ZIP_HEURISTIC
    : undefined;
}

async function* fileChunks(
  handle: Awaited<ReturnType<typeof open>>,
  size: number,
  state: ReadState,
): AsyncGenerator<Uint8Array> {
  // Fresh buffers: the scanner may keep chunks (archives are held whole to be opened).
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, size - state.bytes + 1)));
    let n: number;
    try {
      ({ bytesRead: n } = await handle.read(buffer, 0, buffer.length, null));
    } catch (error) {
      state.failed = error;
      throw error;
    }
    if (n === 0) return;
    state.bytes += n;
    yield buffer.subarray(0, n);
  }
}

async function* guestChunks(
  read: (offset: number, length: number) => Promise<Uint8Array>,
  size: number,
  state: ReadState,
): AsyncGenerator<Uint8Array> {
  while (state.bytes < size) {
    let bytes: Uint8Array;
    try {
      bytes = await read(state.bytes, Math.min(CHUNK, size - state.bytes));
    } catch (error) {
      state.failed = error;
      throw error;
    }
    if (bytes.length === 0) return;
    state.bytes += bytes.length;
    yield bytes;
  }
}

/**
 * Whether the file starts like a disk image container (qcow2, VMDK, or one the reader refuses, such as
 * VHDX): failing to open such a file as an image deserves a warning; a raw file or an unreadable one not.
 */
async function hasContainerMagic(path: string): Promise<boolean> {
  const { detectContainer } = await import('../disk/containers/detect.ts');
  const { FileSource } = await import('../disk/block/file-source.ts');
  let source: Awaited<ReturnType<typeof FileSource.open>>;
  try {
    source = await FileSource.open(path);
  } catch {
    return false;
  }
  try {
    return (await detectContainer(source)) !== 'raw';
  } catch {
    return true;
  } finally {
    await source.close();
  }
}

function stripTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === '/') end--;
  return path.slice(0, end);
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
};

/** strerror's words for an errno error (as clamscan prints them), else the error's message. */
function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && ERRNO_TEXT[code]) ?? messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
