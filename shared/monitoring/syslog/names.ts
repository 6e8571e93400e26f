/**
 * Syslog facility and severity numbers to the keywords syslog daemons and the events API use
 * (RFC 5424 §6.2.1; facility 13–15 as Linux and Solaris name them). The lists themselves are the
 * monitoring contract's (`FACILITIES`, `SEVERITIES`), indexed by number.
 */
import { FACILITIES, type Facility, SEVERITIES, type Severity } from '../../contracts/monitoring.ts';

/** Facility keywords by number: the contract's `FACILITIES`. */
export const FACILITY_NAMES = FACILITIES;
export type FacilityName = Facility;

/** Severity keywords by number: the contract's `SEVERITIES`. */
export const SEVERITY_NAMES = SEVERITIES;
export type SeverityName = Severity;

/** The keyword of facility `n` (0–23), or null for any other value. */
export function facilityName(n: number): FacilityName | null {
  return Number.isInteger(n) && n >= 0 && n < FACILITY_NAMES.length ? FACILITY_NAMES[n]! : null;
}

/** The keyword of severity `n` (0–7), or null for any other value. */
export function severityName(n: number): SeverityName | null {
  return Number.isInteger(n) && n >= 0 && n < SEVERITY_NAMES.length ? SEVERITY_NAMES[n]! : null;
}
