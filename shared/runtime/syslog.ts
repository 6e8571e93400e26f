/**
 * The runtime's syslog listeners (UDP and TCP on one port, TLS on another when a certificate is
 * configured), writing what they receive to the ingest queue in batches: the local counterpart of a
 * collector in front of SQS. Receipt is at least once: a batch is acknowledged to the receivers only
 * once the queue has committed it, and TCP senders are paused (back-pressure) while batches wait.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from '../deps.ts';
import { type RawRecord, type SyslogReceivers, startSyslogReceivers } from '../monitoring/receivers/index.ts';
import type { QueueSender } from '../ports.ts';
import type { Topology } from '../topology.ts';
import type { RuntimeConfig } from './config.ts';

/** The queue `POST /v1/ingest` writes to is the one the syslog listeners write to. */
export function ingestQueueOf(topology: Topology): string | undefined {
  for (const fn of topology.functions)
    if (fn.trigger.kind === 'http')
      for (const r of fn.trigger.routes) if (r.sendToQueue !== undefined) return r.sendToQueue;
  return undefined;
}

export async function startSyslog(
  config: RuntimeConfig,
  topology: Topology,
  queue: QueueSender,
  logger: Logger,
): Promise<{ receivers: SyslogReceivers; listeners: { name: string; address: string }[] } | undefined> {
  const settings = config.syslog;
  const queueName = ingestQueueOf(topology);
  if (!settings || !queueName) return undefined;
  const expectHostname = settings.expectHostname;
  const sink = async (records: RawRecord[]) => {
    await queue.send(queueName, [{ body: JSON.stringify({ kind: 'records', expectHostname, records }) }]);
  };
  const tls = settings.tls;
  const receivers = await startSyslogReceivers(
    {
      host: config.bind,
      port: settings.port,
      maxMessageBytes: settings.maxMessageBytes,
      logger,
      ...(tls
        ? {
            tls: {
              port: tls.port,
              cert: readFileSync(tls.certFile, 'utf8'),
              key: readFileSync(tls.keyFile, 'utf8'),
              ...(tls.caFile
                ? { ca: readFileSync(tls.caFile, 'utf8'), requestClientCert: true, requireClientCert: true }
                : {}),
            },
          }
        : {}),
    },
    sink,
  );
  const listeners = [{ name: 'syslog (udp+tcp)', address: `${config.bind}:${receivers.udpPort}` }];
  if (receivers.tlsPort !== undefined)
    listeners.push({ name: 'syslog (tls)', address: `${config.bind}:${receivers.tlsPort}` });
  return { receivers, listeners };
}
