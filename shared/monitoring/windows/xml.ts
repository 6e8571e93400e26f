/**
 * A strict, small XML 1.0 reader for Windows Event XML: one document in a string, out comes an element
 * tree (elements with their attributes, and text with CDATA merged into it; comments and processing
 * instructions dropped). Names are kept as written and split into prefix and local part; namespaces
 * are not resolved (the event readers work by local name).
 *
 * What it accepts: an optional BOM and XML declaration, comments, processing instructions, elements,
 * attributes in ' or ", the five predefined entities and decimal/hex character references, CDATA.
 * Line ends are normalized to LF and attribute whitespace to spaces, as XML requires.
 *
 * What it refuses, failing fast: any DOCTYPE or other markup declaration (so no entity is ever declared
 * or expanded), an undefined entity, nesting deeper than `maxDepth`, an attribute value longer than
 * `maxAttributeLength`, more than `maxElements` elements or `maxAttributes` attributes on one element,
 * and a document longer than `maxSize` (checked before anything is read). Every refusal is a
 * WindowsEventParseError with the offset where it was found.
 *
 * Tolerated with a flag (`invalid_xml_char`): characters XML 1.0 forbids (C0 controls, U+FFFE/U+FFFF,
 * lone surrogates), literal or as character references, because Windows writes them unescaped when an
 * application logs them; the character is kept.
 */
import { WindowsEventParseError } from './errors.ts';

export interface XmlAttribute {
  /** As written, `prefix:local` or `local`. */
  readonly name: string;
  readonly local: string;
  readonly value: string;
}

export interface XmlElement {
  readonly name: string;
  readonly local: string;
  readonly attributes: readonly XmlAttribute[];
  /** Child elements and text (adjacent text, references and CDATA merged into one string). */
  readonly children: XmlNode[];
  /** Offset of the element's `<` in the document. */
  readonly start: number;
}

export type XmlNode = XmlElement | string;

export interface XmlDocument {
  readonly root: XmlElement;
  /** What was tolerated: `invalid_xml_char`. */
  readonly flags: readonly string[];
}

export interface XmlLimits {
  /** Elements open at once, the root counting as 1. */
  maxDepth: number;
  /** Characters in one attribute value as written (before references are replaced). */
  maxAttributeLength: number;
  maxAttributes: number;
  maxElements: number;
  /** Characters in the whole document. */
  maxSize: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxDepth: 64,
  maxAttributeLength: 64 * 1024,
  maxAttributes: 256,
  maxElements: 20_000,
  maxSize: 1024 * 1024,
});

/** Parses one XML document; throws WindowsEventParseError (layer `xml`) on anything it refuses. */
export function parseXml(text: string, limits?: Partial<XmlLimits>): XmlDocument {
  return new XmlReader(text, limits ? { ...DEFAULT_XML_LIMITS, ...limits } : DEFAULT_XML_LIMITS).document();
}

/** The value of the attribute with this local name, namespace declarations excluded. */
export function attribute(element: XmlElement, local: string): string | undefined {
  for (const a of element.attributes) {
    if (a.local === local && a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) return a.value;
  }
  return undefined;
}

/** The namespace the element's prefix is declared to on the element itself, if it is declared there. */
export function declaredNamespace(element: XmlElement): string | undefined {
  const colon = element.name.indexOf(':');
  const wanted = colon === -1 ? 'xmlns' : `xmlns:${element.name.slice(0, colon)}`;
  for (const a of element.attributes) if (a.name === wanted) return a.value;
  return undefined;
}

/** The element's direct text (its text children joined), child elements ignored. */
export function directText(element: XmlElement): string {
  const c = element.children;
  if (c.length === 1 && typeof c[0] === 'string') return c[0];
  let out = '';
  for (const n of c) if (typeof n === 'string') out += n;
  return out;
}

/** All the text inside the element, its descendants' included, in document order. */
export function textContent(element: XmlElement): string {
  let out = '';
  for (const n of element.children) out += typeof n === 'string' ? n : textContent(n);
  return out;
}

