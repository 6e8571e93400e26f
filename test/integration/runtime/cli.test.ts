import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RuntimeProcess, startRuntimeProcess } from '../../support/runtime-process.ts';

const BIN = new URL('../../../bin/outboard.ts', import.meta.url).pathname;

function outboard(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the outboard CLI', () => {
  it('answers --help for itself and every command', () => {
    const top = outboard(['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}(\S+(?: \S+)?)\s{2,}/gm)]
      .map((m) => m[1]!)
      .filter((c) => !c.startsWith('-'));
    expect(commands).toEqual(
      expect.arrayContaining(['up', 'guests list', 'guests register', 'backup', 'jobs show']),
    );
    for (const c of commands) {
      const r = outboard([...c.split(' '), '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(/^Usage: outboard /);
    }
  });

  it('fails with a message and a non-zero exit on bad usage', () => {
    const unknown = outboard(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    const missing = outboard(['guests', 'register', '--disk', '/x.img']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--name is required/);
    const badFlag = outboard(['guests', 'list', '--colour']);
    expect(badFlag.code).toBe(2);
    const unreachable = outboard(['guests', 'list', '--url', 'http://127.0.0.1:9']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach the Outboard API/);
    const badEnv = outboard(['up'], { OUTBOARD_HTTP_PORT: 'eighty' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/OUTBOARD_HTTP_PORT/);
  });

  describe('against a running runtime', () => {
    let runtime: RuntimeProcess;
    beforeAll(async () => {
      runtime = await startRuntimeProcess({ OUTBOARD_HOME: mkdtempSync(join(tmpdir(), 'ob-cli-')) });
    });
    afterAll(async () => {
      await runtime.stop();
    });

    it('registers a guest, enables backup from a policy file, backs up and shows the job', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ob-cli-img-'));
      const disk = join(dir, 'vm.img');
      writeFileSync(disk, randomBytes(64 * 1024));
      const env = { OUTBOARD_URL: runtime.url };
      const reg = outboard(['guests', 'register', '--name', 'vm', '--disk', disk, '--tag', 'env=test'], env);
      expect(reg.stderr).toBe('');
      const guestId = reg.stdout.trim();
      expect(guestId).toMatch(/^gst_/);
      writeFileSync(join(dir, 'policy.json'), JSON.stringify({ schedule: 'rate(7 days)' }));
      const enable = outboard(
        ['services', 'enable', guestId, 'backup', '--policy', join(dir, 'policy.json')],
        env,
      );
      expect(enable.code).toBe(0);
      const bad = outboard(
        ['services', 'enable', guestId, 'backup', '--policy', '/does/not/exist.json'],
        env,
      );
      expect(bad.code).toBe(2);
      const backup = outboard(['backup', guestId, '--wait', '--json'], env);
      expect(backup.code).toBe(0);
      expect(JSON.parse(backup.stdout).status).toBe('succeeded');
      const list = outboard(['guests', 'list', '--json'], env);
      expect(JSON.parse(list.stdout).map((g: { id: string }) => g.id)).toContain(guestId);
      const points = outboard(['restore-points', 'list', guestId], env);
      expect(points.stdout.trim().split('\n')).toHaveLength(1);
    });
  });
});
