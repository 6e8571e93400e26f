/**
 * Attribution: which registered guest sent a record. A guest with monitoring enabled is known by its
 * TLS client certificates (the monitoring policy's fingerprints), its registered addresses and its
 * registered hostnames; a record is matched in that order of trust — a verified certificate first, then
 * the address the packet came from, then the hostname the record claims. A key claimed by two guests
 * (the same private address in two tenants, a reused hostname) is ambiguous and never used, so an event
 * is never given to the wrong tenant; such records, and those from unknown senders, stay unattributed.
 */
import type { Guest, Subscription } from '../contracts/guest.ts';
import type { MonitoringPolicy } from '../contracts/service.ts';
import type { Registry } from '../ports.ts';

export interface MonitoredGuest {
  tenantId: string;
  guestId: string;
  /** When monitoring was switched on (epoch ms): the absence check counts silence from here at most. */
  enabledAt: number;
  policy: MonitoringPolicy;
}

export interface Attribution {
  tenantId: string;
  guestId: string;
  by: 'tls-certificate' | 'source-address' | 'hostname';
}

export interface SenderIdentity {
  /** SHA-256 fingerprint of a verified TLS client certificate (`AA:BB:…`). */
  certificateFingerprint?: string;
  sourceAddress?: string;
  /** The hostname the record names (syslog HOSTNAME, Windows Computer). */
  hostname?: string | null;
  /** Only guests of this tenant may match (an HTTP ingest request's tenant). */
  tenantId?: string;
}

const AMBIGUOUS = Symbol('ambiguous');
type Slot = MonitoredGuest | typeof AMBIGUOUS;

function claim(map: Map<string, Slot>, key: string, guest: MonitoredGuest): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, guest);
  else if (held !== AMBIGUOUS && (held.tenantId !== guest.tenantId || held.guestId !== guest.guestId))
    map.set(key, AMBIGUOUS);
}

/** `::ffff:10.0.0.5` (an IPv4 peer on a dual-stack socket) is `10.0.0.5`. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/** Hostnames compare case-insensitively, without a trailing dot. */
export function normalizeHostname(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The guest a key names, unless it is ambiguous or (for a tenant's own ingest) another tenant's. */
function pick(
  map: Map<string, Slot>,
  key: string | undefined | null,
  tenantId: string | undefined,
): MonitoredGuest | undefined {
  if (!key) return undefined;
  const slot = map.get(key);
  if (slot === undefined || slot === AMBIGUOUS) return undefined;
  if (tenantId !== undefined && slot.tenantId !== tenantId) return undefined;
  return slot;
}

export class SenderDirectory {
  readonly guests: readonly MonitoredGuest[];
  readonly #byCertificate = new Map<string, Slot>();
  readonly #byAddress = new Map<string, Slot>();
  readonly #byHostname = new Map<string, Slot>();
  /** `tenant\u0000guest` → guest: `find` runs once per archived event. */
  readonly #byId = new Map<string, MonitoredGuest>();

  constructor(entries: { guest: Guest; subscription: Subscription }[]) {
    const guests: MonitoredGuest[] = [];
    for (const { guest, subscription } of entries) {
      if (subscription.service !== 'monitoring') continue;
      const monitored: MonitoredGuest = {
        tenantId: guest.tenantId,
        guestId: guest.id,
        enabledAt: Date.parse(subscription.enabledAt),
        policy: subscription.policy as MonitoringPolicy,
      };
      guests.push(monitored);
      this.#byId.set(`${monitored.tenantId}\u0000${monitored.guestId}`, monitored);
      for (const f of monitored.policy.certificateFingerprints)
        claim(this.#byCertificate, f.toUpperCase(), monitored);
      for (const a of guest.addresses) claim(this.#byAddress, normalizeAddress(a), monitored);
      for (const h of guest.hostnames) {
        const name = normalizeHostname(h);
        claim(this.#byHostname, name, monitored);
        // Syslog senders often give only the short name of a registered FQDN.
        const short = name.split('.')[0]!;
        if (short !== name) claim(this.#byHostname, short, monitored);
      }
    }
    this.guests = guests;
  }

  attribute(sender: SenderIdentity): Attribution | null {
    const tenantId = sender.tenantId;
    const cert = pick(this.#byCertificate, sender.certificateFingerprint?.toUpperCase(), tenantId);
    if (cert) return { tenantId: cert.tenantId, guestId: cert.guestId, by: 'tls-certificate' };
    const address = pick(
      this.#byAddress,
      sender.sourceAddress && normalizeAddress(sender.sourceAddress),
      tenantId,
    );
    if (address) return { tenantId: address.tenantId, guestId: address.guestId, by: 'source-address' };
    const host = sender.hostname ? normalizeHostname(sender.hostname) : undefined;
    const named =
      pick(this.#byHostname, host, tenantId) ?? pick(this.#byHostname, host?.split('.')[0], tenantId);
    if (named) return { tenantId: named.tenantId, guestId: named.guestId, by: 'hostname' };
    return null;
  }

  find(tenantId: string, guestId: string): MonitoredGuest | undefined {
    return this.#byId.get(`${tenantId}\u0000${guestId}`);
  }
}

/** Reads every monitoring subscription and its guest from the registry. */
export async function loadSenderDirectory(registry: Registry): Promise<SenderDirectory> {
  const entries: { guest: Guest; subscription: Subscription }[] = [];
  let cursor: string | undefined;
  do {
    const page = await registry.listSubscriptionsOfService(
      'monitoring',
      cursor === undefined ? { limit: 100 } : { limit: 100, cursor },
    );
    const guests = await Promise.all(page.items.map((s) => registry.getGuest(s.tenantId, s.guestId)));
    page.items.forEach((subscription, i) => {
      const guest = guests[i];
      if (guest) entries.push({ guest, subscription });
    });
    cursor = page.nextCursor;
  } while (cursor);
  return new SenderDirectory(entries);
}

/** A directory reloaded at most every `ttlMs` (a function instance keeps one across invocations). */
export function cachedSenderDirectory(
  registry: Registry,
  ttlMs = 30_000,
  now: () => number = Date.now,
): () => Promise<SenderDirectory> {
  let cached: { at: number; value: Promise<SenderDirectory> } | undefined;
  return () => {
    const t = now();
    if (!cached || t - cached.at >= ttlMs) {
      const value = loadSenderDirectory(registry);
      cached = { at: t, value };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
