/**
 * The OCSF shapes and numbers the projection uses: the schema version targeted, the classes we emit
 * with their categories, and the severity scale. Ids checked against ocsf/ocsf-schema (events/iam,
 * events/system, events/findings, objects/device, objects/os, objects/analytic).
 */

/** The OCSF schema version the projection writes (`metadata.version`). */
export const OCSF_VERSION = '1.5.0';

/** A JSON object in an OCSF event (the projection builds plain data; fields are OCSF's snake_case names). */
export type OcsfObject = { [key: string]: unknown };

export const OCSF_CATEGORIES = {
  0: 'Uncategorized',
  1: 'System Activity',
  2: 'Findings',
  3: 'Identity & Access Management',
} as const;
export type OcsfCategoryUid = keyof typeof OCSF_CATEGORIES;

export interface OcsfClass {
  readonly uid: number;
  readonly name: string;
  readonly category: OcsfCategoryUid;
}

export const OCSF_CLASSES = {
  baseEvent: { uid: 0, name: 'Base Event', category: 0 },
  processActivity: { uid: 1007, name: 'Process Activity', category: 1 },
  eventLogActivity: { uid: 1008, name: 'Event Log Activity', category: 1 },
  detectionFinding: { uid: 2004, name: 'Detection Finding', category: 2 },
  accountChange: { uid: 3001, name: 'Account Change', category: 3 },
  authentication: { uid: 3002, name: 'Authentication', category: 3 },
  groupManagement: { uid: 3006, name: 'Group Management', category: 3 },
} as const satisfies Record<string, OcsfClass>;

/** `severity_id` captions. */
export const OCSF_SEVERITIES = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
} as const;
export type OcsfSeverityId = keyof typeof OCSF_SEVERITIES;

/** The fields every event the projection writes has (the OCSF base event's required ones and ours). */
export interface OcsfEvent extends OcsfObject {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  severity_id: OcsfSeverityId;
  severity: string;
  /** Epoch milliseconds. */
  time: number;
  metadata: OcsfObject & { version: string; product: OcsfObject; uid: string };
}
