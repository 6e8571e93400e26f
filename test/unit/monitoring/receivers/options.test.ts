import { describe, expect, it } from 'vitest';
import { ReceiverConfigError } from '../../../../shared/monitoring/receivers/errors.ts';
import { resolveReceiverOptions } from '../../../../shared/monitoring/receivers/options.ts';

describe('resolveReceiverOptions', () => {
  it('applies the defaults', () => {
    expect(resolveReceiverOptions({ port: 0 })).toMatchObject({
      name: 'syslog',
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: 64 * 1024,
      batchMaxRecords: 5000,
      batchMaxBytes: 200 * 1024,
      batchMaxAgeMs: 200,
      maxPendingBatches: 4,
      maxBufferedBytes: 5 * 200 * 1024,
    });
  });

  it('rejects unknown keys, bad values and limits that cannot work, naming each field', () => {
    const attempt = (options: object) => {
      try {
        resolveReceiverOptions(options as never);
      } catch (err) {
        expect(err).toBeInstanceOf(ReceiverConfigError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(attempt({ port: 0, batchMaxRecord: 10 })).toMatch(/batchMaxRecord/);
    expect(attempt({ port: 70000 })).toMatch(/port/);
    expect(attempt({ port: 0, batchMaxBytes: 300 * 1024 })).toMatch(/batchMaxBytes/);
    expect(attempt({ port: 0, maxMessageBytes: 200 * 1024 })).toMatch(
      /batchMaxBytes must exceed maxMessageBytes/,
    );
    expect(attempt({ port: 0, maxMessageBytes: 100 })).toMatch(/maxMessageBytes/);
    expect(attempt({ port: 0, tls: { port: 0, cert: 'c', key: 'k', requireClientCert: true } })).toMatch(
      /tls\.ca: requireClientCert needs the CA/,
    );
    expect(attempt({ port: 6514, tls: { port: 6514, cert: 'c', key: 'k' } })).toMatch(/tls\.port/);
    expect(attempt({ port: 0, logger: console.log })).toMatch(/logger/);
    expect(attempt({ port: 0, name: 'bad name' })).toMatch(/name/);
  });

  it('completes the TLS listener', () => {
    const o = resolveReceiverOptions({ port: 0, tls: { port: 0, cert: 'c', key: Buffer.from('k') } });
    expect(o.tls).toMatchObject({ name: 'syslog-tls', requestClientCert: false, requireClientCert: false });
  });
});
