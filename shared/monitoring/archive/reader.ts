/**
 * Reads a guest's (or the unattributed) events back from the archive, in receipt order, for the
 * portal API. The range is over receive time — the archive's partitions — and defaults to the last 24
 * hours; objects are listed one day at a time across every retention class, read in key order (which is
 * receipt order: names start with the first receive time), filtered by the range and the query.
 *
 * Query `q`: whitespace-separated terms, all of which must match. `name:value` matches a field exactly
 * (case-insensitive): `severity`, `facility`, `app`, `host`, `eventId`, `channel`, `msgId`, `procId`,
 * `sourceKind`, or `fields.<Name>`; any other term is a case-insensitive substring of the message, the
 * app, the host or a field value.
 */
import { gunzipSync } from 'node:zlib';
import { MonitorEvent } from '../../contracts/monitoring.ts';
import type { ObjectStore } from '../../ports.ts';
import { dateOf, guestPrefix, type PartitionOwner, parseArchiveKey, RETENTION_CLASSES } from './keys.ts';

export const MAX_RANGE_DAYS = 93;
const DAY_MS = 86_400_000;

export class ArchiveQueryError extends Error {
  override name = 'ArchiveQueryError';
}

export interface EventQuery {
  /** Receive-time range, epoch ms, inclusive from, exclusive to. */
  from: number;
  to: number;
  q?: string;
  limit: number;
  cursor?: string;
}

type Term = { field: string; value: string } | { text: string };

const FIELD_NAMES = new Set([
  'severity',
  'facility',
  'app',
  'host',
  'eventid',
  'channel',
  'msgid',
  'procid',
  'sourcekind',
  'recordid',
]);

export function parseQuery(q: string | undefined): Term[] {
  if (!q) return [];
  return q
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => {
      const colon = t.indexOf(':');
      if (colon > 0) {
        const field = t.slice(0, colon).toLowerCase();
        if (FIELD_NAMES.has(field) || field.startsWith('fields.'))
          return {
            field: field.startsWith('fields.') ? `fields.${t.slice(7, colon)}` : field,
            value: t.slice(colon + 1).toLowerCase(),
          };
      }
      return { text: t.toLowerCase() };
    });
}

const canonical: Record<string, (e: MonitorEvent) => unknown> = {
  severity: (e) => e.severity,
  facility: (e) => e.facility,
  app: (e) => e.app,
  host: (e) => e.host,
  eventid: (e) => e.eventId,
  channel: (e) => e.channel,
  msgid: (e) => e.msgId,
  procid: (e) => e.procId,
  sourcekind: (e) => e.sourceKind,
  recordid: (e) => e.recordId,
};

export function matchesQuery(event: MonitorEvent, terms: Term[]): boolean {
  for (const term of terms) {
    if ('field' in term) {
      const raw = term.field.startsWith('fields.')
        ? event.fields[term.field.slice(7)]
        : canonical[term.field]?.(event);
      const values = Array.isArray(raw) ? raw : [raw];
      if (!values.some((v) => v !== null && v !== undefined && String(v).toLowerCase() === term.value))
        return false;
    } else {
      const t = term.text;
      const hit =
        event.message.toLowerCase().includes(t) ||
        (event.app?.toLowerCase().includes(t) ?? false) ||
        (event.host?.toLowerCase().includes(t) ?? false) ||
        Object.values(event.fields).some((v) =>
          Array.isArray(v) ? v.some((x) => x.toLowerCase().includes(t)) : v.toLowerCase().includes(t),
        );
      if (!hit) return false;
    }
  }
  return true;
}

interface Cursor {
  key: string;
  line: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(cursor: string, owner: PartitionOwner): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ArchiveQueryError('cursor is not one this API issued');
  }
  const c = value as Partial<Cursor>;
  if (typeof c?.key !== 'string' || !Number.isInteger(c.line) || (c.line as number) < 0)
    throw new ArchiveQueryError('cursor is not one this API issued');
  const parsed = parseArchiveKey(c.key);
  if (!parsed || !c.key.startsWith(guestPrefix(owner, parsed.retentionDays)))
    throw new ArchiveQueryError('cursor belongs to another guest or listing');
  return c as Cursor;
}

/** Sort key of an archive object: date, hour, name (receipt order), across retention classes. */
function order(key: string): string {
  const p = parseArchiveKey(key)!;
  return `${p.date}/${String(p.hour).padStart(2, '0')}/${p.name}/${key}`;
}

async function listDay(store: ObjectStore, owner: PartitionOwner, date: string): Promise<string[]> {
  const keys: string[] = [];
  for (const days of RETENTION_CLASSES) {
    const prefix = `${guestPrefix(owner, days)}date=${date}/`;
    let cursor: string | undefined;
    do {
      const page = await store.list(prefix, cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor });
      for (const o of page.items) if (parseArchiveKey(o.key)) keys.push(o.key);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return keys.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

export function readObjectEvents(body: Uint8Array, key: string): MonitorEvent[] {
  const text = gunzipSync(body).toString('utf8');
  const out: MonitorEvent[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const parsed = MonitorEvent.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`archive object ${key} holds a malformed event`);
    out.push(parsed.data);
  }
  return out;
}

export async function queryArchive(
  store: ObjectStore,
  owner: PartitionOwner,
  query: EventQuery,
): Promise<{ items: MonitorEvent[]; nextCursor?: string }> {
  if (!(query.from < query.to)) throw new ArchiveQueryError('"from" must be before "to"');
  if (query.to - query.from > MAX_RANGE_DAYS * DAY_MS)
    throw new ArchiveQueryError(`the range may span at most ${MAX_RANGE_DAYS} days`);
  const terms = parseQuery(query.q);
  const start = query.cursor === undefined ? undefined : decodeCursor(query.cursor, owner);
  const items: MonitorEvent[] = [];
  const startDay = Math.floor(query.from / DAY_MS) * DAY_MS;
  for (let day = startDay; day < query.to; day += DAY_MS) {
    const date = dateOf(day);
    if (start && date < parseArchiveKey(start.key)!.date) continue;
    for (const key of await listDay(store, owner, date)) {
      if (start && order(key) < order(start.key)) continue;
      const object = await store.get(key);
      if (!object) continue; // expired between list and get
      const events = readObjectEvents(object.body, key);
      const firstLine = start && key === start.key ? start.line : 0;
      for (let i = firstLine; i < events.length; i++) {
        const e = events[i]!;
        const received = Date.parse(e.receivedAt);
        if (received < query.from || received >= query.to || !matchesQuery(e, terms)) continue;
        if (items.length === query.limit) return { items, nextCursor: encodeCursor({ key, line: i }) };
        items.push(e);
      }
    }
  }
  return { items };
}
