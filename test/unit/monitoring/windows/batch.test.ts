import { describe, expect, it } from 'vitest';
import { WindowsEventParseError } from '../../../../shared/monitoring/windows/errors.ts';
import { parseEventXmlBatch } from '../../../../shared/monitoring/windows/event-xml.ts';
import { splitEvents } from '../../../../shared/monitoring/windows/split.ts';
import type { WindowsParseResult } from '../../../../shared/monitoring/windows/types.ts';
import { minimalEvent, windowsFixture } from './fixtures.ts';

const ev = (id: number, extra = '') =>
  minimalEvent(
    `<EventID>${id}</EventID><TimeCreated SystemTime='2024-01-01T00:00:00Z'/><EventRecordID>${id}</EventRecordID><Channel>System</Channel><Computer>h</Computer>`,
    extra,
  );

const ids = (results: WindowsParseResult[]) => results.map((r) => (r.ok ? r.event.eventId : 'error'));

/** Every result's raw text is the batch's text at its offset. */
function expectSlices(text: string, results: WindowsParseResult[]) {
  for (const r of results) expect(text.startsWith(r.ok ? r.event.raw : r.raw, r.offset)).toBe(true);
}

describe('Event XML batches', () => {
  it('yields the events around a bad one, and the bad one as an error with its raw text', () => {
    const text = windowsFixture('batch-bad-middle.xml');
    const results = parseEventXmlBatch(text);
    expect(ids(results)).toEqual([4624, 'error', 1102]);
    const bad = results[1]!;
    if (bad.ok) throw new Error('expected an error entry');
    expect(bad.error).toBeInstanceOf(WindowsEventParseError);
    expect(bad.error.reason).toMatch(/end tag <\/EventDat> does not match <EventData>/);
    expect(bad.raw).toMatch(/^<Event xmlns=.*<Data Name='ServiceName'>PSEXESVC<\/Data>.*<\/Event>$/);
    expect(bad.raw.slice(bad.error.position)).toMatch(/^<\/EventDat>/);
    expectSlices(text, results);
  });

  it('reads an <Events> wrapper with an XML declaration and pretty-printed events', () => {
    const text = windowsFixture('batch-events-pretty.xml');
    const results = parseEventXmlBatch(text);
    expect(ids(results)).toEqual([7036, 7034, 7031]);
    const [first] = results;
    if (!first?.ok) throw new Error('expected an event');
    expect(first.event).toMatchObject({
      qualifiers: 16384,
      computer: 'WEB01.corp.example.com',
      channel: 'System',
      eventRecordId: '88300',
      flags: [],
    });
    expect(first.event.eventData).toEqual({
      param1: 'Print Spooler',
      param2: 'stopped',
      Binary: '530070006F006F006C00650072002F0031000000',
    });
    expect(first.event.raw).toContain('\n  <System>\n');
    expectSlices(text, results);
  });

  it('splits concatenated events with no separator, LFs inside or not', () => {
    const text = `${ev(1)}${ev(2).replace('<System>', '<System>\n')}\r\n${ev(3)}`;
    expect(ids(parseEventXmlBatch(text))).toEqual([1, 2, 3]);
    expect(parseEventXmlBatch('')).toEqual([]);
    expect(parseEventXmlBatch(' \n<?xml version="1.0"?>\n<Events>\n</Events>\n')).toEqual([]);
  });

  it('reports text between events as an error entry instead of dropping it', () => {
    const text = `${ev(1)}\n  garbage here \n${ev(2)}<Other>x</Other>${ev(3)}`;
    const results = parseEventXmlBatch(text);
    expect(ids(results)).toEqual([1, 'error', 2, 'error', 3]);
    const stray = results[1]!;
    if (stray.ok) throw new Error('expected an error entry');
    expect(stray.raw).toBe('garbage here');
    expect(stray.error.layer).toBe('batch');
    expect(stray.error.reason).toBe('not an <Event> element: "garbage here"');
    expect([stray.error.line, stray.error.column]).toEqual([2, 3]);
    expect(results[3]).toMatchObject({ ok: false, raw: '<Other>x</Other>' });
    expectSlices(text, results);
  });

  it('ends an event that never closes where the next event starts, recovering a cut RenderingInfo', () => {
    const cut = windowsFixture('truncated-rendering.xml');
    const text = `${ev(1)}\n${cut}\n${ev(2)}`;
    const segments = splitEvents(text);
    expect(segments.map((s) => [s.kind, s.complete])).toEqual([
      ['event', true],
      ['event', false],
      ['event', true],
    ]);
    expect(segments[1]!.raw).toBe(cut);
    const results = parseEventXmlBatch(text);
    expect(ids(results)).toEqual([1, 4624, 2]);
    expect(results[1]).toMatchObject({ ok: true, event: { flags: ['raw_content_recovered'] } });
  });

  it('ends an unclosed event at an XML declaration or </Events>, and at the end of the text', () => {
    const open = '<Event><System><EventID>9</EventID><Computer>h</Computer></System>';
    const segments = splitEvents(
      `<Events>${open}</Events><?xml version="1.0"?>${open}<?xml version="1.0"?>${open}`,
    );
    expect(segments.map((s) => [s.raw, s.complete])).toEqual([
      [open, false],
      [open, false],
      [open, false],
    ]);
    const results = parseEventXmlBatch(open);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, raw: open });
  });

  it('is not fooled by Event-like text in CDATA, comments or attribute values, or by nested Event elements', () => {
    const tricky = ev(
      7,
      "<EventData><Data><![CDATA[</Event><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>]]></Data><!-- </Event> --><Data Name='a>b'>1</Data></EventData><UserData><Event><Event/></Event></UserData>",
    );
    const results = parseEventXmlBatch(`${tricky}${ev(8)}`);
    expect(ids(results)).toEqual([7, 8]);
    const first = results[0]!;
    if (!first.ok) throw new Error(first.error.message);
    expect(first.event.eventData).toEqual({
      Data: ["</Event><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"],
      'a>b': '1',
    });
    expect(first.event.userDataRoot).toBe('Event');
  });

  it('gives error positions inside the record and offsets in the batch', () => {
    const text = `${ev(1)}\n${ev(2).replace('<EventID>2</EventID>', '<EventID>2</EventId>')}`;
    const [, bad] = parseEventXmlBatch(text);
    if (!bad || bad.ok) throw new Error('expected an error entry');
    expect(bad.offset).toBe(ev(1).length + 1);
    expect(bad.raw.slice(bad.error.position!)).toMatch(/^<\/EventId>/);
  });
});
