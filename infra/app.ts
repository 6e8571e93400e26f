/**
 * The CDK app (cdk.json: `node infra/app.ts`). Context:
 * - `estate`: `internal` | `provider` (required; cdk.json sets `internal`).
 * - internal: `tenantId` (default `internal`).
 * - provider: `jwtIssuer` (https URL, required), `jwtAudience` (list or comma-separated, required),
 *   `tenantClaim` (default `tenant_id`; letters, digits and underscores only while the topology has a receipt
 *   route such as `POST /v1/ingest`, whose API Gateway mapping must name the claim).
 * - `feedUrls`: feed URLs the feed-sync function imports every 6 hours (list or comma-separated; optional).
 * The stack is environment-agnostic and synthesizes offline: no credentials, no Docker (esbuild runs locally,
 * also for container-packaged functions, whose images Docker builds only at deploy time).
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { estateConfigFromContext, feedUrlsFromContext } from './config.ts';
import { OutboardStack } from './outboard-stack.ts';

export {
  CONTEXT_KEYS,
  type EstateConfig,
  estateConfigFromContext,
  feedUrlsFromContext,
  InvalidContextError,
} from './config.ts';
export { OutboardStack, type OutboardStackProps } from './outboard-stack.ts';

export interface BuildAppOptions {
  /** Where the cloud assembly goes. @default cdk.out, or what the CDK CLI says */
  readonly outdir?: AppProps['outdir'];
  /** Run the cdk-nag AwsSolutions checks on synth; any unacknowledged finding fails synthesis. @default true */
  readonly nag?: boolean;
}

/** Builds the app and its one stack; throws `InvalidContextError` (before any bundling) on bad context. */
export function buildApp(
  context: Record<string, unknown> = {},
  options: BuildAppOptions = {},
): { app: App; stack: OutboardStack } {
  const app = new App({ context, ...(options.outdir ? { outdir: options.outdir } : {}) });
  const estate = estateConfigFromContext((key) => app.node.tryGetContext(key));
  const feedUrls = feedUrlsFromContext((key) => app.node.tryGetContext(key));
  const stack = new OutboardStack(app, 'Outboard', {
    estate,
    feedUrls,
    description: `Outboard: agentless backup, patching, monitoring and anti-virus (estate: ${estate.estate})`,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (import.meta.main) {
  try {
    buildApp().app.synth();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