/** The element's child elements. */
export function childElements(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const n of element.children) if (typeof n !== 'string') out.push(n);
  return out;
}

/** Whether the element holds text that is not only XML whitespace. */
export function hasNonBlankText(element: XmlElement): boolean {
  for (const n of element.children) if (typeof n === 'string' && !isBlank(n)) return true;
  return false;
}

export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const EQUALS = 0x3d;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"' };
/** Characters from `&` to `;` the reader looks at: room for `&#x10FFFF;` with a few leading zeros. */
const MAX_REFERENCE = 16;

class XmlReader {
  private readonly s: string;
  private readonly len: number;
  private readonly limits: Readonly<XmlLimits>;
  private i = 0;
  private elements = 0;
  private invalidChar = false;
  /** Attribute names of the start tag being read, once it has many (to find a repeat in O(1)). */
  private names = new Set<string>();
  private namesOf: readonly XmlAttribute[] | null = null;

  constructor(text: string, limits: Readonly<XmlLimits>) {
    this.s = text;
    this.len = text.length;
    this.limits = limits;
  }

  private fail(reason: string, at = this.i): never {
    throw new WindowsEventParseError('xml', reason, at, this.s);
  }

  document(): XmlDocument {
    if (this.len > this.limits.maxSize)
      this.fail(`document is ${this.len} characters, over the limit of ${this.limits.maxSize}`, 0);
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    if (this.s.startsWith('<?xml', this.i) && this.isWhitespaceOr(this.i + 5, QUESTION)) this.declaration();
    this.misc();
    if (this.i >= this.len) this.fail('no root element');
    const next = this.s.charCodeAt(this.i + 1);
    if (this.s.charCodeAt(this.i) !== LT || !(isNameStart(next) || (next >= 0xd800 && next <= 0xdb7f)))
      this.fail(`expected the root element, found ${this.describeHere()}`);
    const root = this.elementTree();
    this.misc();
    if (this.i < this.len) this.fail(`content after the root element: ${this.describeHere()}`);
    return { root, flags: this.invalidChar ? ['invalid_xml_char'] : [] };
  }

  private isWhitespaceOr(at: number, code: number): boolean {
    const c = this.s.charCodeAt(at);
    return c === code || c === SPACE || c === TAB || c === LF || c === CR;
  }

  private describeHere(): string {
    if (this.i >= this.len) return 'the end of the text';
    return JSON.stringify(this.s.slice(this.i, this.i + 20));
  }

  private skipWhitespace(): boolean {
    const start = this.i;
    while (this.i < this.len) {
      const c = this.s.charCodeAt(this.i);
      if (c !== SPACE && c !== TAB && c !== LF && c !== CR) break;
      this.i++;
    }
    return this.i > start;
  }

