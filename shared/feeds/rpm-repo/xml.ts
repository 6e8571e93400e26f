/**
 * Streaming XML for repodata: saxes fed chunk by chunk, element names reduced to their local part,
 * text collected only for elements the caller asks for (and bounded). Any XML error, a DOCTYPE, or a
 * wrong root element rejects the file.
 */
import { SaxesParser } from 'saxes';
import { FeedFormatError } from '../types.ts';

export interface XmlVisitor {
  /** Root element's local name the file must have. */
  root: string;
  open?(name: string, attrs: Record<string, string>, depth: number): void;
  /** Whether to collect the text of this element. */
  text?(name: string, depth: number): boolean;
  close?(name: string, text: string, depth: number): void;
}

const MAX_TEXT = 1 << 20;
const MAX_DEPTH = 64;

const local = (name: string) => name.slice(name.indexOf(':') + 1);

export async function walkXml(bytes: AsyncIterable<Uint8Array>, location: string, visitor: XmlVisitor) {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: { name: string; text: string | undefined }[] = [];
  let failure: Error | undefined;
  const fail = (message: string) => {
    failure ??= new FeedFormatError('xml', message, `${location}:${parser.line}`);
  };
  parser.on('error', (e) => fail(e.message));
  parser.on('doctype', () => fail('DOCTYPE is not accepted in repodata'));
  parser.on('opentag', (tag) => {
    if (failure) return;
    const name = local(tag.name);
    if (stack.length === 0 && name !== visitor.root)
      fail(`root element <${tag.name}>, expected <${visitor.root}>`);
    if (stack.length >= MAX_DEPTH) fail('elements nested too deep');
    const depth = stack.length;
    stack.push({ name, text: visitor.text?.(name, depth) ? '' : undefined });
    visitor.open?.(name, tag.attributes as Record<string, string>, depth);
  });
  const onText = (t: string) => {
    const top = stack.at(-1);
    if (!top || top.text === undefined) return;
    top.text += t;
    if (top.text.length > MAX_TEXT) fail(`text of <${top.name}> over ${MAX_TEXT} characters`);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const top = stack.pop();
    if (!top || failure) return;
    visitor.close?.(top.name, top.text ?? '', stack.length);
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of bytes) {
      parser.write(decoder.decode(chunk, { stream: true }));
      if (failure) break;
    }
    if (!failure) parser.write(decoder.decode()).close();
  } catch (error) {
    if (error instanceof FeedFormatError) throw error;
    if (!failure) fail((error as Error).message);
  }
  if (failure) throw failure;
}

export function dateOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d{9,11}$/.test(v)) return new Date(Number(v) * 1000).toISOString();
  const m = /^(\d{4}-\d\d-\d\d)(?:[ T](\d\d:\d\d(?::\d\d)?))?(Z|[+-]\d\d:?\d\d| UTC)?$/.exec(v);
  if (!m) return undefined;
  const tz = !m[3] || m[3] === ' UTC' ? 'Z' : m[3];
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${tz}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
