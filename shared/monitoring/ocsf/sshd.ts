/**
 * OCSF Authentication for OpenSSH's logon lines: `Accepted <method> for <user> from <ip> port <n> …`
 * and `Failed <method> for [invalid user ]<user> from <ip> port <n> …`, as sshd (and, from OpenSSH 9.8,
 * sshd-session) writes them, also inside rsyslog's `message repeated N times: [ … ]`.
 */
import type { MonitorEvent } from '../../contracts/monitoring.ts';
import { FieldReader, nonEmpty, projectedEvent } from './common.ts';
import { OCSF_CLASSES, type OcsfEvent } from './types.ts';

const SSH_APPS = new Set(['sshd', 'sshd-session']);
const REPEATED = /^message repeated (\d{1,9}) times: \[ ?(.*?)\]?$/s;
const LOGON = /^(Accepted|Failed) (\S+) for (invalid user )?(\S+) from (\S+) port (\d{1,5})\b/;

/** The OCSF event of an sshd logon line, or undefined for any other line. */
export function sshdToOcsf(event: MonitorEvent): OcsfEvent | undefined {
  if (event.sourceKind !== 'syslog' || event.app === null || !SSH_APPS.has(event.app)) return undefined;
  let message = event.message;
  let count: number | undefined;
  const repeated = REPEATED.exec(message);
  if (repeated !== null) {
    count = Number(repeated[1]);
    message = repeated[2]!;
  }
  const logon = LOGON.exec(message);
  if (logon === null) return undefined;
  const [, outcome, method, invalidUser, user, ip, port] = logon;
  const failed = outcome === 'Failed';
  return projectedEvent(
    event,
    { cls: OCSF_CLASSES.authentication, id: 1, name: 'Logon' },
    new FieldReader(event),
    {
      count,
      status_id: failed ? 2 : 1,
      status: failed ? 'Failure' : 'Success',
      status_detail: invalidUser !== undefined ? 'User does not exist' : undefined,
      user: { name: user },
      auth_protocol_id: 99,
      auth_protocol: method,
      is_remote: true,
      service: { name: 'sshd' },
      src_endpoint: { ip, port: Number(port) },
      dst_endpoint: nonEmpty({ hostname: event.host ?? undefined, uid: event.guestId ?? undefined }),
    },
  );
}
