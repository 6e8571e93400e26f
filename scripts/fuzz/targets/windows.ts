import { join } from 'node:path';
import { windowsDedupeKey } from '../../../shared/monitoring/windows/dedupe.ts';
import { WindowsEventParseError } from '../../../shared/monitoring/windows/errors.ts';
import { parseEventXml, parseEventXmlBatch } from '../../../shared/monitoring/windows/event-xml.ts';
import { parseOpenWecJson } from '../../../shared/monitoring/windows/openwec-json.ts';
import { windowsSeverity } from '../../../shared/monitoring/windows/severity.ts';
import { parseWindowsTime } from '../../../shared/monitoring/windows/time.ts';
import type { WindowsEvent, WindowsParseResult } from '../../../shared/monitoring/windows/types.ts';
import type { FuzzTarget } from '../target.ts';
import { fixtures } from './seeds.ts';

export const WINDOWS_FIXTURES = join(import.meta.dirname, '../../../test/fixtures/windows');

const decoder = new TextDecoder('utf-8');

/**
 * Windows Event XML — one event (parseEventXml, which may throw only WindowsEventParseError) and the
 * same text as a batch (parseEventXmlBatch, which must not throw at all) — and, for inputs that start
 * with `{`, OpenWEC JSON lines. Every event must hold the WindowsEvent invariants, severity and
 * deduplication key must work on it, and a batch's records must be slices of the input, in order.
 * Seeds: the committed fixtures of test/fixtures/windows (.xml and .jsonl).
 */
export const windowsXmlTarget: FuzzTarget = {
  name: 'windows-event-xml',
  async seeds() {
    return fixtures(WINDOWS_FIXTURES, (f) => f.endsWith('.xml') || f.endsWith('.jsonl'));
  },
  async run(input) {
    const text = decoder.decode(input);
    if (text.trimStart().startsWith('{')) {
      checkBatch(text, parseOpenWecJson(text), true);
      return;
    }
    checkBatch(text, parseEventXmlBatch(text), false);
    checkEvent(parseEventXml(text));
  },
  isExpectedError: (e) => e instanceof WindowsEventParseError,
};

function checkBatch(text: string, results: WindowsParseResult[], fromCollector: boolean): void {
  let previousEnd = 0;
  for (const r of results) {
    const raw = r.ok ? r.event.raw : r.raw;
    if (!text.startsWith(raw, r.offset)) throw new Error(`record at ${r.offset} is not a slice of the input`);
    if (r.offset < previousEnd) throw new Error(`record at ${r.offset} overlaps the previous one`);
    previousEnd = r.offset + raw.length;
    if (r.ok) checkEvent(r.event);
    else if (!(r.error instanceof WindowsEventParseError))
      throw new Error('error entry without a WindowsEventParseError');
    if (fromCollector && r.ok && r.event.collector === null)
      throw new Error('OpenWEC record without collector');
  }
}

function checkEvent(e: WindowsEvent): void {
  if (typeof e.computer !== 'string' || e.computer.trim() === '') throw new Error('event without Computer');
  if (!Number.isInteger(e.eventId) || e.eventId < 0 || e.eventId > 0xffff)
    throw new Error(`eventId ${e.eventId}`);
  if (e.eventIdRaw !== (e.qualifiers ?? 0) * 0x10000 + e.eventId)
    throw new Error(`eventIdRaw ${e.eventIdRaw}`);
  if (e.timeCreated) {
    const again = parseWindowsTime(e.timeCreated.iso);
    if (!again || again.epochMs !== e.timeCreated.epochMs || !Number.isFinite(e.timeCreated.epochMs))
      throw new Error(`timeCreated ${JSON.stringify(e.timeCreated)} does not round-trip`);
  }
  if (e.eventRecordId !== null && !/^(0|[1-9][0-9]{0,19})$/.test(e.eventRecordId))
    throw new Error(`eventRecordId ${e.eventRecordId}`);
  for (const fields of [e.eventData, e.userData, e.extraData]) {
    for (const v of Object.values(fields))
      if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
        throw new Error('a field value that is neither text nor a list of text');
  }
  const s = windowsSeverity(e);
  if (!Number.isInteger(s.severity) || s.severity < 0 || s.severity > 7)
    throw new Error(`severity ${s.severity}`);
  if (!windowsDedupeKey(e).includes('\u0000')) throw new Error('dedupe key without separators');
  JSON.stringify(e);
}
