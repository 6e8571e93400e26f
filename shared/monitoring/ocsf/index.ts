/**
 * OCSF projection (export view) of monitoring events and alerts: `toOcsf` for canonical events,
 * `alertToOcsf` for alerts (Detection Finding). The internal model stays `MonitorEvent`.
 */
export { ocsfSeverityId } from './common.ts';
export { alertToOcsf } from './finding.ts';
export { toOcsf } from './project.ts';
export {
  OCSF_CATEGORIES,
  OCSF_CLASSES,
  OCSF_SEVERITIES,
  OCSF_VERSION,
  type OcsfClass,
  type OcsfEvent,
  type OcsfObject,
  type OcsfSeverityId,
} from './types.ts';
