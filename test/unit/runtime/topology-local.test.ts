import { describe, expect, it } from 'vitest';
import { functionQueues, queueConfigs } from '../../../shared/runtime/queues.ts';
import { busRules, Topology, topology } from '../../../shared/topology.ts';

describe('the topology in the local runtime', () => {
  it('gives every queue-triggered function its queue with the same settings and a dead-letter queue', () => {
    const configs = new Map(queueConfigs(topology).map((q) => [q.name, q]));
    for (const fn of topology.functions) {
      if (fn.trigger.kind !== 'queue') continue;
      const q = fn.trigger.queue;
      expect(configs.get(q.name)).toEqual({
        name: q.name,
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        maxReceiveCount: q.maxReceiveCount,
        retentionSeconds: q.retentionSeconds,
        deadLetterQueue: `${q.name}-dlq`,
      });
      expect(configs.get(`${q.name}-dlq`)?.retentionSeconds).toBe(1_209_600);
      expect(functionQueues(topology).find((b) => b.fn.name === fn.name)).toMatchObject({
        queue: q.name,
        mode: 'sqs',
        batchSize: q.batchSize,
        maxBatchingWindowSeconds: q.maxBatchingWindowSeconds,
      });
    }
  });

  it('routes every rule to the queue of the function it feeds', () => {
    const rules = busRules(topology);
    expect(rules.length).toBeGreaterThan(0);
    for (const { rule, target } of rules) {
      const fn = topology.functions.find((f) => f.name === target.function)!;
      expect(fn.trigger.kind === 'queue' && fn.trigger.queue.rules).toContainEqual(rule);
    }
  });

  it('rejects a topology AWS would reject', () => {
    const base = topology.functions.find((f) => f.name === 'backup-trigger')!;
    const tooShort = {
      functions: [
        {
          ...base,
          trigger: {
            kind: 'queue',
            queue: { ...(base.trigger as { queue: object }).queue, visibilityTimeoutSeconds: 10 },
          },
        },
      ],
    };
    expect(Topology.safeParse(tooShort).success).toBe(false);
    expect(Topology.safeParse({ functions: [base, base] }).success).toBe(false);
    expect(Topology.safeParse({ functions: [{ ...base, entry: 'elsewhere/handler.ts' }] }).success).toBe(
      false,
    );
  });
});
