/**
 * Loading a signature database the way `clamscan -d` does: a directory (every file whose extension is a
 * ClamAV database extension, matched case-insensitively; others are ignored) or single files. Ignore lists
 * load first so they apply to every other file. Database kinds this engine does not read (`.ldb`, `.cvd`,
 * `.fp`, `.yara`, …) are listed as unsupported; PUA databases (`.hdu`, `.ndu`, …) as skipped, since
 * clamscan loads them only with `--detect-pua`. Malformed lines are collected as errors: clamscan refuses
 * the whole database for any of them, and so does `loadDatabase` unless told to keep going.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DatabaseLoadError } from './errors.ts';
import { parseHashDatabase } from './hash-db.ts';
import { ignoreMatcher, parseIgnoreList } from './ign2.ts';
import { decodeDatabase } from './lines.ts';
import { parseNdb } from './ndb.ts';
import {
  type BodySignature,
  emptyReport,
  type HashSignature,
  type IgnoreEntry,
  type LoadReport,
} from './types.ts';

export interface SignatureDatabase {
  hashes: HashSignature[];
  bodies: BodySignature[];
  ignores: IgnoreEntry[];
  report: LoadReport;
}

/** Extensions clamscan treats as databases (lower case), and what this engine does with each. */
const EXTENSIONS: Record<string, 'hdb' | 'hsb' | 'ndb' | 'ign' | 'pua' | 'unsupported'> = {
  hdb: 'hdb',
  hsb: 'hsb',
  ndb: 'ndb',
  ign: 'ign',
  ign2: 'ign',
  hdu: 'pua',
  hsu: 'pua',
  ndu: 'pua',
  mdu: 'pua',
  msu: 'pua',
  ldu: 'pua',
  db: 'unsupported',
  fp: 'unsupported',
  sfp: 'unsupported',
  mdb: 'unsupported',
  msb: 'unsupported',
  ldb: 'unsupported',
  sdb: 'unsupported',
  zmd: 'unsupported',
  rmd: 'unsupported',
  pdb: 'unsupported',
  gdb: 'unsupported',
  wdb: 'unsupported',
  cbc: 'unsupported',
  ftm: 'unsupported',
  cfg: 'unsupported',
  cvd: 'unsupported',
  cld: 'unsupported',
  cud: 'unsupported',
  cdb: 'unsupported',
  cat: 'unsupported',
  crb: 'unsupported',
  idb: 'unsupported',
  ioc: 'unsupported',
  yar: 'unsupported',
  yara: 'unsupported',
  pwdb: 'unsupported',
  imp: 'unsupported',
};

const UNSUPPORTED_REASONS: Record<string, string> = {
  db: 'old-style .db body signatures are not supported',
  fp: 'false-positive (allow-list) hashes are not supported; detections they would suppress are reported',
  sfp: 'false-positive (allow-list) hashes are not supported; detections they would suppress are reported',
  mdb: 'PE section hash signatures are not supported',
  msb: 'PE section hash signatures are not supported',
  ldb: 'logical signatures are not supported',
  cdb: 'container metadata signatures are not supported',
  cvd: 'signed ClamAV containers (.cvd) are not supported',
  cld: 'signed ClamAV containers (.cld) are not supported',
  cud: 'signed ClamAV containers (.cud) are not supported',
  yar: 'YARA rules are not supported',
  yara: 'YARA rules are not supported',
  idb: 'icon signatures are not supported',
  pdb: 'phishing signatures are not supported',
  gdb: 'phishing signatures are not supported',
  wdb: 'phishing allow-lists are not supported',
  cbc: 'bytecode signatures are not supported',
};

/** The database kind of a file name, by its extension, or undefined when clamscan ignores the file. */
export function databaseKind(
  fileName: string,
): { ext: string; kind: (typeof EXTENSIONS)[string] } | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(fileName);
  const ext = m?.[1]?.toLowerCase();
  const kind = ext ? EXTENSIONS[ext] : undefined;
  return ext && kind ? { ext, kind } : undefined;
}

export interface DatabaseFile {
  /** Name used in reports (a path or a bare file name); its extension decides the kind. */
  name: string;
  bytes: Uint8Array;
}

/** Builds a database from files already read. Never throws for content: problems go to the report. */
export function parseDatabaseFiles(files: readonly DatabaseFile[]): SignatureDatabase {
  const report = emptyReport();
  const db: SignatureDatabase = { hashes: [], bodies: [], ignores: [], report };
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const kinds = sorted.map((f) => ({ file: f, kind: databaseKind(basename(f.name)) }));
  for (const { file, kind } of kinds) {
    if (kind?.kind !== 'ign') continue;
    report.files.push(file.name);
    const result = parseIgnoreList(decodeDatabase(file.bytes), file.name);
    db.ignores.push(...result.entries);
    report.errors.push(...result.errors);
  }
  report.loaded.ign2 = db.ignores.length;
  const ignore = db.ignores.length > 0 ? ignoreMatcher(db.ignores) : undefined;
  for (const { file, kind } of kinds) {
    if (!kind || kind.kind === 'ign') continue;
    if (kind.kind === 'pua') {
      report.skipped.push({
        file: file.name,
        reason: `PUA database (.${kind.ext}): clamscan loads it only with --detect-pua`,
      });
      continue;
    }
    if (kind.kind === 'unsupported') {
      report.unsupported.push({
        file: file.name,
        reason: UNSUPPORTED_REASONS[kind.ext] ?? `.${kind.ext} databases are not supported by this engine`,
      });
      continue;
    }
    report.files.push(file.name);
    const text = decodeDatabase(file.bytes);
    if (kind.kind === 'ndb') {
      const r = parseNdb(text, file.name, ignore);
      db.bodies.push(...r.signatures);
      report.loaded.ndb += r.signatures.length;
      report.skipped.push(...r.skipped);
      report.unsupported.push(...r.unsupported);
      report.errors.push(...r.errors);
    } else {
      const r = parseHashDatabase(text, file.name, ignore);
      db.hashes.push(...r.signatures);
      report.loaded[kind.kind] += r.signatures.length;
      report.skipped.push(...r.skipped);
      report.errors.push(...r.errors);
    }
  }
  return db;
}

export interface LoadOptions {
  /** Keep what could be loaded when some lines are malformed (clamscan refuses the database). Default false. */
  tolerateErrors?: boolean;
}

/**
 * Loads databases from paths, each a directory (like `clamscan -d DIR`) or a single database file.
 * Throws `DatabaseLoadError` when a line is malformed, unless `tolerateErrors` is set.
 */
export async function loadDatabase(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<SignatureDatabase> {
  const files: DatabaseFile[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const entry of await readdir(path, { withFileTypes: true })) {
        if (!entry.isFile() || !databaseKind(entry.name)) continue;
        const full = join(path, entry.name);
        files.push({ name: full, bytes: await readFile(full) });
      }
    } else {
      if (!databaseKind(basename(path)))
        throw new DatabaseLoadError([{ file: path, reason: 'not a ClamAV database file extension' }]);
      files.push({ name: path, bytes: await readFile(path) });
    }
  }
  const db = parseDatabaseFiles(files);
  if (db.report.errors.length > 0 && !options.tolerateErrors) throw new DatabaseLoadError(db.report.errors);
  return db;
}
