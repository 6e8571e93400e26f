/**
 * OSV records as osv.dev publishes them (`<Ecosystem>/all.zip`, or a folder of .json files) turned
 * into one Advisory per affected package. Ecosystems are matched exactly (`Ubuntu:22.04:LTS` is not
 * `Ubuntu:Pro:22.04:LTS`); package names are kept as given (Debian/Ubuntu: source packages).
 * A record that fails validation is a note; the rest of the feed stands.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Unzip, UnzipInflate } from 'fflate';
import { decompressed, openBytes, readAll } from '../io.ts';
import type { Advisory, AdvisoryFeed, AffectedRange, CvssScore, RangeEvent } from '../types.ts';
import { FeedFormatError } from '../types.ts';
import { type OsvAffected, type OsvRecord, osvRecord } from './schema.ts';
import { scoreVector } from './severity.ts';

export interface OsvOptions {
  /** Keep only affected entries of these ecosystems (exact strings). Default: all. */
  ecosystems?: string[];
  /** Per-record size bound. */
  maxRecordBytes?: number;
}

const CVSS_TYPES = new Set(['CVSS_V2', 'CVSS_V3', 'CVSS_V4']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function severityText(record: OsvRecord, affected: OsvAffected): string | undefined {
  const eco = affected.ecosystem_specific ?? {};
  const db = affected.database_specific ?? {};
  const ubuntu = [...(affected.severity ?? []), ...(record.severity ?? [])].find((s) => s.type === 'Ubuntu');
  return (
    text(eco.urgency) ??
    text(eco.severity) ??
    text(db.severity) ??
    text(record.database_specific?.severity) ??
    text(ubuntu?.score)
  );
}

function events(range: NonNullable<OsvAffected['ranges']>[number]): RangeEvent[] {
  return range.events.map((e) => {
    if (e.introduced !== undefined) return { introduced: e.introduced };
    if (e.fixed !== undefined) return { fixed: e.fixed };
    if (e.last_affected !== undefined) return { last_affected: e.last_affected };
    return { limit: e.limit! };
  });
}

/** Validates one parsed JSON value and maps it; throws FeedFormatError naming the first schema problem. */
export function osvAdvisories(json: unknown, where: string, options: OsvOptions = {}): Advisory[] {
  const parsed = osvRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FeedFormatError('osv', `${issue.path.join('.') || '(record)'}: ${issue.message}`, where);
  }
  const r = parsed.data;
  const scope = options.ecosystems ? new Set(options.ecosystems) : undefined;
  const aliases = [...new Set([...(r.aliases ?? []), ...(r.upstream ?? [])])].filter((a) => a !== r.id);
  const recordCvss: CvssScore[] = (r.severity ?? [])
    .filter((s) => CVSS_TYPES.has(s.type))
    .map((s) => scoreVector(s.type, s.score));
  const summary = r.summary ?? r.details?.split('\n')[0];
  const out: Advisory[] = [];
  for (const a of r.affected ?? []) {
    if (!a.package) continue;
    if (scope && !scope.has(a.package.ecosystem)) continue;
    const own = (a.severity ?? [])
      .filter((s) => CVSS_TYPES.has(s.type))
      .map((s) => scoreVector(s.type, s.score));
    const ranges: AffectedRange[] = (a.ranges ?? []).map((g) => ({ type: g.type, events: events(g) }));
    const sevText = severityText(r, a);
    out.push({
      id: r.id,
      aliases,
      ecosystem: a.package.ecosystem,
      package: a.package.name,
      kind: 'security',
      status: 'affected',
      ranges,
      versions: a.versions ?? [],
      severity: { cvss: own.length ? own : recordCvss, ...(sevText ? { text: sevText } : {}) },
      ...(summary ? { summary: summary.slice(0, 300) } : {}),
      ...(r.published ? { published: r.published } : {}),
      modified: r.modified,
      ...(r.withdrawn ? { withdrawn: r.withdrawn } : {}),
    });
  }
  return out;
}

