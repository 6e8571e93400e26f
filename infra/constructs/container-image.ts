/**
 * The image code of a container-packaged function (topology `packaging: 'container'`), made without Docker at
 * synth time:
 *
 * 1. An `AssetStaging` with local bundling runs esbuild in this process (the same settings as the zip
 *    functions' `NodejsFunction`) into a directory of its own in the cloud assembly, and copies
 *    `functions/<name>/Dockerfile` beside the bundle. That directory is the Docker build context: `Dockerfile`,
 *    `index.mjs`, `index.mjs.map`.
 * 2. `DockerImageCode.fromImageAsset` stages that directory as an image asset (arm64) and fingerprints it. The
 *    image is built and pushed only at deploy time (`cdk deploy` / cdk-assets), which is where Docker is needed.
 *
 * When the stack is not being bundled (`cdk synth OtherStack`, or the `aws:cdk:bundling-stacks` context says
 * so), the staging is skipped and the function's own directory (which holds the Dockerfile) stands in for the
 * build context, as CDK does for every skipped bundle.
 */
import { copyFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, AssetStaging, DockerImage } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { DockerImageCode } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import type { FunctionSpec } from '../../shared/topology.ts';

/** Gives ESM bundles a `require` for the CommonJS dependencies esbuild leaves as `require` calls. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The Dockerfile of a container function, in its directory (`functions/<name>/`). */
export const CONTAINER_DOCKERFILE = 'Dockerfile';
/** The image command: the bundle's `handler` export, as the Lambda base image's runtime names it. */
export const CONTAINER_HANDLER = 'index.handler';
/** The base image the Dockerfile names; only recorded in the bundling options, never pulled at synth. */
const BASE_IMAGE = 'public.ecr.aws/lambda/nodejs:24';

export interface ContainerImageCodeProps {
  /** The function's declaration: its entry (`functions/<name>/handler.ts`) and name. */
  readonly spec: FunctionSpec;
  /** The repository root the entry is relative to. */
  readonly projectRoot: string;
}

/** Bundles `entry` into `outputDir/index.mjs` as the zip functions are bundled (ESM, node24, minified). */
export function bundleHandler(entry: string, outputDir: string, projectRoot: string): void {
  buildSync({
    entryPoints: [entry],
    outfile: path.join(outputDir, 'index.mjs'),
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
}

/** The `DockerImageCode` of a container function: its Dockerfile around its handler's bundle, for arm64. */
export function containerImageCode(
  scope: Construct,
  id: string,
  props: ContainerImageCodeProps,
): DockerImageCode {
  const { spec, projectRoot } = props;
  const functionDir = path.join(projectRoot, path.dirname(spec.entry));
  const dockerfile = path.join(functionDir, CONTAINER_DOCKERFILE);
  if (!existsSync(dockerfile)) {
    throw new Error(
      `${path.relative(projectRoot, dockerfile)} is missing: function "${spec.name}" has packaging ` +
        `"container", and its image is built from that Dockerfile`,
    );
  }
  const entry = path.join(projectRoot, spec.entry);
  const staging = new AssetStaging(scope, id, {
    sourcePath: functionDir,
    // The context's hash is the hash of what was bundled: the handler and everything it imports.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never used: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry(BASE_IMAGE),
      local: {
        tryBundle(outputDir: string): boolean {
          bundleHandler(entry, outputDir, projectRoot);
          copyFileSync(dockerfile, path.join(outputDir, CONTAINER_DOCKERFILE));
          return true;
        },
      },
    },
  });
  return DockerImageCode.fromImageAsset(staging.absoluteStagedPath, {
    file: CONTAINER_DOCKERFILE,
    platform: Platform.LINUX_ARM64,
    cmd: [CONTAINER_HANDLER],
    displayName: `${spec.name} function image`,
  });
}
