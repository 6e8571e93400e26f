import type { FunctionSpec, Topology } from '../topology.ts';
import type { RuntimeConfig } from './config.ts';

export interface WorkerData {
  spec: FunctionSpec;
  /** The topology the runtime serves, so a worker's bus and queues route as the main thread's do. */
  topology: Topology;
  config: RuntimeConfig;
  /** The receiver id of the runtime, shared by its workers' queue handles. */
  receiverId: string;
}

export type WorkerRequest = { type: 'invoke'; id: string; event: unknown; deadline: number };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'sent'; queues: string[] }
  | { type: 'result'; id: string; ok: true; value: unknown }
  | { type: 'result'; id: string; ok: false; error: { name: string; message: string } };
