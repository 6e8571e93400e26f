import { describe, expect, it } from 'vitest';
import type { Guest, Subscription } from '../../../shared/contracts/guest.ts';
import { SenderDirectory } from '../../../shared/monitoring/attribution.ts';

const FP = `${'AB:'.repeat(31)}CD`;

function entry(tenantId: string, id: string, identity: Partial<Guest>, fingerprints: string[] = []) {
  const guest = {
    tenantId,
    id,
    name: id,
    connector: 'local',
    disks: ['/x.img'],
    hostnames: [],
    addresses: [],
    tags: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    ...identity,
  } as Guest;
  const subscription = {
    tenantId,
    guestId: id,
    service: 'monitoring',
    policy: {
      schedule: 'rate(5 minutes)',
      timezone: 'UTC',
      retentionDays: 90,
      certificateFingerprints: fingerprints,
      silentAfterMinutes: 30,
      disabledRules: [],
    },
    enabledAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  } as Subscription;
  return { guest, subscription };
}

describe('SenderDirectory', () => {
  const dir = new SenderDirectory([
    entry('t1', 'gst_a', { addresses: ['10.0.0.5'], hostnames: ['web1.example.com'] }, [FP]),
    entry('t1', 'gst_b', { addresses: ['10.0.0.6', '10.0.0.9'], hostnames: ['db1'] }),
    entry('t2', 'gst_c', { addresses: ['10.0.0.9'], hostnames: ['db1'] }),
  ]);

  it('trusts a verified certificate first, then the source address, then the hostname', () => {
    expect(dir.attribute({ certificateFingerprint: FP.toLowerCase(), sourceAddress: '10.0.0.6' })).toEqual({
      tenantId: 't1',
      guestId: 'gst_a',
      by: 'tls-certificate',
    });
    expect(dir.attribute({ sourceAddress: '::ffff:10.0.0.6', hostname: 'web1' })).toMatchObject({
      guestId: 'gst_b',
      by: 'source-address',
    });
    expect(dir.attribute({ sourceAddress: '192.0.2.1', hostname: 'WEB1' })).toMatchObject({
      guestId: 'gst_a',
      by: 'hostname',
    });
    expect(dir.attribute({ sourceAddress: '192.0.2.1', hostname: 'web1.example.com.' })).toMatchObject({
      guestId: 'gst_a',
    });
  });

  it('never attributes by a key two guests claim, and stays within a given tenant', () => {
    expect(dir.attribute({ sourceAddress: '10.0.0.9' })).toBeNull();
    expect(dir.attribute({ sourceAddress: '192.0.2.1', hostname: 'db1' })).toBeNull();
    expect(dir.attribute({ sourceAddress: '10.0.0.5', tenantId: 't2' })).toBeNull();
    expect(dir.attribute({ sourceAddress: '192.0.2.1', hostname: 'nobody' })).toBeNull();
  });
});
