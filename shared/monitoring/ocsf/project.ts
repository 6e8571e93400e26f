/**
 * The OCSF projection of canonical events, for export to security lakes: the class that fits (see
 * windows.ts and sshd.ts), else Base Event (class 0) with the message, time, device and every other
 * value under `unmapped`. Never throws for a valid `MonitorEvent`.
 */
import type { MonitorEvent } from '../../contracts/monitoring.ts';
import { FieldReader, projectedEvent } from './common.ts';
import { sshdToOcsf } from './sshd.ts';
import { OCSF_CLASSES, type OcsfEvent } from './types.ts';
import { windowsToOcsf } from './windows.ts';

export function toOcsf(event: MonitorEvent): OcsfEvent {
  return (
    windowsToOcsf(event) ??
    sshdToOcsf(event) ??
    projectedEvent(event, { cls: OCSF_CLASSES.baseEvent, id: 0, name: 'Unknown' }, new FieldReader(event), {})
  );
}
