/** How a source backs off and retries a call that failed for a passing reason. */
export interface RetryPolicy {
  /** Calls in all, the first included (default 6). */
  maxAttempts?: number;
  /** First backoff in ms; doubles each attempt (default 100). */
  baseDelayMs?: number;
  /** Longest backoff in ms (default 10 000). */
  maxDelayMs?: number;
  /** Waits `ms` (tests inject a fake). */
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter (tests inject a fixed one). */
  random?: () => number;
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'RequestThrottledException',
  'ConcurrentLimitExceededException',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND']);

interface AwsLikeError {
  name?: string;
  code?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttling, server-side (5xx) and network errors: worth another try after a pause. */
export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsLikeError;
  if (e.name && THROTTLE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$fault === 'server' || e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

/** Full-jitter exponential backoff: a random pause up to `base * 2^attempt`, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const cap = Math.min(policy.maxDelayMs ?? 10_000, (policy.baseDelayMs ?? 100) * 2 ** attempt);
  return Math.floor((policy.random ?? Math.random)() * cap);
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `call`, retrying transient failures with backoff; other errors pass through at once. */
export async function withRetries<T>(call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const maxAttempts = policy.maxAttempts ?? 6;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt + 1 >= maxAttempts) throw error;
      await (policy.sleep ?? defaultSleep)(backoffMs(attempt, policy));
    }
  }
}
