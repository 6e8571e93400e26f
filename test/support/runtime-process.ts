/**
 * Starts `outboard up` as a real child process, as a user would, and waits for its banner. The demo
 * estate is off (OUTBOARD_DEMO=0) unless `env` turns it on, so a test's new home starts empty.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const BIN = new URL('../../bin/outboard.ts', import.meta.url).pathname;

export interface RuntimeProcess {
  url: string;
  /** The syslog listener's UDP/TCP port and the TLS one, from the banner (when they are on). */
  syslogPort?: number;
  syslogTlsPort?: number;
  proc: ChildProcess;
  output: () => string;
  /** SIGKILL: no cleanup at all. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startRuntimeProcess(
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<RuntimeProcess> {
  const proc = spawn(process.execPath, [BIN, 'up'], {
    env: {
      ...process.env,
      OUTBOARD_HTTP_PORT: '0',
      OUTBOARD_SYSLOG_PORT: '0',
      OUTBOARD_LOG_LEVEL: 'WARN',
      OUTBOARD_DEMO: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`runtime did not start in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const check = () => {
      const m = /API: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited with ${code} before starting:\n${out}`));
    });
  });
  const exited = once(proc, 'exit');
  const port = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  const syslogPort = port(/syslog \(udp\+tcp\): \S+:(\d+)/);
  const syslogTlsPort = port(/syslog \(tls\): \S+:(\d+)/);
  return {
    url,
    ...(syslogPort === undefined ? {} : { syslogPort }),
    ...(syslogTlsPort === undefined ? {} : { syslogTlsPort }),
    proc,
    output: () => out,
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

export async function api<T = unknown>(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
