/**
 * Windows Event XML (`<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`) to
 * WindowsEvent: one event with `parseEventXml`, which throws WindowsEventParseError; a collector's batch
 * with `parseEventXmlBatch`, which never throws and returns one result per event — the event, or the
 * error with the event's raw text — so one bad event costs only itself.
 *
 * A truncated RenderingInfo (Windows sometimes cuts the rendered message without closing its elements)
 * is recovered as OpenWEC does: when the XML first fails inside or after the last `<RenderingInfo`, the
 * text is cut there, the Event element closed, and the event flagged `raw_content_recovered`.
 */
import { FieldMap, flatten, readEventData, readRenderingInfo, readUserData } from './body.ts';
import type { LineColumn } from './errors.ts';
import { WindowsEventParseError } from './errors.ts';
import { EVENT_NAMESPACE, splitEvents } from './split.ts';
import type { SystemInput } from './system.ts';
import { buildSystem } from './system.ts';
import type { WindowsEvent, WindowsEventSource, WindowsParseResult, WindowsRenderingInfo } from './types.ts';
import type { XmlDocument, XmlElement, XmlLimits } from './xml.ts';
import { attribute, declaredNamespace, directText, isBlank, parseXml } from './xml.ts';

export interface EventXmlOptions {
  /** Tokenizer limits (defaults: DEFAULT_XML_LIMITS). */
  limits?: Partial<XmlLimits>;
  /** Whether to try the RenderingInfo recovery (default true). */
  recover?: boolean;
}

/** One event's XML to a WindowsEvent; throws WindowsEventParseError. */
export function parseEventXml(text: string, options: EventXmlOptions = {}): WindowsEvent {
  return eventFromXml(text, 'event-xml', options);
}

/** Every event of a batch (see splitEvents), in order; text between events that is not markup is an error entry. */
export function parseEventXmlBatch(text: string, options: EventXmlOptions = {}): WindowsParseResult[] {
  const lines = new LineCounter(text);
  return splitEvents(text).map((segment): WindowsParseResult => {
    if (segment.kind === 'stray') {
      const reason = segment.raw.startsWith('<!DOCTYPE')
        ? 'a DOCTYPE is not accepted (no DTD, no entity declarations, no entity expansion)'
        : `not an <Event> element: ${JSON.stringify(segment.raw.slice(0, 60))}`;
      const where = lines.at(segment.offset);
      const error = new WindowsEventParseError('batch', reason, segment.offset, where);
      return { ok: false, error, raw: segment.raw, offset: segment.offset };
    }
    try {
      return { ok: true, event: parseEventXml(segment.raw, options), offset: segment.offset };
    } catch (error) {
      if (!(error instanceof WindowsEventParseError)) throw error;
      return { ok: false, error, raw: segment.raw, offset: segment.offset };
    }
  });
}

/** Line and column of increasing offsets, counted once over the text. */
class LineCounter {
  readonly #text: string;
  #offset = 0;
  #line = 1;
  #lineStart = 0;

  constructor(text: string) {
    this.#text = text;
  }

