/**
 * Windows events in: Event XML (one or a collector's batch) and OpenWEC JSON to WindowsEvent, with the
 * severity table and the deduplication key. See README.md in this folder.
 */
export { windowsDedupeKey } from './dedupe.ts';
export type { WindowsParseLayer } from './errors.ts';
export { WindowsEventParseError } from './errors.ts';
export type { EventXmlOptions } from './event-xml.ts';
export { parseEventXml, parseEventXmlBatch } from './event-xml.ts';
export type { OpenWecJsonOptions } from './openwec-json.ts';
export { parseOpenWecJson, parseOpenWecRecord } from './openwec-json.ts';
export type { SyslogSeverity, WindowsSeverity } from './severity.ts';
export { SEVERITY_NAMES, windowsSeverity } from './severity.ts';
export type { EventSegment } from './split.ts';
export { EVENT_NAMESPACE, splitEvents } from './split.ts';
export { parseWindowsTime } from './time.ts';
export type {
  WindowsCollectorInfo,
  WindowsEvent,
  WindowsEventFlag,
  WindowsEventSource,
  WindowsExecution,
  WindowsFields,
  WindowsFieldValue,
  WindowsParseResult,
  WindowsProvider,
  WindowsRenderingInfo,
  WindowsTime,
} from './types.ts';
export { WINDOWS_EVENT_FLAGS } from './types.ts';
export type { XmlLimits } from './xml.ts';
export { DEFAULT_XML_LIMITS } from './xml.ts';
