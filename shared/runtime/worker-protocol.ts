import type { FunctionSpec } from '../topology.ts';
import type { RuntimeConfig } from './config.ts';

export interface WorkerData {
  spec: FunctionSpec;
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
