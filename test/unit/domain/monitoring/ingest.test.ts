/**
 * The ingest pipeline with its real local parts (SQLite registry and monitoring state, the filesystem
 * object store): records in, archive and alerts out, and what redelivery and retransmission do.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../../../shared/adapters/local/object-store.ts';
import { openDatabase } from '../../../../shared/adapters/local/sqlite.ts';
import { SqliteMonitorStateStore } from '../../../../shared/adapters/local/sqlite-monitor-state.ts';
import { SqliteRegistry } from '../../../../shared/adapters/local/sqlite-registry.ts';
import type { RawRecord } from '../../../../shared/contracts/ingest.ts';
import type { MonitorEvent } from '../../../../shared/contracts/monitoring.ts';
import { ingestBatch } from '../../../../shared/domain/monitoring/ingest.ts';
import { RuleSets } from '../../../../shared/domain/monitoring/rule-sets.ts';
import { listAlerts } from '../../../../shared/monitoring/alert-store.ts';
import { queryArchive } from '../../../../shared/monitoring/archive/reader.ts';
import { loadSenderDirectory } from '../../../../shared/monitoring/attribution.ts';
import { fixedClock, RecordingBus, silentLogger } from '../../../support/fakes.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const TENANT = 'internal';

function sqs(messageId: string, body: string, attributes: Record<string, string> = {}): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(T0),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(T0),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { dataType: 'String', stringValue: v }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:ingest-records',
    awsRegion: 'local',
  } as SQSRecord;
}

const record = (text: string, over: Partial<RawRecord> = {}): RawRecord => ({
  text,
  receivedAt: T0,
  transport: 'tcp',
  listener: 'syslog',
  remoteAddress: '10.0.0.5',
  remotePort: 40000,
  ...over,
});

const batch = (records: RawRecord[]) => JSON.stringify({ kind: 'records', records });

async function setup() {
  const db = openDatabase(':memory:');
  const registry = new SqliteRegistry(db);
  const deps = {
    clock: fixedClock(T0),
    registry,
    objects: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-ingest-objects-'))),
    archive: new FsObjectStore(mkdtempSync(join(tmpdir(), 'ob-ingest-archive-'))),
    monitorState: new SqliteMonitorStateStore(db, { now: () => T0 }),
    bus: new RecordingBus(),
    logger: silentLogger,
  };
  await registry.putTenant({ id: TENANT, name: 'internal', createdAt: new Date(T0).toISOString() });
  const guest = {
    tenantId: TENANT,
    id: 'gst_0000000000000000000000web',
    name: 'web1',
    connector: 'local' as const,
    disks: ['/tmp/web1.img'],
    hostnames: ['web1.example.com'],
    addresses: ['10.0.0.5'],
    tags: {},
    createdAt: new Date(T0).toISOString(),
  };
  await registry.createGuest(guest);
  await registry.putSubscription({
    tenantId: TENANT,
    guestId: guest.id,
    service: 'monitoring',
    policy: {
      schedule: 'rate(5 minutes)',
      timezone: 'UTC',
      retentionDays: 30,
      certificateFingerprints: [],
      silentAfterMinutes: 30,
      disabledRules: [],
    },
    enabledAt: new Date(T0 - 3_600_000).toISOString(),
    updatedAt: new Date(T0 - 3_600_000).toISOString(),
  });
  const ruleSets = new RuleSets(deps);
  const run = async (records: SQSRecord[]) => {
    const directory = await loadSenderDirectory(registry);
    await ruleSets.prepare([TENANT]);
    return ingestBatch(deps, records, {
      directory,
      rulesFor: (t, g) => ruleSets.rulesFor(directory, t, g),
    });
  };
  const events = async (owner: { tenantId: string | null; guestId: string | null }) =>
    (await queryArchive(deps.archive, owner, { from: T0 - 86_400_000, to: T0 + 86_400_000, limit: 1000 }))
      .items;
  return { deps, guest, run, events };
}

describe('ingestBatch', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    s = await setup();
  });

  it('parses, attributes by source address and archives every record with its fields', async () => {
    const outcome = await s.run([
      sqs(
        'm1',
        batch([
          record(
            '<34>1 2026-03-01T09:59:59.123456+01:00 web1 su - ID47 [origin@1 ip="10.0.0.5"] \uFEFFsu failed',
          ),
          record('<13>Mar  1 09:59:58 web1 cron[12]: job ran', { transport: 'udp' }),
        ]),
      ),
    ]);
    expect(outcome).toMatchObject({ failed: [], received: 2, archived: 2, duplicates: 0, unattributed: 0 });
    const archived = await s.events({ tenantId: TENANT, guestId: s.guest.id });
    expect(archived).toHaveLength(2);
    const su = archived.find((e) => e.app === 'su')!;
    expect(su).toMatchObject({
      time: '2026-03-01T08:59:59.123Z',
      timeText: '2026-03-01T09:59:59.123456+01:00',
      severity: 'critical',
      facility: 'auth',
      host: 'web1',
      msgId: 'ID47',
      message: 'su failed',
      structuredData: { 'origin@1': { ip: '10.0.0.5' } },
      attributedBy: 'source-address',
      transport: 'tcp',
    });
    const cron = archived.find((e) => e.app === 'cron')!;
    expect(cron).toMatchObject({ procId: '12', severity: 'notice', facility: 'user', transport: 'udp' });
  });

  it('keeps records from unknown senders under the unattributed partition', async () => {
    const outcome = await s.run([
      sqs('m1', batch([record('<13>Mar  1 09:59:58 stranger app: hi', { remoteAddress: '192.0.2.9' })])),
    ]);
    expect(outcome.unattributed).toBe(1);
    expect(await s.events({ tenantId: TENANT, guestId: s.guest.id })).toHaveLength(0);
    const stray = await s.events({ tenantId: null, guestId: null });
    expect(stray.map((e) => [e.host, e.guestId, e.message])).toEqual([['stranger', null, 'hi']]);
  });

  it('archives a redelivered message once, and a retransmission by the sender once', async () => {
    const body = batch([
      record('<13>Mar  1 09:59:58 web1 app: seq=1'),
      record('<13>Mar  1 09:59:58 web1 app: seq=2'),
    ]);
    await s.run([sqs('m1', body)]);
    await s.run([sqs('m1', body)]); // the same queue message again (visibility timeout, crash)
    const again = await s.run([
      sqs(
        'm2',
        batch([record('<13>Mar  1 09:59:58 web1 app: seq=2'), record('<13>Mar  1 09:59:58 web1 app: seq=3')]),
      ),
    ]);
    expect(again).toMatchObject({ received: 2, archived: 1, duplicates: 1 });
    const messages = (await s.events({ tenantId: TENANT, guestId: s.guest.id })).map((e) => e.message).sort();
    expect(messages).toEqual(['seq=1', 'seq=2', 'seq=3']);
  });

  it('archives a record repeated within one message once, keeping the order of the rest', async () => {
    const outcome = await s.run([
      sqs(
        'm1',
        batch(['a', 'b', 'a', 'c', 'b', 'd'].map((x) => record(`<13>Mar  1 09:59:58 web1 app: ${x}`))),
      ),
    ]);
    expect(outcome).toMatchObject({ received: 6, archived: 4, duplicates: 2 });
    const messages = (await s.events({ tenantId: TENANT, guestId: s.guest.id })).map((e) => e.message);
    expect(messages.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads HTTP bodies of Windows Event XML and deduplicates replayed records', async () => {
    const xml = (record: number) =>
      `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}"/><EventID>4625</EventID><Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8010000000000000</Keywords><TimeCreated SystemTime="2026-03-01T09:58:00.1234567Z"/><EventRecordID>${record}</EventRecordID><Correlation/><Execution ProcessID="636" ThreadID="700"/><Channel>Security</Channel><Computer>web1.example.com</Computer><Security/></System><EventData><Data Name="TargetUserName">alice</Data><Data Name="LogonType">3</Data><Data Name="IpAddress">198.51.100.7</Data></EventData></Event>`;
    const attrs = { 'content-type': 'application/xml', 'source-ip': '10.9.9.9' };
    await s.run([sqs('h1', `${xml(1)}\n${xml(2)}`, attrs)]);
    const replay = await s.run([sqs('h2', `${xml(2)}${xml(3)}`, attrs)]);
    expect(replay).toMatchObject({ archived: 1, duplicates: 1 });
    const archived = await s.events({ tenantId: TENANT, guestId: s.guest.id });
    expect(archived.map((e) => e.recordId).sort()).toEqual(['1', '2', '3']);
    expect(archived[0]).toMatchObject({
      sourceKind: 'windows',
      eventId: 4625,
      channel: 'Security',
      host: 'web1.example.com',
      attributedBy: 'hostname',
      timeText: '2026-03-01T09:58:00.1234567Z',
      severity: 'warning',
    });
    expect(archived[0]!.fields).toMatchObject({
      TargetUserName: 'alice',
      LogonType: '3',
      AuditResult: 'failure',
    });
  });

  it('never drops what it cannot parse: a bad JSON line becomes a flagged event', async () => {
    const attrs = { 'content-type': 'application/x-ndjson', 'source-ip': '10.0.0.5' };
    const outcome = await s.run([
      sqs(
        'j1',
        `{"message":"disk almost full","host":"web1","severity":"warning"}\nnot json at all\n{"nope":1}`,
        attrs,
      ),
    ]);
    expect(outcome.archived).toBe(3);
    const archived = await s.events({ tenantId: TENANT, guestId: s.guest.id });
    const flagged = archived.filter((e) => e.flags.includes('unparsed_json'));
    expect(flagged.map((e) => e.raw).sort()).toEqual(['not json at all', '{"nope":1}']);
    expect(archived.find((e) => e.message === 'disk almost full')).toMatchObject({
      severity: 'warning',
      sourceKind: 'json',
    });
  });

  it('fails only the message it cannot decode, for the dead-letter queue', async () => {
    const outcome = await s.run([
      sqs('bad', '{"kind":"records","records":[]}'),
      sqs('ok', batch([record('<13>Mar  1 09:59:58 web1 app: ok')])),
    ]);
    expect(outcome.failed).toEqual(['bad']);
    expect(outcome.archived).toBe(1);
  });

  it('raises one alert for a burst of failed ssh logons, however many arrive', async () => {
    const lines = Array.from(
      { length: 25 },
      (_, i) =>
        `<38>Mar  1 09:59:${String(10 + i).padStart(2, '0')} web1 sshd[${900 + i}]: Failed password for root from 203.0.113.4 port ${50000 + i} ssh2`,
    );
    await s.run([sqs('a1', batch(lines.slice(0, 12).map((l) => record(l))))]);
    await s.run([sqs('a2', batch(lines.slice(12).map((l) => record(l))))]);
    const raised = s.deps.bus.events.filter((e) => e.detailType === 'Monitor Alert Raised');
    expect(raised).toHaveLength(1);
    const detail = raised[0]!.detail as unknown as { guestId: string; rule: { id: string }; count: number };
    expect(detail.guestId).toBe(s.guest.id);
    expect(detail.count).toBeGreaterThanOrEqual(10);
    const stored = await listAlerts(s.deps.objects, TENANT, s.guest.id, { limit: 10 });
    expect(stored.items.map((a) => a.rule.id)).toEqual([detail.rule.id]);
  });

  it('raises an alert for a single audit-log-cleared event with the guest and the event', async () => {
    const xml = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"/><EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode><Keywords>0x4020000000000000</Keywords><TimeCreated SystemTime="2026-03-01T09:58:00.0000000Z"/><EventRecordID>77</EventRecordID><Correlation/><Execution ProcessID="1" ThreadID="2"/><Channel>Security</Channel><Computer>web1.example.com</Computer><Security/></System><UserData><LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog"><SubjectUserSid>S-1-5-21-1</SubjectUserSid><SubjectUserName>mallory</SubjectUserName><SubjectDomainName>CORP</SubjectDomainName><SubjectLogonId>0x1</SubjectLogonId></LogFileCleared></UserData></Event>`;
    await s.run([sqs('c1', xml, { 'content-type': 'application/xml', 'source-ip': '10.9.9.9' })]);
    const raised = s.deps.bus.events.filter((e) => e.detailType === 'Monitor Alert Raised');
    expect(raised).toHaveLength(1);
    const detail = raised[0]!.detail as unknown as { severity: string; events: MonitorEvent[] };
    expect(detail.severity).toBe('critical');
    expect(detail.events[0]).toMatchObject({ eventId: 1102, host: 'web1.example.com' });
  });
});
