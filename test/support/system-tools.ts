import { spawnSync } from 'node:child_process';

/** Fails loudly (never skips) when a system tool the suite needs is missing. */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) {
    throw new Error(
      `missing system tools: ${missing.join(', ')}. Install them with scripts/install-system-deps.sh`,
    );
  }
}

export function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