class Collector {
  readonly advisories: Advisory[] = [];
  readonly notes: string[] = [];
  newest = '';
  records = 0;
  readonly options: OsvOptions;
  constructor(options: OsvOptions) {
    this.options = options;
  }
  add(bytes: Uint8Array, where: string) {
    this.records++;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      this.notes.push(`${where}: not JSON (${(error as Error).message.slice(0, 80)}); skipped`);
      return;
    }
    try {
      const list = osvAdvisories(json, where, this.options);
      for (const a of list) {
        this.advisories.push(a);
        if (a.modified && a.modified > this.newest) this.newest = a.modified;
      }
    } catch (error) {
      if (!(error instanceof FeedFormatError)) throw error;
      this.notes.push(`${error.message}; skipped`);
    }
  }
  feed(location: string, extra: { mtime?: string }): AdvisoryFeed {
    const notes = [
      `${this.records} records read, ${this.advisories.length} package advisories kept`,
      ...this.notes,
    ];
    return {
      kind: 'osv',
      source: { location, ...(this.newest ? { date: new Date(this.newest).toISOString() } : {}), ...extra },
      advisories: this.advisories,
      notes,
    };
  }
}

/** Streams a zip of OSV JSON files (osv.dev `all.zip`); each member is parsed and dropped in turn. */
export async function readOsvZip(location: string, options: OsvOptions = {}): Promise<AdvisoryFeed> {
  const max = options.maxRecordBytes ?? 32 << 20;
  const opened = await openBytes(location);
  const collector = new Collector(options);
  let failure: Error | undefined;
  let members = 0;
  const unzip = new Unzip((file) => {
    members++;
    if (!file.name.endsWith('.json')) return;
    if (file.compression !== 0 && file.compression !== 8) {
      collector.notes.push(`${file.name}: zip method ${file.compression} not supported; skipped`);
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    let skipped = false;
    file.ondata = (err, chunk, final) => {
      if (failure || skipped) return;
      if (err) {
        failure = new FeedFormatError('zip', `${file.name}: ${err.message}`, location);
        return;
      }
      size += chunk.length;
      if (size > max) {
        skipped = true;
        chunks.length = 0;
        collector.notes.push(`${file.name}: over ${max} bytes; skipped`);
        return;
      }
      chunks.push(chunk);
      if (final) collector.add(concat(chunks, size), `${location}!${file.name}`);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  let first = true;
  for await (const chunk of opened.body) {
    if (first && chunk.length >= 4) {
      if (!(chunk[0] === 0x50 && chunk[1] === 0x4b && (chunk[2] === 3 || chunk[2] === 5)))
        throw new FeedFormatError('zip', 'not a zip archive', location);
      first = false;
    }
    try {
      unzip.push(chunk);
    } catch (error) {
      throw new FeedFormatError('zip', (error as Error).message, location, { cause: error });
    }
    if (failure) throw failure;
  }
  unzip.push(new Uint8Array(0), true);
  if (failure) throw failure;
  if (first) throw new FeedFormatError('zip', 'empty file', location);
  if (members === 0) throw new FeedFormatError('zip', 'no members', location);
  return collector.feed(location, opened.mtime ? { mtime: opened.mtime } : {});
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A folder of OSV .json (or .json.gz) files, recursively. */
export async function readOsvFolder(dir: string, options: OsvOptions = {}): Promise<AdvisoryFeed> {
  const collector = new Collector(options);
  let newestMtime = 0;
  const walk = async (d: string, depth: number) => {
    if (depth > 8) return;
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile() && /\.json(\.gz)?$/.test(e.name)) {
        const opened = await openBytes(p);
        newestMtime = Math.max(newestMtime, (await stat(p)).mtimeMs);
        const { bytes } = await decompressed(opened.body, p, options.maxRecordBytes ?? 32 << 20);
        collector.add(await readAll(bytes, options.maxRecordBytes ?? 32 << 20, p), p);
      }
    }
  };
  await walk(dir, 0);
  if (collector.records === 0) throw new FeedFormatError('osv', 'no .json files in the folder', dir);
  return collector.feed(dir, newestMtime ? { mtime: new Date(newestMtime).toISOString() } : {});
}
