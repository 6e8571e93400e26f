import { describe, expect, it } from 'vitest';
import { WindowsEventParseError } from '../../../../shared/monitoring/windows/errors.ts';
import type { XmlElement } from '../../../../shared/monitoring/windows/xml.ts';
import {
  attribute,
  childElements,
  declaredNamespace,
  directText,
  parseXml,
  textContent,
} from '../../../../shared/monitoring/windows/xml.ts';

/** The error parseXml throws for `text`, which must be a WindowsEventParseError. */
function refusal(text: string, limits?: Parameters<typeof parseXml>[1]): WindowsEventParseError {
  try {
    parseXml(text, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(WindowsEventParseError);
    return e as WindowsEventParseError;
  }
  throw new Error(`expected ${JSON.stringify(text.slice(0, 60))} to be refused`);
}

const only = (root: XmlElement) => childElements(root)[0]!;

describe('XML reader: what it accepts', () => {
  it('reads elements, attributes in both quotes, self-closing tags and text', () => {
    const { root, flags } = parseXml(`<a x="1" y='two "2"'><b/><c>text</c>tail</a>`);
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual([
      { name: 'x', local: 'x', value: '1' },
      { name: 'y', local: 'y', value: 'two "2"' },
    ]);
    expect(childElements(root).map((e) => e.name)).toEqual(['b', 'c']);
    expect(directText(childElements(root)[1]!)).toBe('text');
    expect(directText(root)).toBe('tail');
    expect(flags).toEqual([]);
  });

  it('replaces the five predefined entities and decimal and hex character references', () => {
    const { root } = parseXml(
      `<a v="&lt;&amp;&gt;&quot;&apos;">&lt;tag&gt; &amp; &quot;q&quot; &apos;s&apos; &#65;&#x42;&#x1F600;&#233;</a>`,
    );
    expect(attribute(root, 'v')).toBe(`<&>"'`);
    expect(directText(root)).toBe(`<tag> & "q" 's' AB😀é`);
  });

  it('merges CDATA into the text around it and drops comments and processing instructions', () => {
    const { root } = parseXml('<a>x<![CDATA[<not> & markup]]>y<!-- note -->z<?app do this?></a>');
    expect(root.children).toEqual(['x<not> & markupyz']);
  });

  it('accepts a BOM, an XML declaration, and comments and PIs around the root', () => {
    const { root } = parseXml(
      '\uFEFF<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<!-- c --><?pi x?>\n<r/>\n<!-- after -->\n',
    );
    expect(root.name).toBe('r');
  });

  it('splits prefixed names into their local part without resolving namespaces', () => {
    const { root } = parseXml(`<e:Event xmlns:e="urn:x" e:Kind="k"><e:System/></e:Event>`);
    expect(root.local).toBe('Event');
    expect(only(root).local).toBe('System');
    expect(attribute(root, 'Kind')).toBe('k');
    expect(declaredNamespace(root)).toBe('urn:x');
    expect(attribute(root, 'e')).toBeUndefined();
  });

  it('normalizes line ends in text and CDATA, and whitespace in attribute values, as XML requires', () => {
    const { root } = parseXml(`<a v="one\r\ntwo\tthree&#10;four">l1\r\nl2\rl3<![CDATA[c1\r\nc2]]>&#13;</a>`);
    expect(attribute(root, 'v')).toBe('one two three\nfour');
    expect(directText(root)).toBe('l1\nl2\nl3c1\nc2\r');
  });

  it('takes whitespace in end tags and around "=", and non-ASCII names', () => {
    const { root } = parseXml(`<Größe  wert = "1" ><子/></Größe >`);
    expect(root.name).toBe('Größe');
    expect(attribute(root, 'wert')).toBe('1');
    expect(only(root).name).toBe('子');
  });

  it('keeps characters XML 1.0 forbids, flagging them (Windows writes them unescaped)', () => {
    const doc = parseXml('<a v="\u0001">x\u0007y&#1;\uD800z</a>');
    expect(doc.flags).toEqual(['invalid_xml_char']);
    expect(directText(doc.root)).toBe('x\u0007y\u0001\uD800z');
    expect(parseXml('<a>\u{1F600}</a>').flags).toEqual([]);
  });

  it('collects the text of nested elements with textContent', () => {
    expect(textContent(parseXml('<a>1<b>2<c>3</c></b>4</a>').root)).toBe('1234');
  });
});

describe('XML reader: what it refuses', () => {
  it.each([
    ['<a><b></a></b>', /end tag <\/a> does not match <b>/, 6],
    ['<a>', /element <a> not closed/, 0],
    ['<a></a><b/>', /content after the root element/, 7],
    ['<a></a>text', /content after the root element/, 7],
    ['text<a/>', /expected the root element/, 0],
    ['', /no root element/, 0],
    ['<a b="1" b="2"/>', /attribute b repeated on <a>/, 9],
    ['<a b="x<y"/>', /"<" in the value of attribute b/, 7],
    ['<a b=1/>', /value of attribute b must be quoted/, 5],
    ['<a b="1/>', /value of attribute b not closed/, 5],
    ['<a b="1"c="2"/>', /expected whitespace/, 8],
    ['<a>x ]]> y</a>', /"\]\]>" in character data/, 5],
    ['<a>&nbsp;</a>', /undefined entity &nbsp;/, 3],
    ['<a>AT&T</a>', /"&" not followed by a reference/, 5],
    ['<a>&#xD800;</a>', /not a Unicode scalar value/, 3],
    ['<a>&#x110000;</a>', /not a Unicode scalar value/, 3],
    ['<a>&#12a;</a>', /malformed character reference/, 3],
    ['<a><!-- a -- b --></a>', /"--" inside a comment/, 10],
    ['<a><![CDATA[x</a>', /CDATA section not closed/, 3],
    ['<a><?xml version="1.0"?></a>', /XML declaration is only allowed at the very start/, 3],
    [' <?xml version="1.0"?><a/>', /XML declaration is only allowed at the very start/, 1],
    ['<?xml version="2.0"?><a/>', /malformed XML declaration/, 0],
    ['<a:b:c/>', /not a valid prefixed name/, 1],
    ['<:a/>', /not a valid prefixed name/, 1],
    ['<a>< b/></a>', /"<" not followed by a name/, 3],
    ['<a><!ELEMENT a ANY></a>', /<!ELEMENT> declaration is not accepted/, 3],
  ])('%j', (text, message, position) => {
    const e = refusal(text);
    expect(e.message).toMatch(message);
    expect(e.layer).toBe('xml');
    expect(e.position).toBe(position);
  });

  it('says where, with line and column', () => {
    const e = refusal('<a>\n  <b>\n  </c>\n</a>');
    expect(e.message).toBe(
      'windows event xml at offset 12 (line 3, column 3): end tag </c> does not match <b> opened at offset 6',
    );
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it('enforces each limit it is given', () => {
    expect(refusal('<a><b><c/></b></a>', { maxDepth: 2 }).message).toMatch(/nested deeper than 2/);
    expect(parseXml('<a><b/></a>', { maxDepth: 2 }).root.name).toBe('a');
    expect(refusal('<a><b/><b/><b/></a>', { maxElements: 3 }).message).toMatch(/more than 3 elements/);
    expect(refusal('<a b="12345"/>', { maxAttributeLength: 4 }).message).toMatch(
      /value of attribute b is 5 characters, over the limit of 4/,
    );
    expect(refusal('<a b="1" c="2"/>', { maxAttributes: 1 }).message).toMatch(
      /more than 1 attributes on <a>/,
    );
    const big = refusal(`<a>${'x'.repeat(100)}</a>`, { maxSize: 64 });
    expect(big.message).toMatch(/document is 107 characters, over the limit of 64/);
    expect(big.position).toBe(0);
  });
});

describe('XML reader: repeated attributes among many', () => {
  it('finds a repeat past the first 16 attributes, per element', () => {
    const attrs = (n: number, prefix = 'a') =>
      Array.from({ length: n }, (_, i) => ` ${prefix}${i}="v"`).join('');
    expect(
      parseXml(`<r><x${attrs(40)}/><y${attrs(40)}/><z${attrs(40, 'b')}/></r>`).root.children,
    ).toHaveLength(3);
    const e = refusal(`<r><x${attrs(40)}/><y${attrs(30)} a3="again"/></r>`);
    expect(e.message).toMatch(/attribute a3 repeated on <y>/);
  });
});

describe('XML reader: names beyond the BMP', () => {
  it('accepts supplementary-plane name characters, at the root too, and refuses lone surrogates in names', () => {
    expect(parseXml('<\u{10000}x a\u{10001}="1"><\u{20000}/></\u{10000}x>').root.name).toBe('\u{10000}x');
    expect(refusal('<\uD800/>').message).toMatch(/expected a name/);
  });
});
