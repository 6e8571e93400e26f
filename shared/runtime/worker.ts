/** Entry of a function's worker thread: builds the function from its factory with local deps, then serves invocations. */
import { parentPort, workerData } from 'node:worker_threads';
import { lambdaContext } from './lambda-context.ts';
import { createLocalDeps } from './local-deps.ts';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.ts';

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const post = (reply: WorkerReply) => port.postMessage(reply);

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

async function init(): Promise<Handler> {
  const spec = data.spec;
  const deps = createLocalDeps(data.config, {
    functionName: spec.name,
    receiverId: data.receiverId,
    topology: data.topology,
    onSent: (queues) => post({ type: 'sent', queues }),
  });
  const root = new URL('../../', import.meta.url);
  const mod = (await import(new URL(spec.factory, root).href)) as {
    createHandler?: (d: typeof deps) => Handler;
  };
  if (typeof mod.createHandler !== 'function')
    throw new Error(`${spec.factory} does not export createHandler`);
  return mod.createHandler(deps);
}

try {
  const handler = await init();
  const spec = data.spec;
  port.on('message', async (request: WorkerRequest) => {
    if (request.type !== 'invoke') return;
    try {
      const value = await handler(request.event, lambdaContext(spec, request.id, request.deadline));
      post({ type: 'result', id: request.id, ok: true, value: value ?? null });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      post({ type: 'result', id: request.id, ok: false, error: { name: e.name, message: e.message } });
    }
  });
  post({ type: 'ready' });
} catch (error) {
  post({
    type: 'init-error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
}
