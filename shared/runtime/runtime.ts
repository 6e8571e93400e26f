/**
 * The local runtime: the whole topology on one machine. It opens OUTBOARD_HOME, starts a worker pool
 * per function, a poller per queue-fed function, the scheduler loop and the portal API's HTTP server,
 * and stops them in the reverse order.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { asyncInvokeQueue } from '../adapters/local/bus.ts';
import { busRules, topology as defaultTopology, type Topology } from '../topology.ts';
import { BucketEventPoller } from './bucket-events.ts';
import type { RuntimeConfig } from './config.ts';
import { FunctionPool } from './function-pool.ts';
import { functionOfSchedule, syncFunctionSchedules } from './function-schedules.ts';
import { acquireHomeLock } from './home-lock.ts';
import { startHttpServer } from './http-server.ts';
import { closeLocalParts, createLogger, homePaths, type LocalParts, openLocalParts } from './local-deps.ts';
import { QueuePoller } from './queue-poller.ts';
import { functionQueues } from './queues.ts';
import { startSyslog } from './syslog.ts';

export interface Runtime {
  url: string;
  listeners: { name: string; address: string }[];
  parts: LocalParts;
  pools: Map<string, FunctionPool>;
  logger: Logger;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  topology?: Topology;
  /** Overrides function timeouts (tests of hanging invocations). */
  timeoutMs?: Record<string, number>;
  /** Scheduler loop period upper bound (ms). */
  schedulerTickMs?: number;
}

