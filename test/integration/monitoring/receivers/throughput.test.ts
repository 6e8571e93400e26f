import { describe, expect, it } from 'vitest';
import { measureTcpThroughput } from './throughput.ts';

// The throughput script, run small: every message arrives once and in order per connection. How fast
// is reported by running the script directly, never asserted.
describe('syslog receivers: the TCP throughput measurement', () => {
  for (const framing of ['octet-counting', 'lf'] as const) {
    it(`delivers every message from concurrent senders (${framing})`, async () => {
      const result = await measureTcpThroughput({
        messages: 20_000,
        connections: 2,
        framing,
        encodeBatches: true,
      });
      expect(result).toMatchObject({ messages: 20_000, inOrder: true });
      expect(result.bytes).toBeGreaterThan(20_000 * 190);
    });
  }
});
