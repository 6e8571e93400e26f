/**
 * Runs s3rver in a child process for the S3 integration tests.
 *
 * s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) only has with
 * `--openssl-legacy-provider`; that flag cannot be turned on inside the vitest worker, so the server
 * runs in its own Node process started with it. The child prints `{"port":…}` once it listens and
 * exits when its stdin closes (that is, when the test process goes away, even if it crashes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface S3rverProcess {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startS3rver(): Promise<S3rverProcess> {
  const directory = await mkdtemp(join(tmpdir(), 'outboard-s3rver-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', fileURLToPath(import.meta.url), directory],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver child did not start within 20 s')), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver child exited (code ${code}) before listening`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin?.end();
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function main(directory: string): Promise<void> {
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const address = await server.run();
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    server.close().finally(() => process.exit(0));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const directory = process.argv[2];
  if (!directory) throw new Error('usage: s3rver-process.ts <directory>');
  await main(directory);
}
