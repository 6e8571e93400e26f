import { describe, expect, it } from 'vitest';
import {
  checkPattern,
  compilePattern,
  InvalidEventPatternError,
  PATTERN_LIMITS,
} from '../../../shared/eventbridge/pattern/index.ts';

interface Rejection {
  name: string;
  pattern: unknown;
  /** A fragment of the reason. */
  reason: string;
  /** The JSONPath of the offending part. */
  path: string;
}

const rejections: Rejection[] = [
  { name: 'null pattern', pattern: null, reason: 'Filter is not an object', path: '$' },
  { name: 'array pattern', pattern: [{ source: ['x'] }], reason: 'Filter is not an object', path: '$' },
  { name: 'number pattern', pattern: 42, reason: 'Filter is not an object', path: '$' },
  { name: 'JSON text of an array', pattern: '["x"]', reason: 'Filter is not an object', path: '$' },
  { name: 'text that is not JSON', pattern: '{"source": [', reason: 'not valid JSON', path: '$' },
  { name: 'empty pattern', pattern: {}, reason: 'Empty objects are not allowed', path: '$' },
  {
    name: 'empty nested object',
    pattern: { detail: {} },
    reason: 'Empty objects are not allowed',
    path: '$.detail',
  },
  {
    name: 'leaf value not in an array',
    pattern: { source: 'aws.ec2' },
    reason: 'must be an object or an array',
    path: '$.source',
  },
  {
    name: 'leaf number not in an array',
    pattern: { detail: { n: 5 } },
    reason: 'must be an object or an array',
    path: '$.detail.n',
  },
  { name: 'leaf null', pattern: { source: null }, reason: 'must be an object or an array', path: '$.source' },
  {
    name: 'empty value list',
    pattern: { source: [] },
    reason: 'Empty arrays are not allowed',
    path: '$.source',
  },
  {
    name: 'array inside a value list',
    pattern: { source: [['a']] },
    reason: 'Match value must be String',
    path: '$.source[0]',
  },
  {
    name: 'unknown operator',
    pattern: { source: [{ contains: 'x' }] },
    reason: 'Unrecognized match type contains',
    path: '$.source[0]',
  },
  {
    name: 'operator object with two keys',
    pattern: { s: [{ prefix: 'a', suffix: 'b' }] },
    reason: 'Only one key allowed',
    path: '$.s[0]',
  },
  {
    name: 'empty operator object',
    pattern: { s: [{}] },
    reason: 'Match expression name not found',
    path: '$.s[0]',
  },
  {
    name: 'prefix with a number',
    pattern: { s: [{ prefix: 5 }] },
    reason: 'prefix match pattern must be a string',
    path: '$.s[0].prefix',
  },
  {
    name: 'prefix with a list',
    pattern: { s: [{ prefix: ['a'] }] },
    reason: 'prefix match pattern must be a string',
    path: '$.s[0].prefix',
  },
  {
    name: 'prefix with an unknown nested key',
    pattern: { s: [{ prefix: { wildcard: 'a' } }] },
    reason: 'Unsupported prefix pattern: wildcard',
    path: '$.s[0].prefix',
  },
  {
    name: 'suffix with null',
    pattern: { s: [{ suffix: null }] },
    reason: 'suffix match pattern must be a string',
    path: '$.s[0].suffix',
  },
  {
    name: 'equals-ignore-case with a number',
    pattern: { s: [{ 'equals-ignore-case': 1 }] },
    reason: 'must be a string',
    path: '$.s[0]["equals-ignore-case"]',
  },
  {
    name: 'numeric not an array',
    pattern: { n: [{ numeric: '>' }] },
    reason: 'Value of numeric must be an array',
    path: '$.n[0].numeric',
  },
  {
    name: 'numeric with a string operand',
    pattern: { n: [{ numeric: ['>', '5'] }] },
    reason: 'Value of > must be numeric',
    path: '$.n[0].numeric[1]',
  },
  {
    name: 'numeric operators in the wrong order',
    pattern: { n: [{ numeric: ['<', 5, '>', 0] }] },
    reason: 'Too many elements',
    path: '$.n[0].numeric[2]',
  },
  {
    name: 'numeric range with a bad second operator',
    pattern: { n: [{ numeric: ['>', 0, '>', 5] }] },
    reason: 'Bad numeric range operator: >',
    path: '$.n[0].numeric[2]',
  },
  {
    name: 'numeric range missing its top',
    pattern: { n: [{ numeric: ['>', 0, '<'] }] },
    reason: 'Value of < must be numeric',
    path: '$.n[0].numeric[3]',
  },
  {
    name: 'numeric range with too many terms',
    pattern: { n: [{ numeric: ['>', 0, '<', 5, 6] }] },
    reason: 'Too many terms',
    path: '$.n[0].numeric[4]',
  },
  {
    name: 'numeric range bottom not below top',
    pattern: { n: [{ numeric: ['>=', 5, '<=', 5] }] },
    reason: 'Bottom must be less than top',
    path: '$.n[0].numeric',
  },
  {
    name: 'numeric unknown operator',
    pattern: { n: [{ numeric: ['!=', 5] }] },
    reason: 'Unrecognized numeric range operator: !=',
    path: '$.n[0].numeric[0]',
  },
  {
    name: 'numeric = with a range',
    pattern: { n: [{ numeric: ['=', 5, '<', 6] }] },
    reason: 'Too many elements',
    path: '$.n[0].numeric[2]',
  },
  {
    name: 'numeric beyond 5.0e9',
    pattern: { n: [{ numeric: ['<', 6e9] }] },
    reason: 'between -5000000000 and 5000000000',
    path: '$.n[0].numeric[1]',
  },
  {
    name: 'numeric with 7 decimals',
    pattern: { n: [{ numeric: ['>', 0.1234567] }] },
    reason: 'up to 6 decimals',
    path: '$.n[0].numeric[1]',
  },
  {
    name: 'empty numeric expression',
    pattern: { n: [{ numeric: [] }] },
    reason: 'Empty numeric expression',
    path: '$.n[0].numeric',
  },
  {
    name: 'anything-but mixing strings and numbers',
    pattern: { s: [{ 'anything-but': ['a', 1] }] },
    reason: 'mixed types',
    path: '$.s[0]["anything-but"]',
  },
  {
    name: 'anything-but with null',
    pattern: { s: [{ 'anything-but': null }] },
    reason: 'Value of anything-but must be',
    path: '$.s[0]["anything-but"]',
  },
  {
    name: 'anything-but list with a boolean',
    pattern: { s: [{ 'anything-but': ['a', true] }] },
    reason: 'only strings and numbers',
    path: '$.s[0]["anything-but"][1]',
  },
  {
    name: 'anything-but empty list',
    pattern: { s: [{ 'anything-but': [] }] },
    reason: 'Empty arrays are not allowed',
    path: '$.s[0]["anything-but"]',
  },
  {
    name: 'anything-but with numeric inside',
    pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
    reason: 'Unsupported anything-but pattern: numeric',
    path: '$.s[0]["anything-but"]',
  },
  {
    name: 'anything-but with an empty prefix',
    pattern: { s: [{ 'anything-but': { prefix: '' } }] },
    reason: 'Null prefix/suffix not allowed',
    path: '$.s[0]["anything-but"].prefix',
  },
  {
    name: 'anything-but prefix with a number',
    pattern: { s: [{ 'anything-but': { prefix: 1 } }] },
    reason: 'prefix match pattern must be a string',
    path: '$.s[0]["anything-but"].prefix',
  },
  {
    name: 'anything-but number beyond 5.0e9',
    pattern: { s: [{ 'anything-but': [1e10] }] },
    reason: 'between',
    path: '$.s[0]["anything-but"][0]',
  },
  {
    name: 'exists with a string',
    pattern: { s: [{ exists: 'true' }] },
    reason: 'exists match pattern must be either true or false',
    path: '$.s[0].exists',
  },
  {
    name: 'wildcard with consecutive asterisks',
    pattern: { s: [{ wildcard: 'a**b' }] },
    reason: 'Consecutive wildcard characters at pos 1',
    path: '$.s[0].wildcard',
  },
  {
    name: 'wildcard with an invalid escape',
    pattern: { s: [{ wildcard: 'a\\b' }] },
    reason: 'Invalid escape character at pos 1',
    path: '$.s[0].wildcard',
  },
  {
    name: 'wildcard with a trailing backslash',
    pattern: { s: [{ wildcard: 'a\\' }] },
    reason: 'Invalid escape character',
    path: '$.s[0].wildcard',
  },
  {
    name: 'anything-but wildcard with consecutive asterisks',
    pattern: { s: [{ 'anything-but': { wildcard: ['ok*', '**'] } }] },
    reason: 'Consecutive wildcard',
    path: '$.s[0]["anything-but"].wildcard[1]',
  },
  {
    name: 'cidr without a mask',
    pattern: { ip: [{ cidr: '10.0.0.0' }] },
    reason: 'Malformed CIDR',
    path: '$.ip[0].cidr',
  },
  {
    name: 'cidr with a bad address',
    pattern: { ip: [{ cidr: '10.0.0.256/8' }] },
    reason: 'Invalid IP address',
    path: '$.ip[0].cidr',
  },
  {
    name: 'cidr with an IPv4 mask of 32',
    pattern: { ip: [{ cidr: '10.0.0.1/32' }] },
    reason: 'IPv4 mask bits must be < 32',
    path: '$.ip[0].cidr',
  },
  {
    name: 'cidr with a number',
    pattern: { ip: [{ cidr: 10 }] },
    reason: 'cidr match pattern must be a string',
    path: '$.ip[0].cidr',
  },
  { name: '$or not an array', pattern: { $or: { a: ['x'] } }, reason: 'must be an array', path: '$.$or' },
  { name: '$or with one branch', pattern: { $or: [{ a: ['x'] }] }, reason: 'at least 2', path: '$.$or' },
  {
    name: '$or with a non-object branch',
    pattern: { $or: [{ a: ['x'] }, ['b']] },
    reason: 'Only JSON object is allowed',
    path: '$.$or[1]',
  },
  {
    name: '$or with an empty branch',
    pattern: { $or: [{ a: ['x'] }, {}] },
    reason: 'Empty objects are not allowed',
    path: '$.$or[1]',
  },
  {
    name: '$or branch using an operator as a field name',
    pattern: { $or: [{ a: ['x'] }, { prefix: ['b'] }] },
    reason: 'reserved field name',
    path: '$.$or[1].prefix',
  },
  {
    name: 'invalid value deep inside $or',
    pattern: { detail: { $or: [{ a: ['x'] }, { b: { c: [] } }] } },
    reason: 'Empty arrays',
    path: '$.detail.$or[1].b.c',
  },
];

