/**
 * The parts of an event below System, read from the XML tree: EventData (named and unnamed Data,
 * Binary), UserData and the other body elements flattened into path → value maps, and RenderingInfo.
 * Insert strings such as `%%1936` are kept as written; values are not trimmed.
 */
import type { WindowsFields, WindowsFieldValue, WindowsRenderingInfo } from './types.ts';
import type { XmlElement } from './xml.ts';
import { attribute, childElements, directText, hasNonBlankText, isBlank, textContent } from './xml.ts';

/**
 * Fields in the order they come; a repeated name keeps every value (string → string[]). Names are own
 * properties of a plain object, `__proto__` included (defined, never assigned, so it cannot reach the
 * prototype).
 */
export class FieldMap {
  readonly #fields: WindowsFields = {};

  add(key: string, value: string): void {
    const old = Object.hasOwn(this.#fields, key) ? this.#fields[key] : undefined;
    if (old === undefined) this.#set(key, value);
    else if (typeof old === 'string') this.#set(key, [old, value]);
    else old.push(value);
  }

  /** Adds values that are a list by nature (unnamed Data): the key is an array even for one value. */
  addList(key: string, values: readonly string[]): void {
    const old = Object.hasOwn(this.#fields, key) ? this.#fields[key] : undefined;
    if (old === undefined) this.#set(key, [...values]);
    else if (typeof old === 'string') this.#set(key, [old, ...values]);
    else old.push(...values);
  }

  #set(key: string, value: WindowsFieldValue): void {
    if (key === '__proto__')
      Object.defineProperty(this.#fields, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else this.#fields[key] = value;
  }

  toObject(): WindowsFields {
    return this.#fields;
  }
}

/** EventData: `Data Name="x"` → x, unnamed Data in order under `Data`, Binary and anything else by name. */
export function readEventData(element: XmlElement, fields: FieldMap, flags: Set<string>): void {
  const unnamed: string[] = [];
  for (const node of element.children) {
    if (typeof node === 'string') {
      if (!isBlank(node)) flags.add('unexpected_text');
      continue;
    }
    if (node.local === 'Data') {
      const name = attribute(node, 'Name');
      const value = textContent(node);
      if (name === undefined) unnamed.push(value);
      else fields.add(name, value);
    } else if (node.local === 'Binary') fields.add('Binary', textContent(node));
    else flatten(node, attribute(node, 'Name') ?? node.local, fields);
  }
  if (unnamed.length > 0) fields.addList('Data', unnamed);
}

/**
 * UserData (and DebugData, ProcessingErrorData, BinaryEventData below a prefix): each child element
 * flattened by path, `LogFileCleared.SubjectUserName`; attributes other than namespace declarations as
 * `path@name`. Returns the name of the first child element (the UserData "root").
 */
export function readUserData(element: XmlElement, fields: FieldMap, flags: Set<string>): string | null {
  let root: string | null = null;
  for (const node of element.children) {
    if (typeof node === 'string') {
      if (!isBlank(node)) flags.add('unexpected_text');
      continue;
    }
    root ??= node.local;
    flatten(node, node.local, fields);
  }
  return root;
}

/**
 * An element at `path`: its attributes as `path@name`; a leaf's text at `path` (an empty root-level
 * element with attributes or nothing inside adds no text key); children below `path.`.
 */
export function flatten(element: XmlElement, path: string, fields: FieldMap, topLevel = true): void {
  for (const a of element.attributes) {
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    fields.add(`${path}@${a.local}`, a.value);
  }
  const kids = childElements(element);
  if (kids.length === 0) {
    const value = directText(element);
    if (!topLevel || value !== '') fields.add(path, value);
    return;
  }
  if (hasNonBlankText(element)) fields.add(path, directText(element));
  for (const kid of kids) flatten(kid, `${path}.${kid.local}`, fields, false);
}

const RENDERING_TEXT = ['Message', 'Level', 'Task', 'Opcode', 'Channel', 'Provider'] as const;

/** RenderingInfo: the localized strings; an empty element is null (as OpenWEC omits it). */
export function readRenderingInfo(element: XmlElement, flags: Set<string>): WindowsRenderingInfo {
  const info: WindowsRenderingInfo = {
    message: null,
    level: null,
    task: null,
    opcode: null,
    channel: null,
    provider: null,
    keywords: [],
    culture: attribute(element, 'Culture') ?? null,
  };
  for (const node of element.children) {
    if (typeof node === 'string') {
      if (!isBlank(node)) flags.add('unexpected_text');
      continue;
    }
    if (node.local === 'Keywords') {
      for (const k of childElements(node)) {
        const value = textContent(k);
        if (value !== '') info.keywords.push(value);
      }
      continue;
    }
    const known = (RENDERING_TEXT as readonly string[]).includes(node.local);
    if (!known) {
      flags.add('unknown_element');
      continue;
    }
    const value = textContent(node);
    const key = node.local.toLowerCase() as Lowercase<(typeof RENDERING_TEXT)[number]>;
    if (value !== '' && info[key] === null) info[key] = value;
  }
  return info;
}