export async function startRuntime(config: RuntimeConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const topology = options.topology ?? defaultTopology;
  const logger = createLogger(config, 'outboard-runtime');
  const paths = homePaths(config.home);
  const releaseLock = acquireHomeLock(config.home, paths.lock);
  const receiverId = randomUUID();
  const pollers = new Map<string, QueuePoller>();
  const nudge = (queues: string[]) => {
    for (const q of queues) pollers.get(q)?.nudge();
  };
  let parts: LocalParts;
  try {
    parts = openLocalParts(config, { receiverId, onSent: nudge, topology });
  } catch (error) {
    releaseLock();
    throw error;
  }
  const released = parts.queue.releaseOrphans();
  if (released > 0) logger.warn('messages held by a previous runtime were made visible again', { released });
  if (!(await parts.registry.getTenant(config.internalTenantId)) && config.estate === 'internal') {
    await parts.registry.putTenant({
      id: config.internalTenantId,
      name: 'Internal estate',
      createdAt: new Date().toISOString(),
    });
  }

  let scheduledFunctions: string[];
  try {
    scheduledFunctions = await syncFunctionSchedules(parts.scheduler, topology);
  } catch (error) {
    closeLocalParts(parts);
    releaseLock();
    throw error;
  }

  const pools = new Map<string, FunctionPool>();
  for (const fn of topology.functions) {
    pools.set(
      fn.name,
      new FunctionPool({
        spec: fn,
        workerData: { config, receiverId, topology },
        onNotice: (n) => nudge(n.queues),
        ...(options.timeoutMs?.[fn.name] ? { timeoutMs: options.timeoutMs[fn.name] } : {}),
      }),
    );
  }
  for (const binding of functionQueues(topology)) {
    const poller = new QueuePoller({
      queue: parts.queue,
      binding,
      pool: pools.get(binding.fn.name)!,
      logger,
    });
    pollers.set(binding.queue, poller);
    poller.start();
  }

  // Scheduler: fire what is due, then sleep until the next due time (at most a tick).
  let schedulerRunning = true;
  let schedulerTimer: NodeJS.Timeout | undefined;
  const tickMs = options.schedulerTickMs ?? 1000;
  const schedulerTick = () => {
    if (!schedulerRunning) return;
    try {
      const fired = parts.scheduler.fireDue((f) => {
        const fnName = functionOfSchedule(f.name);
        if (fnName !== undefined) {
          // A function's own schedule invokes it directly (EventBridge Scheduler → Lambda), not via the bus.
          if (topology.functions.some((fn) => fn.name === fnName && fn.trigger.kind === 'schedule'))
            parts.queue.sendInTransaction(asyncInvokeQueue(fnName), [{ body: JSON.stringify(f.detail) }]);
          return;
        }
        parts.bus.putEntries([
          { Source: 'outboard', DetailType: f.detailType, Detail: JSON.stringify(f.detail), Resources: [] },
        ]);
      });
      if (fired.length > 0) {
        logger.info('schedules fired', {
          schedules: fired.map((f) => ({ name: f.name, at: f.scheduledTime })),
        });
        for (const q of pollers.keys()) nudge([q]);
      }
    } catch (error) {
      logger.error('scheduler tick failed', { error: String(error) });
    }
    const next = parts.scheduler.nextDueAt();
    const wait = next === undefined ? tickMs : Math.max(10, Math.min(tickMs, next - Date.now()));
    schedulerTimer = setTimeout(schedulerTick, wait);
  };
  schedulerTick();

  // Retention: expired queue messages are removed every ten minutes.
  const purge = setInterval(() => {
    try {
      parts.queue.purgeExpired();
    } catch (error) {
      logger.error('queue retention purge failed', { error: String(error) });
    }
  }, 600_000);
  purge.unref();

  const httpFunctions = topology.functions.filter((f) => f.trigger.kind === 'http');
  if (httpFunctions.length !== 1) throw new Error('runtime: exactly one function must serve the HTTP routes');
  const api = httpFunctions[0]!;
  let server: Server;
  let url: string;
  try {
    ({ server, url } = await startHttpServer({
      config,
      routes: api.trigger.kind === 'http' ? api.trigger.routes : [],
      pool: pools.get(api.name)!,
      logger,
      queue: parts.queue,
    }));
  } catch (error) {
    schedulerRunning = false;
    clearTimeout(schedulerTimer);
    await Promise.all([...pollers.values()].map((p) => p.stop()));
    await Promise.all([...pools.values()].map((p) => p.close()));
    closeLocalParts(parts);
    releaseLock();
    throw error;
  }

  const listeners = [{ name: 'http (portal API)', address: url }];
  let syslog: Awaited<ReturnType<typeof startSyslog>>;
  try {
    syslog = await startSyslog(config, topology, parts.queue, logger);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    schedulerRunning = false;
    clearTimeout(schedulerTimer);
    await Promise.all([...pollers.values()].map((p) => p.stop()));
    await Promise.all([...pools.values()].map((p) => p.close()));
    closeLocalParts(parts);
    releaseLock();
    throw error;
  }
  listeners.push(...(syslog?.listeners ?? []));
  // Watched buckets, locally: files dropped under <home>/buckets/<bucket>/ become S3 Object Created events.
  mkdirSync(paths.buckets, { recursive: true });
  const bucketEvents = new BucketEventPoller({
    root: paths.buckets,
    bus: parts.bus,
    state: parts.objects,
    logger,
  });
  bucketEvents.start();
  logger.info('outboard runtime started', {
    url,
    home: config.home,
    estate: config.estate,
    functions: topology.functions.map((f) => f.name),
    rules: busRules(topology).map((r) => r.rule.name),
    scheduledFunctions,
    listeners,
  });

  let stopped = false;
  return {
    url,
    listeners,
    parts,
    pools,
    logger,
    async stop() {
      if (stopped) return;
      stopped = true;
      schedulerRunning = false;
      clearTimeout(schedulerTimer);
      clearInterval(purge);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await bucketEvents.stop();
      try {
        await syslog?.receivers.close();
      } catch (error) {
        logger.error('syslog receivers did not close cleanly', { error: String(error) });
      }
      await Promise.all([...pollers.values()].map((p) => p.stop()));
      await Promise.all([...pools.values()].map((p) => p.close()));
      closeLocalParts(parts);
      releaseLock();
      logger.info('outboard runtime stopped');
    },
  };
}
