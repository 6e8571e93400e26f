/**
 * The deduplication key of a Windows event. Forwarding is at least once, and adding a channel to a
 * subscription replays its whole history, so the same event arrives more than once; (Computer, Channel,
 * EventRecordID) names it, EventRecordID being a per-channel counter on that machine.
 *
 * The computer is lower-cased (Windows names are case-insensitive). Known gap: the FQDN and the NetBIOS
 * name of one machine (`win10.windomain.local` and `WIN10`) give different keys; nothing in the event
 * ties them together, so they are not unified here.
 *
 * An event without an EventRecordID (the forwarder's own 111 bookmark event, for one) gets a key from a
 * hash of its raw text instead, so only an identical record counts as the same.
 */
import { createHash } from 'node:crypto';
import type { WindowsEvent } from './types.ts';

export function windowsDedupeKey(
  event: Pick<WindowsEvent, 'computer' | 'channel' | 'eventRecordId' | 'raw'>,
): string {
  const record =
    event.eventRecordId ?? `raw:${createHash('sha256').update(event.raw).digest('hex').slice(0, 32)}`;
  return `${event.computer.toLowerCase()}\u0000${event.channel ?? ''}\u0000${record}`;
}