  /** `<?xml version="1.0" encoding="…" standalone="…"?>`: checked, otherwise ignored (the text is decoded). */
  private declaration(): void {
    const start = this.i;
    const end = this.s.indexOf('?>', start + 5);
    if (end === -1) this.fail('XML declaration not closed by ?>', start);
    if (end - start > 256) this.fail('malformed XML declaration (over 256 characters)', start);
    const body = this.s.slice(start + 5, end);
    const m =
      /^\s+version\s*=\s*(["'])1\.[0-9]+\1(\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\3)?(\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*$/.exec(
        body,
      );
    if (!m) this.fail(`malformed XML declaration ${JSON.stringify(this.s.slice(start, end + 2))}`, start);
    this.i = end + 2;
  }

  /** Whitespace, comments and processing instructions outside the root element. */
  private misc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.s.charCodeAt(this.i) !== LT) return;
      const next = this.s.charCodeAt(this.i + 1);
      if (next === BANG) {
        if (this.s.startsWith('<!--', this.i)) this.comment();
        else this.declarationRefused();
      } else if (next === QUESTION) this.processingInstruction();
      else return;
    }
  }

  private declarationRefused(): never {
    const word = /^<!([A-Z]*)/.exec(this.s.slice(this.i, this.i + 12))?.[1] ?? '';
    if (word === 'DOCTYPE')
      this.fail('a DOCTYPE is not accepted (no DTD, no entity declarations, no entity expansion)');
    if (word === 'ENTITY' || word === 'ELEMENT' || word === 'ATTLIST' || word === 'NOTATION')
      this.fail(`a <!${word}> declaration is not accepted (no DTD, no entity expansion)`);
    this.fail(`unexpected markup ${this.describeHere()}`);
  }

  private comment(): void {
    const start = this.i;
    const end = this.s.indexOf('--', start + 4);
    if (end === -1) this.fail('comment not closed by -->', start);
    if (this.s.charCodeAt(end + 2) !== GT) this.fail('"--" inside a comment', end);
    this.checkChars(start + 4, end);
    this.i = end + 3;
  }

  private processingInstruction(): void {
    const start = this.i;
    this.i += 2;
    const target = this.name();
    if (target.toLowerCase() === 'xml')
      this.fail('an XML declaration is only allowed at the very start of the document', start);
    const end = this.s.indexOf('?>', this.i);
    if (end === -1) this.fail(`processing instruction <?${target} not closed by ?>`, start);
    if (end > this.i && !this.skipWhitespace())
      this.fail(`processing instruction target ${target} must be followed by whitespace`);
    this.checkChars(this.i, end);
    this.i = end + 2;
  }

  /** A name (NameStartChar NameChar*); fails when there is none here. */
  private name(): string {
    const s = this.s;
    const start = this.i;
    let i = start;
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdb7f && isLowSurrogate(s.charCodeAt(i + 1))) i += 2;
    else if (isNameStart(c)) i++;
    else this.fail(`expected a name, found ${this.describeHere()}`);
    for (;;) {
      c = s.charCodeAt(i);
      if (isNameChar(c)) i++;
      else if (c >= 0xd800 && c <= 0xdb7f && isLowSurrogate(s.charCodeAt(i + 1))) i += 2;
      else break;
    }
    this.i = i;
    return s.slice(start, i);
  }

  private localName(name: string, at: number): string {
    const colon = name.indexOf(':');
    if (colon === -1) return name;
    if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1)
      this.fail(`name ${JSON.stringify(name)} is not a valid prefixed name`, at);
    return name.slice(colon + 1);
  }

  /** Start tag at `<`: its element (not yet attached) and whether it was `/>`. */
  private startTag(): { element: XmlElement; empty: boolean } {
    const start = this.i;
    if (++this.elements > this.limits.maxElements)
      this.fail(`more than ${this.limits.maxElements} elements`, start);
    this.i++;
    const name = this.name();
    const local = this.localName(name, start + 1);
    const attributes: XmlAttribute[] = [];
    for (;;) {
      const spaced = this.skipWhitespace();
      const c = this.s.charCodeAt(this.i);
      if (c === GT) {
        this.i++;
        return { element: { name, local, attributes, children: [], start }, empty: false };
      }
      if (c === SLASH) {
        if (this.s.charCodeAt(this.i + 1) !== GT) this.fail(`expected "/>" in <${name}>`);
        this.i += 2;
        return { element: { name, local, attributes, children: [], start }, empty: true };
      }
      if (this.i >= this.len) this.fail(`start tag <${name}> not closed`, start);
      if (!spaced) this.fail(`expected whitespace, ">" or "/>" in <${name}>, found ${this.describeHere()}`);
      if (attributes.length >= this.limits.maxAttributes)
        this.fail(`more than ${this.limits.maxAttributes} attributes on <${name}>`);
      attributes.push(this.attribute(name, attributes));
    }
  }

  private attribute(element: string, seen: readonly XmlAttribute[]): XmlAttribute {
    const at = this.i;
    const name = this.name();
    const local = this.localName(name, at);
    if (seen.length < 16) {
      for (const a of seen) if (a.name === name) this.fail(`attribute ${name} repeated on <${element}>`, at);
    } else {
      if (this.namesOf !== seen) {
        this.namesOf = seen;
        this.names = new Set(seen.map((a) => a.name));
      }
      if (this.names.has(name)) this.fail(`attribute ${name} repeated on <${element}>`, at);
      this.names.add(name);
    }
    this.skipWhitespace();
    if (this.s.charCodeAt(this.i) !== EQUALS) this.fail(`expected "=" after attribute ${name}`);
    this.i++;
    this.skipWhitespace();
    const quote = this.s.charCodeAt(this.i);
    if (quote !== 0x22 && quote !== 0x27) this.fail(`value of attribute ${name} must be quoted`);
    const valueStart = this.i + 1;
    const valueEnd = this.s.indexOf(quote === 0x22 ? '"' : "'", valueStart);
    if (valueEnd === -1) this.fail(`value of attribute ${name} not closed`, this.i);
    if (valueEnd - valueStart > this.limits.maxAttributeLength)
      this.fail(
        `value of attribute ${name} is ${valueEnd - valueStart} characters, over the limit of ${this.limits.maxAttributeLength}`,
        valueStart,
      );
    const value = this.attributeValue(valueStart, valueEnd, name);
    this.i = valueEnd + 1;
    return { name, local, value };
  }

  /** An attribute value: references replaced, literal tab/CR/LF become spaces (CRLF one space), `<` refused. */
  private attributeValue(start: number, end: number, name: string): string {
    const s = this.s;
    let out = '';
    let from = start;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c !== LT && c !== AMP && c < 0xd800) continue;
      if (c === LT) this.fail(`"<" in the value of attribute ${name}`, i);
      if (c === AMP) {
        out += s.slice(from, i);
        const ref = this.reference(i);
        out += ref.text;
        i = ref.end - 1;
        from = ref.end;
      } else if (c === TAB || c === LF || c === CR) {
        out += `${s.slice(from, i)} `;
        if (c === CR && s.charCodeAt(i + 1) === LF) i++;
        from = i + 1;
      } else if (c < 0x20) this.invalidChar = true;
      else i = this.checkWide(i);
    }
    return from === start ? s.slice(start, end) : out + s.slice(from, end);
  }

  /** A reference at `&`: its replacement text and the offset after its `;`. */
  private reference(at: number): { text: string; end: number } {
    const s = this.s;
    let semi = at + 1;
    const limit = Math.min(this.len, at + MAX_REFERENCE);
    while (semi < limit && s.charCodeAt(semi) !== 0x3b) semi++;
    if (semi >= limit) this.fail('"&" not followed by a reference (&name; or &#number;)', at);
    const body = s.slice(at + 1, semi);
    if (body.charCodeAt(0) !== 0x23) {
      const text = Object.hasOwn(PREDEFINED, body) ? PREDEFINED[body] : undefined;
      if (text === undefined)
        this.fail(
          `undefined entity &${body}; (only &amp; &lt; &gt; &apos; &quot; and character references are accepted)`,
          at,
        );
      return { text, end: semi + 1 };
    }
    const hex = body.charCodeAt(1) === 0x78;
    const digits = body.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits))
      this.fail(`malformed character reference &${body};`, at);
    const code = Number.parseInt(digits, hex ? 16 : 10);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      this.fail(`character reference &${body}; is not a Unicode scalar value`, at);
    if ((code < 0x20 && code !== TAB && code !== LF && code !== CR) || code === 0xfffe || code === 0xffff)
      this.invalidChar = true;
    return { text: String.fromCodePoint(code), end: semi + 1 };
  }

  /** At a code unit ≥ U+D800: flags lone surrogates and U+FFFE/U+FFFF; returns the index of its last unit. */
  private checkWide(i: number): number {
    const c = this.s.charCodeAt(i);
    if (c <= 0xdbff) {
      if (isLowSurrogate(this.s.charCodeAt(i + 1))) return i + 1;
      this.invalidChar = true;
    } else if (c <= 0xdfff || c === 0xfffe || c === 0xffff) this.invalidChar = true;
    return i;
  }

  /** Flags characters XML forbids in [start, end) (comments, PIs: no replacement needed). */
  private checkChars(start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const c = this.s.charCodeAt(i);
      if (c < 0x20) {
        if (c !== TAB && c !== LF && c !== CR) this.invalidChar = true;
      } else if (c >= 0xd800) i = this.checkWide(i);
    }
  }

  /** Character data in [start, end): CRLF and CR become LF, forbidden characters flagged. */
  private cdataText(start: number, end: number): string {
    const s = this.s;
    let out = '';
    let from = start;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === CR) {
        out += `${s.slice(from, i)}\n`;
        if (s.charCodeAt(i + 1) === LF) i++;
        from = i + 1;
      } else if (c < 0x20) {
        if (c !== TAB && c !== LF) this.invalidChar = true;
      } else if (c >= 0xd800) i = this.checkWide(i);
    }
    return from === start ? s.slice(start, end) : out + s.slice(from, end);
  }

  /** The root element and everything inside it, read without recursion. */
  private elementTree(): XmlElement {
    const s = this.s;
    const first = this.startTag();
    if (first.empty) return first.element;
    const stack: XmlElement[] = [first.element];
    if (stack.length > this.limits.maxDepth) this.fail(`elements nested deeper than ${this.limits.maxDepth}`);
    let text = '';
    for (;;) {
      // Character data up to the next markup.
      let from = this.i;
      let i = from;
      for (; i < this.len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x20 && c !== LT && c !== AMP && c !== GT && c < 0xd800) continue;
        if (c === LT) break;
        if (c === AMP) {
          text += s.slice(from, i);
          const ref = this.reference(i);
          text += ref.text;
          i = ref.end - 1;
          from = ref.end;
        } else if (c === GT) {
          if (i - 2 >= from && s.charCodeAt(i - 1) === 0x5d && s.charCodeAt(i - 2) === 0x5d)
            this.fail('"]]>" in character data', i - 2);
        } else if (c === CR) {
          text += `${s.slice(from, i)}\n`;
          if (s.charCodeAt(i + 1) === LF) i++;
          from = i + 1;
        } else if (c < 0x20) {
          if (c !== TAB && c !== LF) this.invalidChar = true;
        } else i = this.checkWide(i);
      }
      text += s.slice(from, i);
      this.i = i;
      const parent = stack[stack.length - 1]!;
      if (i >= this.len) this.fail(`element <${parent.name}> not closed`, parent.start);
      const next = s.charCodeAt(i + 1);
      if (next === SLASH) {
        if (text !== '') parent.children.push(text);
        text = '';
        const at = i;
        this.i = i + 2;
        const name = this.name();
        if (name !== parent.name)
          this.fail(
            `end tag </${name}> does not match <${parent.name}> opened at offset ${parent.start}`,
            at,
          );
        this.skipWhitespace();
        if (s.charCodeAt(this.i) !== GT) this.fail(`expected ">" to close </${name}>`);
        this.i++;
        stack.pop();
        if (stack.length === 0) return parent;
      } else if (next === BANG) {
        if (s.startsWith('<!--', i)) this.comment();
        else if (s.startsWith('<![CDATA[', i)) {
          const end = s.indexOf(']]>', i + 9);
          if (end === -1) this.fail('CDATA section not closed by ]]>', i);
          text += this.cdataText(i + 9, end);
          this.i = end + 3;
        } else this.declarationRefused();
      } else if (next === QUESTION) this.processingInstruction();
      else {
        if (text !== '') parent.children.push(text);
        text = '';
        if (!isNameStart(next) && !(next >= 0xd800 && next <= 0xdb7f))
          this.fail(`"<" not followed by a name: ${this.describeHere()}`);
        const { element, empty } = this.startTag();
        if (stack.length >= this.limits.maxDepth)
          this.fail(`elements nested deeper than ${this.limits.maxDepth}`, element.start);
        parent.children.push(element);
        if (!empty) stack.push(element);
      }
    }
  }
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** XML 1.0 (fifth edition) NameStartChar, for one UTF-16 code unit of the BMP. */
function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

/** XML 1.0 NameChar, for one UTF-16 code unit of the BMP. */
function isNameChar(c: number): boolean {
  if (c < 0x80)
    return (
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x5f ||
      c === 0x3a ||
      c === 0x2d ||
      c === 0x2e
    );
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}
