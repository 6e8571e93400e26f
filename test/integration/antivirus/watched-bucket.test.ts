/**
 * Watched buckets on the local runtime: a bucket registered over the API, an EICAR file (built from parts)
 * dropped under `<home>/buckets/<bucket>/incoming/`, the runtime's poller turning it into an S3 Object
 * Created event, av-object-scan finding it. Expected: an infected verdict with the EICAR signature on the
 * bus (`Object Scan Completed`), and a file outside the watched prefix never scanned.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type RuntimeProcess, startRuntimeProcess, waitFor } from '../../support/runtime-process.ts';
import { query } from '../../support/runtime-steps.ts';

const eicar = () =>
  ['X5O!P%@AP[4', '\\PZX54(P^)7CC)7}$', ['EICAR-STANDARD', 'ANTIVIRUS', 'TEST', 'FILE!$H+H*'].join('-')].join(
    '',
  );

interface ArchivedDetail {
  key: string;
  status: string;
  signature?: string;
}

function completedScans(home: string): ArchivedDetail[] {
  return query<{ event: string }>(
    home,
    "SELECT event FROM bus_archive WHERE detail_type = 'Object Scan Completed' ORDER BY seq",
  ).map((r) => (JSON.parse(r.event) as { detail: ArchivedDetail }).detail);
}

describe('watched bucket → object scan on the local runtime', () => {
  let home: string;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'ob-home-'));
    runtime = await startRuntimeProcess({ OUTBOARD_HOME: home });
  });

  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it('scans a file dropped into a watched bucket and reports it infected', async () => {
    const put = await api(runtime.url, 'PUT', '/v1/watched-buckets/uploads', { prefixes: ['incoming/'] });
    expect(put.status).toBe(201);
    mkdirSync(join(home, 'buckets', 'uploads', 'incoming'), { recursive: true });
    writeFileSync(join(home, 'buckets', 'uploads', 'elsewhere.com'), eicar());
    writeFileSync(join(home, 'buckets', 'uploads', 'incoming', 'x.com'), eicar());

    const scans = await waitFor(
      'the Object Scan Completed event',
      async () => {
        const found = completedScans(home);
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    expect(scans).toEqual([
      expect.objectContaining({
        key: 'incoming/x.com',
        status: 'infected',
        signature: 'Eicar-Test-Signature.UNOFFICIAL',
      }),
    ]);
    const created = query<{ n: number }>(
      home,
      "SELECT count(*) AS n FROM bus_archive WHERE detail_type = 'Object Created' AND source = 'aws.s3'",
    );
    expect(created[0]!.n).toBe(2);
  });
});
