import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../topology.ts';

/** A Lambda-like context: the same fields handlers read on AWS, with the deadline enforced by the pool. */
export function lambdaContext(
  spec: FunctionSpec,
  requestId: string,
  deadline: number,
  region = 'local',
): Context {
  const arn = `arn:aws:lambda:${region}:000000000000:function:outboard-${spec.name}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `outboard-${spec.name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/outboard/local/${spec.name}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
