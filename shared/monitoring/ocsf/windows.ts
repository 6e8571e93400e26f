/**
 * OCSF classes for the Windows security events worth a class of their own: logons (Authentication),
 * account changes, group membership changes, event log clearing and process creation/exit. Field
 * names are the events' EventData / UserData names (learn.microsoft.com, "event-NNNN" pages).
 */
import type { MonitorEvent } from '../../contracts/monitoring.ts';
import {
  type Activity,
  baseName,
  FieldReader,
  fileObject,
  nonEmpty,
  projectedEvent,
  windowsUser,
} from './common.ts';
import { OCSF_CLASSES, type OcsfEvent, type OcsfObject } from './types.ts';

const isSecurity = (event: MonitorEvent) => event.channel?.toLowerCase() === 'security';
const isEventlogProvider = (event: MonitorEvent) => event.app?.toLowerCase() === 'microsoft-windows-eventlog';

/** Windows logon types, which OCSF's logon_type_id reuses number for number. */
const LOGON_TYPES: Readonly<Record<number, string>> = {
  0: 'System',
  2: 'Interactive',
  3: 'Network',
  4: 'Batch',
  5: 'OS Service',
  7: 'Unlock',
  8: 'Network Cleartext',
  9: 'New Credentials',
  10: 'Remote Interactive',
  11: 'Cached Interactive',
  12: 'Cached Remote Interactive',
  13: 'Cached Unlock',
};
const REMOTE_LOGON_TYPES = new Set([3, 8, 10, 12]);

/** NTSTATUS codes of failed logons (4625 Status / SubStatus), as words. */
const LOGON_FAILURES: Readonly<Record<number, string>> = {
  3221225572: 'User does not exist',
  3221225578: 'Wrong password',
  3221225581: 'Bad user name or password',
  3221225582: 'Account restriction',
  3221225583: 'Logon outside allowed hours',
  3221225584: 'Logon from unauthorized workstation',
  3221225585: 'Password expired',
  3221225586: 'Account disabled',
  3221225779: 'Clocks of the domain controller and the computer are too far apart',
  3221225819: 'Logon type not granted',
  3221225875: 'Account expired',
  3221226020: 'Password must be changed',
  3221226036: 'Account locked out',
};

function authProtocol(name: string | undefined): OcsfObject {
  if (name === undefined) return {};
  const lower = name.toLowerCase();
  const id = lower === 'ntlm' ? 1 : lower === 'kerberos' ? 2 : 99;
  return { auth_protocol_id: id, auth_protocol: id === 1 ? 'NTLM' : id === 2 ? 'Kerberos' : name };
}

function authentication(event: MonitorEvent, fields: FieldReader): OcsfEvent {
  const eventId = event.eventId!;
  const logoff = eventId === 4634 || eventId === 4647;
  const failed = eventId === 4625;
  const activity: Activity = logoff
    ? { cls: OCSF_CLASSES.authentication, id: 2, name: 'Logoff' }
    : { cls: OCSF_CLASSES.authentication, id: 1, name: 'Logon' };
  const logonType = fields.integer('LogonType');
  const logonTypeName = logonType === undefined ? undefined : LOGON_TYPES[logonType];
  const status = fields.integer('Status');
  const subStatus = fields.integer('SubStatus');
  const code = subStatus !== undefined && subStatus !== 0 ? subStatus : status;
  const codeText = code === undefined ? undefined : `0x${code.toString(16).toUpperCase().padStart(8, '0')}`;
  const port = fields.integer('IpPort');
  const actor = windowsUser(fields, 'Subject');
  return projectedEvent(event, activity, fields, {
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    status_code: failed ? codeText : undefined,
    status_detail: failed
      ? code === undefined
        ? undefined
        : (LOGON_FAILURES[code] ?? fields.text('FailureReason'))
      : undefined,
    user: windowsUser(fields, 'Target') ?? {},
    actor: actor === undefined ? undefined : { user: actor },
    logon_type_id: logonType === undefined ? undefined : logonTypeName === undefined ? 99 : logonType,
    logon_type: logonType === undefined ? undefined : (logonTypeName ?? String(logonType)),
    is_remote: logonType === undefined ? undefined : REMOTE_LOGON_TYPES.has(logonType),
    logon_process: nonEmpty({ name: fields.text('LogonProcessName')?.trim() }),
    ...authProtocol(fields.text('AuthenticationPackageName')),
    session: nonEmpty({ uid: fields.text('TargetLogonId') }),
    src_endpoint: nonEmpty({
      ip: fields.text('IpAddress'),
      port: port === undefined || port === 0 ? undefined : port,
      hostname: fields.text('WorkstationName'),
    }),
    dst_endpoint: nonEmpty({ hostname: event.host ?? undefined, uid: event.guestId ?? undefined }),
  });
}

const ACCOUNT_ACTIVITIES: Readonly<Record<number, { id: number; name: string }>> = {
  4720: { id: 1, name: 'Create' },
  4722: { id: 2, name: 'Enable' },
  4723: { id: 3, name: 'Password Change' },
  4724: { id: 4, name: 'Password Reset' },
  4725: { id: 5, name: 'Disable' },
  4726: { id: 6, name: 'Delete' },
  4740: { id: 9, name: 'Lock' },
};

