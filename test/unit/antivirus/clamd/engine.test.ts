/**
 * The clamd client and engine against a fake clamd on real sockets (Unix and TCP): every reply,
 * INSTREAM framing and chunking, early answers, and every way the conversation can fail, each of which
 * must come back as not-scanned (fail closed), never clean and never a throw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ClamdAddress } from '../../../../shared/antivirus/clamd/index.ts';
import {
  ClamdClient,
  ClamdConnectionError,
  ClamdEngine,
  ClamdProtocolError,
} from '../../../../shared/antivirus/clamd/index.ts';
import type { FakeClamd, FakeOptions } from './fake-clamd.ts';
import { bytes, source, startFakeClamd } from './fake-clamd.ts';

const fakes: FakeClamd[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.stop();
});

async function fake(options: FakeOptions): Promise<FakeClamd> {
  const f = await startFakeClamd(options);
  fakes.push(f);
  return f;
}

const meta = (size: number) => ({ path: '/guest/file.bin', size });
const text = (s: string) => new TextEncoder().encode(s);

describe.each(['unix', 'tcp'] as const)('over %s', (transport) => {
  it('PING is answered PONG', async () => {
    const clamd = await fake({ transport });
    await new ClamdClient({ address: clamd.address }).ping();
    expect(clamd.conversations.map((c) => [c.command, c.violations])).toEqual([['PING', []]]);
  });

  it('describe() reports engine and signature versions from VERSION', async () => {
    const clamd = await fake({ transport, version: 'ClamAV 1.4.6/27345/Mon Jul 29 08:34:12 2024' });
    expect(await new ClamdEngine({ address: clamd.address }).describe()).toEqual({
      engine: 'ClamAV',
      engineVersion: '1.4.6',
      signatures: 0,
      signatureVersion: '27345',
    });
  });

  it('streams the bytes whole, in chunks of at most chunkSize, then a zero-length chunk', async () => {
    const clamd = await fake({ transport });
    const pieces = [bytes(0), bytes(1, 2), bytes(5000, 3), bytes(2_500_000, 4)];
    const engine = new ClamdEngine({ address: clamd.address, chunkSize: 1024 * 1024 });
    expect(await engine.scanStream(source(pieces).input, meta(2_505_001))).toEqual({ status: 'clean' });
    const [c] = clamd.conversations;
    expect(c!.command).toBe('INSTREAM');
    expect(c!.violations).toEqual([]);
    expect(c!.chunks).toEqual([1, 5000, 1048576, 1048576, 402848, 0]);
    expect(Buffer.from(c!.data).equals(Buffer.concat(pieces))).toBe(true);
  });
});

describe('verdicts', () => {
  const scanWith = async (replies: string[]) => {
    const clamd = await fake({ transport: 'unix', scan: () => replies });
    return new ClamdEngine({ address: clamd.address }).scanStream(source([text('data')]).input, meta(4));
  };

  it('stream: OK is clean', async () => {
    expect(await scanWith(['stream: OK'])).toEqual({ status: 'clean' });
  });

  it('FOUND is infected, with the name as clamd gives it', async () => {
    expect(await scanWith(['stream: Outboard.Test.EICAR.UNOFFICIAL FOUND'])).toEqual({
      status: 'infected',
      signature: 'Outboard.Test.EICAR.UNOFFICIAL',
    });
    expect(
      await scanWith(['stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND']),
    ).toEqual({
      status: 'infected',
      signature: 'Win.Test.EICAR_HDB-1',
    });
    expect(await scanWith(['stream: First FOUND', 'stream: Second FOUND'])).toEqual({
      status: 'infected',
      signature: 'First',
    });
  });

  it('an ERROR reply is engine-error with clamd’s words', async () => {
    expect(await scanWith(["stream: Can't create temporary file ERROR"])).toEqual({
      status: 'not-scanned',
      reason: 'engine-error',
      detail: expect.stringMatching(
        /^\/guest\/file\.bin: clamd at unix:.* could not scan it: stream: Can't create temporary file$/,
      ),
    });
  });

  it('a reply it does not understand is engine-error, never clean', async () => {
    const verdict = await scanWith(['stream: okay-ish']);
    expect(verdict).toMatchObject({ status: 'not-scanned', reason: 'engine-error' });
    expect(verdict.status === 'not-scanned' && verdict.detail).toMatch(
      /reply "stream: okay-ish" is not OK, FOUND or ERROR/,
    );
  });
});

describe('StreamMaxLength', () => {
  it('clamd refusing the stream mid-way is too-large; sending stops and the source is not read to the end', async () => {
    const clamd = await fake({ transport: 'tcp', streamMaxLength: 256 * 1024 });
    const pieces = Array.from({ length: 400 }, (_, i) => bytes(64 * 1024, i));
    const { input, taken } = source(pieces);
    const verdict = await new ClamdEngine({ address: clamd.address, chunkSize: 64 * 1024 }).scanStream(
      input,
      meta(400 * 64 * 1024),
    );
    expect(verdict).toEqual({
      status: 'not-scanned',
      reason: 'too-large',
      detail: expect.stringMatching(/refused the stream: INSTREAM size limit exceeded\. ERROR$/),
    });
    expect(taken()).toBeLessThan(400);
  });

  it('a file known to be over streamMaxLength is not sent at all', async () => {
    const clamd = await fake({ transport: 'unix' });
    const engine = new ClamdEngine({ address: clamd.address, streamMaxLength: 1000 });
    const verdict = await engine.scanStream(source([bytes(1001)]).input, meta(1001));
    expect(verdict).toMatchObject({ status: 'not-scanned', reason: 'too-large' });
    expect(verdict.status === 'not-scanned' && verdict.detail).toMatch(
      /1001 bytes is over clamd's StreamMaxLength 1000; not sent/,
    );
    expect(clamd.conversations).toEqual([]);
  });
});

describe('failures fail closed', () => {
  const scan = (address: ClamdAddress, options: { timeoutMs?: number } = {}) =>
    new ClamdEngine({ address, ...options }).scanStream(source([text('data')]).input, meta(4));

  it('nothing listening on the Unix socket or TCP port', async () => {
    const unix = await scan({ path: '/nonexistent/clamd.sock' });
    expect(unix).toMatchObject({ status: 'not-scanned', reason: 'engine-error' });
    expect(unix.status === 'not-scanned' && unix.detail).toMatch(
      /clamd at unix:\/nonexistent\/clamd\.sock: cannot connect \(ENOENT\); not scanned/,
    );
    const closed = await fake({ transport: 'tcp' });
    const address = closed.address;
    await closed.stop();
    fakes.pop();
    const tcp = await scan(address);
    expect(tcp.status === 'not-scanned' && tcp.detail).toMatch(/cannot connect \(ECONNREFUSED\)/);
  });

  it('clamd hanging up without a reply', async () => {
    const clamd = await fake({ transport: 'unix', misbehave: { kind: 'hang-up' } });
    const verdict = await scan(clamd.address);
    expect(verdict).toMatchObject({ status: 'not-scanned', reason: 'engine-error' });
    expect(verdict.status === 'not-scanned' && verdict.detail).toMatch(
      /connection (closed without a reply|failed)/,
    );
  });

  it('clamd not answering within the timeout', async () => {
    const clamd = await fake({ transport: 'unix', misbehave: { kind: 'silent' } });
    const verdict = await scan(clamd.address, { timeoutMs: 50 });
    expect(verdict).toMatchObject({ status: 'not-scanned', reason: 'engine-error' });
    expect(verdict.status === 'not-scanned' && verdict.detail).toMatch(/no reply within 50 ms of inactivity/);
  });

  it('a reply without its terminating NUL, and one far too long', async () => {
    const unterminated = await fake({
      transport: 'unix',
      misbehave: { kind: 'raw', bytes: text('stream: OK') },
    });
    const first = await scan(unterminated.address);
    expect(first.status === 'not-scanned' && first.detail).toMatch(
      /reply "stream: OK" has no terminating NUL/,
    );
    const flood = await fake({
      transport: 'tcp',
      misbehave: { kind: 'raw', bytes: new Uint8Array(100_000).fill(65) },
    });
    const second = await scan(flood.address);
    expect(second.status === 'not-scanned' && second.detail).toMatch(/reply longer than 65536 bytes/);
  });

  it('the data to scan failing to read is unreadable, and clamd never gets the end of the stream', async () => {
    const clamd = await fake({ transport: 'unix' });
    const failing = (async function* () {
      yield text('first part');
      throw new Error('EIO reading block 7');
    })();
    const verdict = await new ClamdEngine({ address: clamd.address }).scanStream(failing, meta(100));
    expect(verdict).toEqual({
      status: 'not-scanned',
      reason: 'unreadable',
      detail: '/guest/file.bin: reading the data to scan failed: EIO reading block 7',
    });
    expect(clamd.conversations[0]?.chunks).not.toContain(0);
  });

  it('data shorter or longer than the file’s size is not counted as clean', async () => {
    const clamd = await fake({ transport: 'unix' });
    const engine = new ClamdEngine({ address: clamd.address });
    expect(await engine.scanStream(source([text('four')]).input, meta(10))).toEqual({
      status: 'not-scanned',
      reason: 'unreadable',
      detail: '/guest/file.bin: read 4 bytes where its size is 10; not counted as clean',
    });
    expect(await engine.scanStream(source([text('four')]).input, meta(3))).toMatchObject({
      reason: 'unreadable',
    });
    expect(await engine.scanStream(source([text('four')]).input, meta(4))).toEqual({ status: 'clean' });
  });

  it('close() ends scans in progress as engine-error and refuses new ones', async () => {
    const clamd = await fake({ transport: 'unix', misbehave: { kind: 'silent' } });
    const engine = new ClamdEngine({ address: clamd.address });
    const pending = engine.scanStream(source([text('x')]).input, meta(1));
    while (clamd.conversations[0]?.chunks.at(-1) !== 0) await new Promise((r) => setImmediate(r));
    await engine.close();
    expect(await pending).toMatchObject({ status: 'not-scanned', reason: 'engine-error' });
    const after = await engine.scanStream(source([text('x')]).input, meta(1));
    expect(after).toEqual({
      status: 'not-scanned',
      reason: 'engine-error',
      detail: '/guest/file.bin: the clamd engine is closed; not sent to clamd',
    });
  });

  it('describe() throws when clamd cannot be asked, or answers oddly', async () => {
    await expect(
      new ClamdEngine({ address: { path: '/nonexistent/clamd.sock' } }).describe(),
    ).rejects.toBeInstanceOf(ClamdConnectionError);
    const odd = await fake({ transport: 'unix', version: 'Something 1.0' });
    await expect(new ClamdEngine({ address: odd.address }).describe()).rejects.toBeInstanceOf(
      ClamdProtocolError,
    );
  });

  it('options are checked', () => {
    expect(() => new ClamdClient({ address: { path: '/x' }, chunkSize: 0 })).toThrow(
      /chunkSize must be a whole number/,
    );
    expect(() => new ClamdClient({ address: { path: '/x' }, timeoutMs: 1.5 })).toThrow(/timeoutMs/);
  });
});
