import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../../shared/runtime/config.ts';
import { type Runtime, startRuntime } from '../../../shared/runtime/runtime.ts';
import { type FunctionSpec, findFunction, Topology } from '../../../shared/topology.ts';
import { waitFor } from '../../support/runtime-process.ts';

const factory = new URL('../../support/functions/misbehaving.ts', import.meta.url).pathname;

function queueFunction(
  name: string,
  overrides: Partial<FunctionSpec> = {},
  visibilityTimeoutSeconds = 1,
): FunctionSpec {
  return {
    name,
    description: `misbehaving function ${name}`,
    entry: `functions/${name}/handler.ts`,
    factory: `functions/${name}/function.ts`,
    memoryMb: 256,
    timeoutSeconds: 1,
    concurrency: 1,
    packaging: 'zip',
    trigger: {
      kind: 'queue',
      queue: {
        name: `${name}-q`,
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        visibilityTimeoutSeconds,
        maxReceiveCount: 2,
        retentionSeconds: 3600,
        rules: [],
      },
    },
    emits: [],
    access: {
      registry: 'none',
      objects: 'none',
      scheduler: false,
      connector: false,
      archive: 'none',
      monitorState: false,
      sendsTo: [],
    },
    ...overrides,
  };
}

// Validated like the real topology, then pointed at the misbehaving factory (outside functions/).
const parsed = Topology.parse({
  functions: [
    findFunction('api'),
    // The API's ingest route sends to this function's queue.
    findFunction('ingest'),
    queueFunction('hang'),
    queueFunction('boom'),
    queueFunction('partial'),
    queueFunction('spin', { timeoutSeconds: 30 }, 60),
  ],
});
const testTopology: Topology = {
  functions: parsed.functions.map((fn) => (fn.name === 'api' ? fn : { ...fn, factory })),
};

describe('the runtime under misbehaving functions', () => {
  let runtime: Runtime;
  const depth = (queue: string) => runtime.parts.queue.stats().find((s) => s.queue === queue)!;
  const health = async () => (await fetch(`${runtime.url}/v1/health`)).status;

  beforeAll(async () => {
    const config = loadRuntimeConfig({
      OUTBOARD_HOME: mkdtempSync(join(tmpdir(), 'ob-robust-')),
      OUTBOARD_HTTP_PORT: '0',
      OUTBOARD_LOG_LEVEL: 'SILENT',
    });
    runtime = await startRuntime(config, { topology: testTopology });
  });

  afterAll(async () => {
    await runtime.stop();
  });

  it('cuts off a hanging invocation at its timeout, retries it, then dead-letters it', async () => {
    await runtime.parts.queue.send('hang-q', [{ body: 'hang' }]);
    await waitFor(
      'the hanging message in the DLQ',
      async () => (depth('hang-q-dlq').visible === 1 ? true : undefined),
      20_000,
    );
    expect(depth('hang-q')).toMatchObject({ visible: 0, inFlight: 0 });
    expect(await health()).toBe(200);
  });

  it('retries a throwing invocation and dead-letters it after maxReceiveCount', async () => {
    await runtime.parts.queue.send('boom-q', [{ body: 'throw' }]);
    await waitFor(
      'the failing message in the DLQ',
      async () => (depth('boom-q-dlq').visible === 1 ? true : undefined),
      20_000,
    );
    expect(await health()).toBe(200);
  });

  it('survives a worker that exits, and keeps the batch for redelivery', async () => {
    await runtime.parts.queue.send('boom-q', [{ body: 'crash' }]);
    await waitFor(
      'the crashing message in the DLQ',
      async () => (depth('boom-q-dlq').visible === 2 ? true : undefined),
      20_000,
    );
    expect(await health()).toBe(200);
  });

  it('deletes the records of a batch that succeeded and redelivers only those in batchItemFailures', async () => {
    await runtime.parts.queue.send('partial-q', [{ body: 'ok-1' }, { body: 'fail' }, { body: 'ok-2' }]);
    const dead = await waitFor(
      'the failed record in the DLQ',
      async () => {
        const batch = runtime.parts.queue.receive('partial-q-dlq', 10).records;
        return batch.length ? batch : undefined;
      },
      20_000,
    );
    expect(dead.map((r) => r.body)).toEqual(['fail']);
    expect(depth('partial-q')).toMatchObject({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('keeps answering the API while a function burns CPU', async () => {
    await runtime.parts.queue.send('spin-q', [{ body: 'spin:4000' }]);
    await waitFor(
      'the spin to start',
      async () => (depth('spin-q').inFlight === 1 ? true : undefined),
      10_000,
    );
    // The API answers while the spinning invocation is still in flight: ordering, not a stopwatch.
    for (let i = 0; i < 5; i++) expect(await health()).toBe(200);
    expect(depth('spin-q').inFlight).toBe(1);
    await waitFor(
      'the spin to finish',
      async () => (depth('spin-q').inFlight === 0 ? true : undefined),
      20_000,
    );
    expect(depth('spin-q-dlq').visible).toBe(0);
  });
});