function accountChange(event: MonitorEvent, fields: FieldReader): OcsfEvent {
  const { id, name } = ACCOUNT_ACTIVITIES[event.eventId!]!;
  const lockout = event.eventId === 4740;
  const actor = windowsUser(fields, 'Subject');
  // 4740 names the caller computer (where the bad passwords came from) in TargetDomainName.
  const callerComputer = lockout ? fields.text('TargetDomainName') : undefined;
  const user = lockout
    ? nonEmpty({ name: fields.text('TargetUserName'), uid: fields.text('TargetSid') })
    : windowsUser(fields, 'Target');
  return projectedEvent(event, { cls: OCSF_CLASSES.accountChange, id, name }, fields, {
    user: user ?? {},
    actor: actor === undefined ? undefined : { user: actor },
    src_endpoint: callerComputer === undefined ? undefined : { hostname: callerComputer },
  });
}

const GROUP_TYPES: Readonly<Record<number, string>> = {
  4728: 'Global',
  4729: 'Global',
  4732: 'Local',
  4733: 'Local',
  4756: 'Universal',
  4757: 'Universal',
};
const GROUP_ADDS = new Set([4728, 4732, 4756]);

function groupManagement(event: MonitorEvent, fields: FieldReader): OcsfEvent {
  const add = GROUP_ADDS.has(event.eventId!);
  const actor = windowsUser(fields, 'Subject');
  return projectedEvent(
    event,
    { cls: OCSF_CLASSES.groupManagement, id: add ? 3 : 4, name: add ? 'Add User' : 'Remove User' },
    fields,
    {
      group:
        nonEmpty({
          name: fields.text('TargetUserName'),
          uid: fields.text('TargetSid'),
          domain: fields.text('TargetDomainName'),
          type: GROUP_TYPES[event.eventId!],
        }) ?? {},
      user: nonEmpty({ name: fields.text('MemberName'), uid: fields.text('MemberSid') }) ?? {},
      actor: actor === undefined ? undefined : { user: actor },
    },
  );
}

function eventLogActivity(event: MonitorEvent, fields: FieldReader): OcsfEvent {
  const eventId = event.eventId!;
  const activity: Activity =
    eventId === 1100
      ? { cls: OCSF_CLASSES.eventLogActivity, id: 4, name: 'Disable' }
      : { cls: OCSF_CLASSES.eventLogActivity, id: 1, name: 'Clear' };
  const actor = windowsUser(fields, 'Subject');
  // 104 names the cleared log in UserData's Channel; 1102 and 1100 are about the Security log itself.
  const logName = eventId === 104 ? (fields.text('Channel') ?? event.channel) : 'Security';
  return projectedEvent(event, activity, fields, {
    log_name: logName ?? undefined,
    log_provider: event.app ?? undefined,
    file: fileObject(fields.text('BackupPath')),
    actor: actor === undefined ? undefined : { user: actor },
    status_id: 1,
    status: 'Success',
  });
}

function processActivity(event: MonitorEvent, fields: FieldReader): OcsfEvent {
  const launch = event.eventId === 4688;
  const user = windowsUser(fields, 'Subject');
  if (launch) {
    const path = fields.text('NewProcessName');
    const parentPath = fields.text('ParentProcessName');
    const parent = nonEmpty({
      pid: fields.integer('ProcessId'),
      name: parentPath === undefined ? undefined : baseName(parentPath),
      file: fileObject(parentPath),
    });
    return projectedEvent(event, { cls: OCSF_CLASSES.processActivity, id: 1, name: 'Launch' }, fields, {
      process:
        nonEmpty({
          pid: fields.integer('NewProcessId'),
          name: path === undefined ? undefined : baseName(path),
          file: fileObject(path),
          cmd_line: fields.text('CommandLine'),
          parent_process: parent,
        }) ?? {},
      actor: nonEmpty({ user, process: parent }) ?? {},
    });
  }
  const path = fields.text('ProcessName');
  const process =
    nonEmpty({
      pid: fields.integer('ProcessId'),
      name: path === undefined ? undefined : baseName(path),
      file: fileObject(path),
    }) ?? {};
  return projectedEvent(event, { cls: OCSF_CLASSES.processActivity, id: 2, name: 'Terminate' }, fields, {
    process,
    exit_code: fields.integer('Status'),
    actor: nonEmpty({ user, process }) ?? {},
  });
}

/** The OCSF event of a Windows event that has a class of its own, or undefined (Base Event then). */
export function windowsToOcsf(event: MonitorEvent): OcsfEvent | undefined {
  const eventId = event.eventId;
  if (event.sourceKind !== 'windows' || eventId === null) return undefined;
  const fields = new FieldReader(event);
  if (isSecurity(event)) {
    if (eventId === 4624 || eventId === 4625 || eventId === 4634 || eventId === 4647) {
      return authentication(event, fields);
    }
    if (Object.hasOwn(ACCOUNT_ACTIVITIES, eventId)) return accountChange(event, fields);
    if (Object.hasOwn(GROUP_TYPES, eventId)) return groupManagement(event, fields);
    if (eventId === 4688 || eventId === 4689) return processActivity(event, fields);
  }
  if (isEventlogProvider(event)) {
    if ((eventId === 1102 || eventId === 1100) && isSecurity(event)) return eventLogActivity(event, fields);
    if (eventId === 104) return eventLogActivity(event, fields);
  }
  return undefined;
}
