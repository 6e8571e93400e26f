/** The archive's lifecycle rules, one per retention class (the synthesized bucket is checked in stack.test.ts). */
import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { archiveLifecycleRules, archiveRetentionPrefix } from '../../infra/constructs/storage.ts';

describe('archive lifecycle rules', () => {
  it('one rule per class, sorted, duplicates merged, prefix retention=<d>d/ expiring after d days', () => {
    const rules = archiveLifecycleRules([90, 7, 30, 7]);
    expect(rules.map((r) => [r.id, r.prefix, r.expiration?.toDays()])).toEqual([
      ['retention-7d', 'retention=7d/', 7],
      ['retention-30d', 'retention=30d/', 30],
      ['retention-90d', 'retention=90d/', 90],
    ]);
    for (const r of rules)
      expect(r.abortIncompleteMultipartUploadAfter?.toDays()).toBe(Duration.days(1).toDays());
  });

  it('no class prefix covers another class', () => {
    const prefixes = [7, 73, 730].map(archiveRetentionPrefix);
    for (const a of prefixes) {
      for (const b of prefixes) if (a !== b) expect(b.startsWith(a), `${a} / ${b}`).toBe(false);
    }
  });

  it.each([[[]], [[0]], [[1.5]], [[-7]]])('refuses the classes %j', (classes) => {
    expect(() => archiveLifecycleRules(classes)).toThrow(/archive: .*(at least one|whole number of days)/);
  });
});
