/**
 * Field paths: how a rule names a value of a `MonitorEvent`, and the accessors they compile to.
 *
 * A path is one of the event's own top-level names (`severity`, `app`, `eventId`, …), `fields.<Name>`
 * (a Windows EventData / UserData name or a syslog extra, taken whole, dots included), or
 * `structuredData.<SD-ID>.<PARAM>` (split at the last dot: SD-IDs may contain dots, as in
 * `origin@32473.1`, PARAM-NAMEs in practice do not). Group-by lists may also name `extract.<name>`, a
 * value a rule pulls out of a matching event with a regex.
 */
import type { MonitorEvent } from '../../contracts/monitoring.ts';

/** What a path yields: a string, a number (eventId), a list (repeated values, flags), or nothing. */
export type FieldValue = string | number | readonly string[] | null | undefined;

export type FieldAccessor = (event: MonitorEvent) => FieldValue;

/** The event's top-level names a rule may read (not `id`, `time`, `receivedAt`: they are not facts to match). */
export const TOP_LEVEL_FIELDS = [
  'severity',
  'facility',
  'app',
  'host',
  'message',
  'eventId',
  'channel',
  'sourceKind',
  'transport',
  'listener',
  'sourceAddress',
  'procId',
  'msgId',
  'recordId',
  'attributedBy',
  'timeSource',
  'timeText',
  'flags',
  'tenantId',
  'guestId',
  'raw',
] as const;
export type TopLevelField = (typeof TOP_LEVEL_FIELDS)[number];

const TOP_LEVEL = new Set<string>(TOP_LEVEL_FIELDS);

export type ParsedPath =
  | { kind: 'top'; name: TopLevelField }
  | { kind: 'field'; name: string }
  | { kind: 'sd'; sdId: string; param: string }
  | { kind: 'extract'; name: string };

/**
 * Parses a path; returns a message saying what is wrong when it is not one. `extract.<name>` is only
 * accepted when `allowExtract` (group-by lists), since extraction runs after a rule has matched.
 */
export function parseFieldPath(path: string, allowExtract: boolean): ParsedPath | string {
  if (TOP_LEVEL.has(path)) return { kind: 'top', name: path as TopLevelField };
  if (path.startsWith('fields.')) {
    const name = path.slice('fields.'.length);
    return name.length > 0 ? { kind: 'field', name } : 'fields.<Name> needs a name after "fields."';
  }
  if (path.startsWith('structuredData.')) {
    const rest = path.slice('structuredData.'.length);
    const dot = rest.lastIndexOf('.');
    if (dot <= 0 || dot === rest.length - 1) {
      return 'structuredData.<SD-ID>.<PARAM> needs both an SD-ID and a parameter name';
    }
    return { kind: 'sd', sdId: rest.slice(0, dot), param: rest.slice(dot + 1) };
  }
  if (path.startsWith('extract.')) {
    if (!allowExtract) return 'extract.<name> can only be used in groupBy lists, not in conditions';
    const name = path.slice('extract.'.length);
    return name.length > 0 ? { kind: 'extract', name } : 'extract.<name> needs a name after "extract."';
  }
  return `unknown field path "${path}": use one of ${TOP_LEVEL_FIELDS.join(', ')}, fields.<Name>, structuredData.<SD-ID>.<PARAM>`;
}

/** An accessor for an event path (not `extract.*`, which the evaluator resolves from the rule's extractions). */
export function accessorFor(path: Exclude<ParsedPath, { kind: 'extract' }>): FieldAccessor {
  switch (path.kind) {
    case 'top': {
      const name = path.name;
      return (event) => event[name];
    }
    case 'field': {
      const name = path.name;
      return (event) => (Object.hasOwn(event.fields, name) ? event.fields[name] : undefined);
    }
    case 'sd': {
      const { sdId, param } = path;
      return (event) => {
        const sd = event.structuredData;
        if (sd === null || !Object.hasOwn(sd, sdId)) return undefined;
        const element = sd[sdId]!;
        return Object.hasOwn(element, param) ? element[param] : undefined;
      };
    }
  }
}

/** The value as one string for group keys and alert text: lists joined with ",", nothing as null. */
export function valueText(value: FieldValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return value.length === 0 ? null : value.join(',');
}