  at(offset: number): LineColumn {
    for (
      let i = this.#text.indexOf('\n', this.#offset);
      i !== -1 && i < offset;
      i = this.#text.indexOf('\n', i + 1)
    ) {
      this.#line++;
      this.#lineStart = i + 1;
    }
    this.#offset = Math.max(this.#offset, offset);
    return { line: this.#line, column: offset - this.#lineStart + 1 };
  }
}

/** Shared by the OpenWEC RawJson reader, which carries the same XML. */
export function eventFromXml(
  text: string,
  source: WindowsEventSource,
  options: EventXmlOptions = {},
): WindowsEvent {
  const flags = new Set<string>();
  let doc: XmlDocument;
  try {
    doc = parseXml(text, options.limits);
  } catch (error) {
    if (!(error instanceof WindowsEventParseError) || options.recover === false) throw error;
    doc = recoverRenderingInfo(text, error, options.limits);
    flags.add('raw_content_recovered');
  }
  return eventFromDocument(doc, text, flags, source);
}

const RENDERING_INFO_TAG = /<(?:[A-Za-z_][\w.-]*:)?RenderingInfo[\s>/]/g;
const EVENT_START_TAG = /<((?:[A-Za-z_][\w.-]*:)?)Event[\s>/]/;

/** The document cut at the last `<RenderingInfo` and closed, or the original error when that does not apply. */
function recoverRenderingInfo(
  text: string,
  original: WindowsEventParseError,
  limits: Partial<XmlLimits> | undefined,
): XmlDocument {
  let cut = -1;
  RENDERING_INFO_TAG.lastIndex = 0;
  for (let m = RENDERING_INFO_TAG.exec(text); m !== null; m = RENDERING_INFO_TAG.exec(text)) cut = m.index;
  if (cut === -1 || original.position === undefined || original.position < cut) throw original;
  const root = EVENT_START_TAG.exec(text);
  if (root === null || root.index >= cut) throw original;
  try {
    return parseXml(`${text.slice(0, cut)}</${root[1]}Event>`, limits);
  } catch (second) {
    if (!(second instanceof WindowsEventParseError)) throw second;
    throw new WindowsEventParseError(
      'xml',
      `${original.reason}; cut at <RenderingInfo (offset ${cut}) it still fails: ${second.reason}`,
      original.position,
      text,
      { cause: second },
    );
  }
}

function eventFromDocument(
  doc: XmlDocument,
  raw: string,
  flags: Set<string>,
  source: WindowsEventSource,
): WindowsEvent {
  const root = doc.root;
  const fail = (reason: string, at: number): never => {
    throw new WindowsEventParseError('event', reason, at, raw);
  };
  if (root.local !== 'Event') fail(`root element <${root.name}>, expected <Event>`, root.start);
  if (declaredNamespace(root) !== EVENT_NAMESPACE) flags.add('unexpected_namespace');
  for (const f of doc.flags) flags.add(f);

  let system: XmlElement | undefined;
  let rendering: WindowsRenderingInfo | null = null;
  let eventDataName: string | null = null;
  let userDataRoot: string | null = null;
  const eventData = new FieldMap();
  const userData = new FieldMap();
  const extraData = new FieldMap();
  for (const node of root.children) {
    if (typeof node === 'string') {
      if (!isBlank(node)) flags.add('unexpected_text');
      continue;
    }
    switch (node.local) {
      case 'System':
        if (system) flags.add('duplicate_element');
        else system = node;
        break;
      case 'EventData':
        eventDataName ??= attribute(node, 'Name') ?? null;
        readEventData(node, eventData, flags);
        break;
      case 'UserData':
        userDataRoot ??= readUserData(node, userData, flags);
        break;
      case 'BinaryEventData':
      case 'DebugData':
      case 'ProcessingErrorData':
        flatten(node, node.local, extraData);
        break;
      case 'RenderingInfo':
        if (rendering) flags.add('duplicate_element');
        else rendering = readRenderingInfo(node, flags);
        break;
      case 'SubscriptionBookmarkEvent':
        break;
      default:
        flags.add('unknown_element');
    }
  }
  if (!system) return fail('no <System> element', root.start);
  const at = system.start;
  const fields = buildSystem(systemInput(system, flags), flags, (reason) => fail(reason, at));
  return {
    source,
    ...fields,
    eventData: eventData.toObject(),
    eventDataName,
    userData: userData.toObject(),
    userDataRoot,
    extraData: extraData.toObject(),
    rendering,
    collector: null,
    flags: [...flags],
    raw,
  };
}

/** The System element's values as written; the first of a repeated element counts. */
function systemInput(system: XmlElement, flags: Set<string>): SystemInput {
  const input: SystemInput = {};
  const seen = new Set<string>();
  for (const node of system.children) {
    if (typeof node === 'string') {
      if (!isBlank(node)) flags.add('unexpected_text');
      continue;
    }
    if (seen.has(node.local)) {
      flags.add('duplicate_element');
      continue;
    }
    seen.add(node.local);
    const a = (name: string) => attribute(node, name);
    switch (node.local) {
      case 'Provider':
        input.providerName = a('Name');
        input.providerGuid = a('Guid');
        input.eventSourceName = a('EventSourceName');
        break;
      case 'EventID':
        input.eventId = directText(node);
        input.qualifiers = a('Qualifiers');
        break;
      case 'Version':
        input.version = directText(node);
        break;
      case 'Level':
        input.level = directText(node);
        break;
      case 'Task':
        input.task = directText(node);
        break;
      case 'Opcode':
        input.opcode = directText(node);
        break;
      case 'Keywords':
        input.keywords = directText(node);
        break;
      case 'TimeCreated':
        input.timeCreated = a('SystemTime');
        break;
      case 'EventRecordID':
        input.eventRecordId = directText(node);
        break;
      case 'Correlation':
        input.activityId = a('ActivityID');
        input.relatedActivityId = a('RelatedActivityID');
        break;
      case 'Execution':
        input.execution = {
          processId: a('ProcessID'),
          threadId: a('ThreadID'),
          processorId: a('ProcessorID'),
          sessionId: a('SessionID'),
          kernelTime: a('KernelTime'),
          userTime: a('UserTime'),
          processorTime: a('ProcessorTime'),
        };
        break;
      case 'Channel':
        input.channel = directText(node);
        break;
      case 'Computer':
        input.computer = directText(node);
        break;
      case 'Container':
        input.container = directText(node);
        break;
      case 'Security':
        input.userId = a('UserID');
        break;
      default:
        flags.add('unknown_element');
    }
  }
  return input;
}