describe('invalid event patterns are rejected', () => {
  for (const r of rejections) {
    it(r.name, () => {
      let caught: unknown;
      try {
        compilePattern(r.pattern);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidEventPatternError);
      const error = caught as InvalidEventPatternError;
      expect(error.message).toMatch(/^Event pattern is not valid\. Reason: /);
      expect(error.reason).toContain(r.reason);
      expect(error.path).toBe(r.path);
      expect(error.message).toContain(r.path);
      expect(error.code).toBe('InvalidEventPatternException');
    });
  }

  it('has at least 15 rejection cases', () => {
    expect(rejections.length).toBeGreaterThanOrEqual(15);
  });
});

describe('pattern size limit', () => {
  const sized = (length: number) => {
    const base = JSON.stringify({ source: [''] });
    return { source: ['x'.repeat(length - base.length)] };
  };

  it('accepts a pattern of exactly the default limit', () => {
    const pattern = sized(PATTERN_LIMITS.defaultMaxPatternLength);
    expect(JSON.stringify(pattern)).toHaveLength(2048);
    expect(() => compilePattern(pattern)).not.toThrow();
  });

  it('rejects a pattern one character over the default limit', () => {
    expect(() => compilePattern(sized(2049))).toThrow(/limit is 2048 characters/);
  });

  it('honours a raised quota', () => {
    expect(() => compilePattern(sized(4096), { maxPatternLength: 4096 })).not.toThrow();
    expect(() => compilePattern(sized(4097), { maxPatternLength: 4096 })).toThrow(InvalidEventPatternError);
  });
});

describe('checkPattern', () => {
  it('returns undefined for a valid pattern', () => {
    expect(checkPattern({ source: ['aws.ec2'], detail: { n: [{ numeric: ['>', 0] }] } })).toBeUndefined();
  });

  it('returns the message for an invalid one', () => {
    expect(checkPattern({ source: 'aws.ec2' })).toBe(
      'Event pattern is not valid. Reason: "source" must be an object or an array at $.source',
    );
  });
});
