import { describe, expect, it } from 'vitest';
import { ipInRange, parseCidr, parseIp } from '../../../shared/eventbridge/pattern/ip.ts';

function bytes(ip: string): number[] | undefined {
  const out = new Uint8Array(16);
  const length = parseIp(ip, out);
  return length === 0 ? undefined : [...out.slice(0, length)];
}

const v6 = (...groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);

describe('parseIp', () => {
  it.each([
    ['10.0.0.1', [10, 0, 0, 1]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['::', v6(0, 0, 0, 0, 0, 0, 0, 0)],
    ['::1', v6(0, 0, 0, 0, 0, 0, 0, 1)],
    ['1::', v6(1, 0, 0, 0, 0, 0, 0, 0)],
    ['2001:db8::ff00:42:8329', v6(0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329)],
    ['2001:DB8:0:0:0:0:0:1', v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
    ['1:2:3:4:5:6:7::', v6(1, 2, 3, 4, 5, 6, 7, 0)],
    ['::1.2.3.4', v6(0, 0, 0, 0, 0, 0, 0x102, 0x304)],
    ['::ffff:10.0.0.1', [10, 0, 0, 1]],
    ['::ffff:a00:1', [10, 0, 0, 1]],
  ])('parses %s', (ip, expected) => {
    expect(bytes(ip)).toEqual(expected);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.256',
    '10.0.0.1.',
    '1.2.3.4.5',
    'a.b.c.d',
    ':1',
    '1:',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    '::g',
    '1:2:3:4:5:6:7:1.2.3.4',
    'example.com',
  ])('refuses %j', (ip) => {
    expect(bytes(ip)).toBeUndefined();
  });
});

describe('parseCidr and ipInRange', () => {
  const inRange = (cidr: string, ip: string) => {
    const range = parseCidr(cidr);
    if (typeof range === 'string') throw new Error(range);
    const out = new Uint8Array(16);
    return ipInRange(out, parseIp(ip, out), range);
  };

  it('bounds an IPv4 /24', () => {
    expect(inRange('192.168.1.0/24', '192.168.1.0')).toBe(true);
    expect(inRange('192.168.1.0/24', '192.168.1.255')).toBe(true);
    expect(inRange('192.168.1.0/24', '192.168.2.0')).toBe(false);
    expect(inRange('192.168.1.0/24', '192.168.0.255')).toBe(false);
  });

  it('handles masks that are not byte-aligned', () => {
    expect(inRange('10.0.0.0/12', '10.15.255.255')).toBe(true);
    expect(inRange('10.0.0.0/12', '10.16.0.0')).toBe(false);
  });

  it('handles /0', () => {
    expect(inRange('0.0.0.0/0', '203.0.113.9')).toBe(true);
  });

  it('does not mix address families', () => {
    expect(inRange('0.0.0.0/0', '2001:db8::1')).toBe(false);
  });

  it('counts an IPv4-mapped IPv6 address as IPv4', () => {
    expect(inRange('10.0.0.0/8', '::ffff:10.1.2.3')).toBe(true);
  });

  it('reports malformed CIDRs', () => {
    expect(parseCidr('10.0.0.0/x')).toMatch(/mask bits must be an integer/);
    expect(parseCidr('10.0.0.0/8/8')).toMatch(/one "\/" required/);
    expect(parseCidr('::/128')).toMatch(/IPv6 mask bits must be < 128/);
  });
});
