/**
 * Environment variable names for queue URLs. No SDK imports: the CDK stack imports this to set the
 * variables, the AWS deps factory to read them.
 */

export const QUEUE_URL_ENV_PREFIX = 'OUTBOARD_QUEUE_URL_';

/** `backup-requests` → `OUTBOARD_QUEUE_URL_BACKUP_REQUESTS`. */
export function queueUrlEnvName(queueName: string): string {
  const suffix = queueName
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
  if (suffix === '') {
    throw new TypeError(
      `queue name "${queueName}" has no letters or digits; no environment variable name for it`,
    );
  }
  return `${QUEUE_URL_ENV_PREFIX}${suffix}`;
}
