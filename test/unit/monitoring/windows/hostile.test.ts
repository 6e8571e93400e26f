/**
 * Hostile XML is refused, not processed: the error says what and where, and where it was found shows the
 * reader stopped at the first sign (no entity is expanded, no deep tree built, no huge value copied).
 */
import { describe, expect, it } from 'vitest';
import { WindowsEventParseError } from '../../../../shared/monitoring/windows/errors.ts';
import { parseEventXml, parseEventXmlBatch } from '../../../../shared/monitoring/windows/event-xml.ts';
import { windowsFixture } from './fixtures.ts';

const OPEN = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>";

function refusal(text: string, options?: Parameters<typeof parseEventXml>[1]): WindowsEventParseError {
  try {
    parseEventXml(text, options);
  } catch (e) {
    expect(e).toBeInstanceOf(WindowsEventParseError);
    return e as WindowsEventParseError;
  }
  throw new Error('expected a refusal');
}

describe('hostile XML', () => {
  it('refuses the billion laughs at its DOCTYPE, before any entity is declared', () => {
    const text = windowsFixture('hostile-billion-laughs.xml');
    const e = refusal(text);
    expect(e.reason).toBe('a DOCTYPE is not accepted (no DTD, no entity declarations, no entity expansion)');
    expect(e.position).toBe(text.indexOf('<!DOCTYPE'));
    expect([e.line, e.column]).toEqual([2, 1]);
  });

  it('in a batch, reports the DOCTYPE and the event that uses its entity, each as an error', () => {
    const results = parseEventXmlBatch(windowsFixture('hostile-billion-laughs.xml'));
    expect(results.map((r) => (r.ok ? 'event' : r.error.reason))).toEqual([
      'a DOCTYPE is not accepted (no DTD, no entity declarations, no entity expansion)',
      'undefined entity &lol9; (only &amp; &lt; &gt; &apos; &quot; and character references are accepted)',
    ]);
  });

  it('refuses an external entity (XXE) without resolving it', () => {
    const text = windowsFixture('hostile-external-entity.xml');
    expect(refusal(text).reason).toMatch(/^a DOCTYPE is not accepted/);
    const results = parseEventXmlBatch(text);
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results.map((r) => (r.ok ? '' : r.error.reason))[1]).toMatch(/^undefined entity &xxe;/);
  });

  it('refuses entity and DTD declarations anywhere in the document', () => {
    expect(refusal(`${OPEN}<!ENTITY x "y"><System/></Event>`).reason).toMatch(
      /<!ENTITY> declaration is not accepted/,
    );
    expect(refusal(`${OPEN}<System><!DOCTYPE x></System></Event>`).reason).toMatch(
      /^a DOCTYPE is not accepted/,
    );
  });

  it('refuses 10,000-deep nesting at the 65th level', () => {
    const depth = 10_000;
    const text = `${OPEN}${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</Event>`;
    const e = refusal(text);
    expect(e.reason).toBe('elements nested deeper than 64');
    expect(e.position).toBe(OPEN.length + 63 * 3);
    const [result] = parseEventXmlBatch(text);
    expect(result).toMatchObject({ ok: false, raw: text });
  });

  it('refuses a 10 MB attribute before reading it, and over the attribute limit when the size limit is raised', () => {
    const huge = 'A'.repeat(10 * 1024 * 1024);
    const text = `${OPEN}<System><Provider Name="${huge}"/><EventID>1</EventID><Computer>h</Computer></System></Event>`;
    const e = refusal(text);
    expect(e.reason).toBe(`document is ${text.length} characters, over the limit of 1048576`);
    expect(e.position).toBe(0);
    const raised = refusal(text, { limits: { maxSize: 16 * 1024 * 1024 } });
    expect(raised.reason).toBe(
      `value of attribute Name is ${huge.length} characters, over the limit of 65536`,
    );
    expect(raised.position).toBe(text.indexOf('A'));
  });

  it('refuses too many elements and too many attributes', () => {
    const many = `${OPEN}<System><EventID>1</EventID><Computer>h</Computer></System><EventData>${'<Data/>'.repeat(30_000)}</EventData></Event>`;
    const e = refusal(many);
    expect(e.reason).toBe('more than 20000 elements');
    expect(e.position).toBe(many.indexOf('<EventData>') + 11 + (20_000 - 5) * 7);
    const attrs = Array.from({ length: 300 }, (_, i) => ` a${i}="x"`).join('');
    expect(refusal(`${OPEN}<System${attrs}/></Event>`).reason).toBe('more than 256 attributes on <System>');
  });

  it('refuses an undefined entity rather than guessing (HTML entities are not XML)', () => {
    expect(refusal(`${OPEN}<System><Computer>caf&eacute;</Computer></System></Event>`).reason).toMatch(
      /^undefined entity &eacute;/,
    );
  });
});
