import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../shared/eventbridge/pattern/index.ts';

/**
 * Pattern × event → match, following the semantics AWS documents for EventBridge event patterns
 * ("Creating event patterns", "Content filtering", "Arrays in event patterns", "Null values and empty
 * strings"). Patterns or events given as strings are JSON text, to control number spelling.
 */
interface Case {
  name: string;
  pattern: unknown;
  event: unknown;
  expected: boolean;
}

const ec2 = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-10-02T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'running',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2, detail });

const employees = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

const cloudwatch = {
  source: 'aws.cloudwatch',
  metricName: 'NetworkIn',
  metricType: 'MetricType',
  namespace: 'AWS/EC2',
  scope: 'Instance',
  metricId: 1234,
  detail: { source: 'custom', 'detail-type': 'CloudWatch Alarm State Change' },
};

const exact: Case[] = [
  { name: 'exact string matches', pattern: { source: ['aws.ec2'] }, event: ec2, expected: true },
  { name: 'exact string differs', pattern: { source: ['aws.s3'] }, event: ec2, expected: false },
  {
    name: 'a list of values is an OR',
    pattern: { source: ['aws.fargate', 'aws.ec2'] },
    event: ec2,
    expected: true,
  },
  {
    name: 'fields are ANDed (all match)',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
    event: ec2,
    expected: true,
  },
  {
    name: 'fields are ANDed (one fails)',
    pattern: { source: ['aws.ec2'], 'detail-type': ['Other'] },
    event: ec2,
    expected: false,
  },
  {
    name: 'nested field matches',
    pattern: { source: ['aws.ec2'], detail: { state: ['terminated', 'running'] } },
    event: ec2,
    expected: true,
  },
  {
    name: 'nested field differs',
    pattern: { detail: { state: ['terminated'] } },
    event: ec2,
    expected: false,
  },
  {
    name: 'matching is case-sensitive',
    pattern: { detail: { state: ['Running'] } },
    event: ec2,
    expected: false,
  },
  {
    name: 'a missing field does not match',
    pattern: { detail: { foo: ['x'] } },
    event: ec2,
    expected: false,
  },
  {
    name: 'a missing parent object does not match',
    pattern: { detail: { state: ['running'] } },
    event: { source: 'aws.ec2' },
    expected: false,
  },
  {
    name: 'many values (set lookup) match',
    pattern: { region: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'us-west-1'] },
    event: ec2,
    expected: true,
  },
  {
    name: 'many values (set lookup) differ',
    pattern: { region: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] },
    event: ec2,
    expected: false,
  },
  { name: 'numbers match exactly', pattern: { detail: { 'c-count': [5] } }, event: ec2, expected: true },
  {
    name: 'numbers compare numerically (3.0e2 = 300)',
    pattern: '{"n":[3.0e2]}',
    event: '{"n":300}',
    expected: true,
  },
  {
    name: 'numbers compare numerically (300 = 3.00e2)',
    pattern: '{"n":[300]}',
    event: '{"n":3.00e2}',
    expected: true,
  },
  { name: 'a number does not match its string', pattern: { n: [300] }, event: { n: '300' }, expected: false },
  { name: 'a string does not match the number', pattern: { n: ['300'] }, event: { n: 300 }, expected: false },
  { name: 'true matches true', pattern: { flag: [true] }, event: { flag: true }, expected: true },
  { name: 'true does not match "true"', pattern: { flag: [true] }, event: { flag: 'true' }, expected: false },
  { name: 'false matches false', pattern: { flag: [false] }, event: { flag: false }, expected: true },
  { name: 'false does not match null', pattern: { flag: [false] }, event: { flag: null }, expected: false },
  {
    name: 'mixed value types in one list',
    pattern: { v: ['a', 7, true, null] },
    event: { v: 7 },
    expected: true,
  },
];

const nullsAndEmpty: Case[] = [
  {
    name: '[null] matches a JSON null',
    pattern: { detail: { responseElements: [null] } },
    event: { detail: { eventVersion: '', responseElements: null } },
    expected: true,
  },
  {
    name: '[null] does not match a missing field',
    pattern: { detail: { responseElements: [null] } },
    event: { detail: { eventVersion: '' } },
    expected: false,
  },
  {
    name: '[""] matches an empty string',
    pattern: { detail: { eventVersion: [''] } },
    event: { detail: { eventVersion: '', responseElements: null } },
    expected: true,
  },
  {
    name: '[""] does not match null',
    pattern: { detail: { responseElements: [''] } },
    event: { detail: { responseElements: null } },
    expected: false,
  },
  {
    name: '[null] does not match an empty string',
    pattern: { v: [null] },
    event: { v: '' },
    expected: false,
  },
  { name: '[""] does not match a missing field', pattern: { v: [''] }, event: {}, expected: false },
];

const arrays: Case[] = [
  {
    name: 'event array: matches when the intersection is non-empty',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    },
    event: {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:asg',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    expected: true,
  },
  {
    name: 'event array: no common element',
    pattern: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
    event: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    expected: false,
  },
  { name: 'event array of numbers', pattern: { n: [2] }, event: { n: [1, 2, 3] }, expected: true },
  { name: 'empty event array has no values', pattern: { n: ['x'] }, event: { n: [] }, expected: false },
  {
    name: 'nested event arrays are flattened',
    pattern: { n: [2] },
    event: { n: [1, [3, [2]]] },
    expected: true,
  },
  {
    name: 'array of objects: a field of one element matches',
    pattern: { employees: { firstName: ['Anna'] } },
    event: employees,
    expected: true,
  },
  {
    name: 'array of objects: fields must match within the same element',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    event: employees,
    expected: false,
  },
  {
    name: 'array of objects: two fields of the same element',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    event: employees,
    expected: true,
  },
  {
    name: 'multi-level arrays of objects',
    pattern: { employees: { firstName: ['Peter'] } },
    event: {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    },
    expected: true,
  },
  {
    name: 'arrays of objects inside arrays of objects',
    pattern: { a: { b: { c: ['x'] } } },
    event: { a: [{ b: [{ c: 'y' }, { c: 'x' }] }, { b: [] }] },
    expected: true,
  },
];

const prefixSuffix: Case[] = [
  { name: 'prefix matches', pattern: { time: [{ prefix: '2017-10-02' }] }, event: ec2, expected: true },
  { name: 'prefix differs', pattern: { time: [{ prefix: '2017-10-03' }] }, event: ec2, expected: false },
  {
    name: 'prefix only applies to strings',
    pattern: { detail: { 'c-count': [{ prefix: '5' }] } },
    event: ec2,
    expected: false,
  },
  {
    name: 'empty prefix matches any string',
    pattern: { region: [{ prefix: '' }] },
    event: ec2,
    expected: true,
  },
  {
    name: 'prefix with equals-ignore-case',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: { detail: { service: 'eventbridge' } },
    expected: true,
  },
  {
    name: 'prefix with equals-ignore-case: value shorter than the prefix',
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: { detail: { service: 'EVENT' } },
    expected: false,
  },
  {
    name: 'suffix matches',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'a/b.png' },
    expected: true,
  },
  {
    name: 'suffix is case-sensitive',
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'b.PNG' },
    expected: false,
  },
  {
    name: 'suffix with equals-ignore-case',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: { detail: { FileName: 'photo.PnG' } },
    expected: true,
  },
  {
    name: 'suffix with equals-ignore-case differs',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: { detail: { FileName: 'photo.jpg' } },
    expected: false,
  },
];

const ignoreCase: Case[] = [
  {
    name: 'equals-ignore-case matches',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    event: { Name: 'ALICE' },
    expected: true,
  },
  {
    name: 'equals-ignore-case differs',
    pattern: { Name: [{ 'equals-ignore-case': 'alice' }] },
    event: { Name: 'Alicia' },
    expected: false,
  },
  {
    name: 'equals-ignore-case only applies to strings',
    pattern: { n: [{ 'equals-ignore-case': '5' }] },
    event: { n: 5 },
    expected: false,
  },
  {
    name: 'equals-ignore-case with non-ASCII letters',
    pattern: { city: [{ 'equals-ignore-case': 'ÅRHUS' }] },
    event: { city: 'århus' },
    expected: true,
  },
];

const anythingBut: Case[] = [
  {
    name: 'anything-but string: another value',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: ec2,
    expected: true,
  },
  {
    name: 'anything-but string: the excluded value',
    pattern: { detail: { state: [{ 'anything-but': 'running' }] } },
    event: ec2,
    expected: false,
  },
  {
    name: 'anything-but number: another number',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: ec2,
    expected: true,
  },
  {
    name: 'anything-but number: the excluded number',
    pattern: '{"n":[{"anything-but":1.5e2}]}',
    event: '{"n":150}',
    expected: false,
  },
  {
    name: 'anything-but list of strings: excluded',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: withDetail({ state: 'stopped' }),
    expected: false,
  },
  {
    name: 'anything-but list of strings: not excluded',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: ec2,
    expected: true,
  },
  {
    name: 'anything-but list of numbers: excluded',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: withDetail({ 'x-limit': 200 }),
    expected: false,
  },
  {
    name: 'anything-but list of numbers: not excluded',
    pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    event: withDetail({ 'x-limit': 201 }),
    expected: true,
  },
  {
    name: 'anything-but numbers does not exclude the same digits as a string',
    pattern: { n: [{ 'anything-but': [100] }] },
    event: { n: '100' },
    expected: true,
  },
  {
    name: 'anything-but needs the field to be present',
    pattern: { n: [{ 'anything-but': 'x' }] },
    event: {},
    expected: false,
  },
  {
    name: 'anything-but on an event array: some element not excluded',
    pattern: { s: [{ 'anything-but': 'initializing' }] },
    event: { s: ['initializing', 'running'] },
    expected: true,
  },
  {
    name: 'anything-but on an event array: every element excluded',
    pattern: { s: [{ 'anything-but': ['initializing', 'running'] }] },
    event: { s: ['initializing', 'running'] },
    expected: false,
  },
  {
    name: 'anything-but matches a null value',
    pattern: { s: [{ 'anything-but': 'x' }] },
    event: { s: null },
    expected: true,
  },
  {
    name: 'anything-but prefix: value has the prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 'initializing' }),
    expected: false,
  },
  {
    name: 'anything-but prefix: value lacks the prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: ec2,
    expected: true,
  },
  {
    name: 'anything-but prefix: numbers are not excluded',
    pattern: { n: [{ 'anything-but': { prefix: '1' } }] },
    event: { n: 10 },
    expected: true,
  },
  {
    name: 'anything-but suffix: value has the suffix',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'a.png' },
    expected: false,
  },
  {
    name: 'anything-but suffix: value lacks the suffix',
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'a.jpg' },
    expected: true,
  },
  {
    name: 'anything-but equals-ignore-case: excluded in another case',
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
    event: { state: 'INITIALIZING' },
    expected: false,
  },
  {
    name: 'anything-but equals-ignore-case list: not excluded',
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] },
    event: { state: 'Running' },
    expected: true,
  },
  {
    name: 'anything-but wildcard: excluded path',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/lib/libc.so' },
    expected: false,
  },
  {
    name: 'anything-but wildcard: other path',
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: '/usr/bin/env' },
    expected: true,
  },
];

const numeric: Case[] = [
  {
    name: 'range (0, 5]: upper bound included',
    pattern: { n: [{ numeric: ['>', 0, '<=', 5] }] },
    event: { n: 5 },
    expected: true,
  },
  {
    name: 'range (0, 5]: lower bound excluded',
    pattern: { n: [{ numeric: ['>', 0, '<=', 5] }] },
    event: { n: 0 },
    expected: false,
  },
  {
    name: 'range (0, 5]: just above the top',
    pattern: { n: [{ numeric: ['>', 0, '<=', 5] }] },
    event: { n: 5.000001 },
    expected: false,
  },
  {
    name: 'range (0, 5]: just above the bottom',
    pattern: { n: [{ numeric: ['>', 0, '<=', 5] }] },
    event: { n: 0.000001 },
    expected: true,
  },
  { name: '< 10 excludes 10', pattern: { n: [{ numeric: ['<', 10] }] }, event: { n: 10 }, expected: false },
  {
    name: '< 10 includes 9.999999',
    pattern: { n: [{ numeric: ['<', 10] }] },
    event: { n: 9.999999 },
    expected: true,
  },
  { name: '>= 10 includes 10', pattern: { n: [{ numeric: ['>=', 10] }] }, event: { n: 10 }, expected: true },
  { name: '<= -1 includes -1', pattern: { n: [{ numeric: ['<=', -1] }] }, event: { n: -1 }, expected: true },
  {
    name: '[>=, a, <, b): top excluded',
    pattern: { n: [{ numeric: ['>=', 1, '<', 2] }] },
    event: { n: 2 },
    expected: false,
  },
  {
    name: '= 3.018e2 matches 301.8',
    pattern: '{"detail":{"x-limit":[{"numeric":["=",3.018e2]}]}}',
    event: ec2,
    expected: true,
  },
  {
    name: 'numeric needs a JSON number, not a string',
    pattern: { n: [{ numeric: ['>', 0] }] },
    event: { n: '5' },
    expected: false,
  },
  { name: 'numeric on a missing field', pattern: { n: [{ numeric: ['>', 0] }] }, event: {}, expected: false },
  {
    name: 'numeric on an event array',
    pattern: { n: [{ numeric: ['<', 10] }] },
    event: { n: [20, 3] },
    expected: true,
  },
  {
    name: 'negative range',
    pattern: { n: [{ numeric: ['>=', -10, '<', -5] }] },
    event: { n: -7.5 },
    expected: true,
  },
  {
    name: 'event numbers beyond ±5.0e9 are not compared',
    pattern: { n: [{ numeric: ['>', 0] }] },
    event: { n: 6e9 },
    expected: false,
  },
  {
    name: 'documented multi-field numeric example',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 301.8] }],
      },
    },
    event: ec2,
    expected: true,
  },
];

const exists: Case[] = [
  {
    name: 'exists true: field present',
    pattern: { detail: { state: [{ exists: true }] } },
    event: ec2,
    expected: true,
  },
  {
    name: 'exists true: field missing',
    pattern: { detail: { nope: [{ exists: true }] } },
    event: ec2,
    expected: false,
  },
  {
    name: 'exists false: field missing',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: 'x' }),
    expected: true,
  },
  {
    name: 'exists false: field present',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: ec2,
    expected: false,
  },
  {
    name: 'exists false: field is null (a value)',
    pattern: { v: [{ exists: false }] },
    event: { v: null },
    expected: false,
  },
  {
    name: 'exists true: field is null',
    pattern: { v: [{ exists: true }] },
    event: { v: null },
    expected: true,
  },
  {
    name: 'exists false: field is an object, not a leaf',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: 'x', 'c-count': { c1: 100 } }),
    expected: true,
  },
  {
    name: 'exists true: an object is not a leaf',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: withDetail({ 'c-count': { c1: 100 } }),
    expected: false,
  },
  {
    name: 'exists false: the parent object is missing too',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: { source: 'x' },
    expected: true,
  },
  {
    name: 'exists true: empty array has no value',
    pattern: { v: [{ exists: true }] },
    event: { v: [] },
    expected: false,
  },
  {
    name: 'exists false: empty array has no value',
    pattern: { v: [{ exists: false }] },
    event: { v: [] },
    expected: true,
  },
  {
    name: 'exists true: array with a value',
    pattern: { v: [{ exists: true }] },
    event: { v: ['a'] },
    expected: true,
  },
  {
    name: 'exists false in an array of objects: present in one element',
    pattern: { items: { sku: [{ exists: false }] } },
    event: { items: [{ id: 1 }, { id: 2, sku: 'x' }] },
    expected: false,
  },
  {
    name: 'exists false in an array of objects: absent from all',
    pattern: { items: { sku: [{ exists: false }] } },
    event: { items: [{ id: 1 }, { id: 2 }] },
    expected: true,
  },
  {
    name: 'exists false next to a value: absence checked in the matching element',
    pattern: { items: { id: [2], sku: [{ exists: false }] } },
    event: { items: [{ id: 1 }, { id: 2 }, { id: 3, sku: 'x' }] },
    expected: true,
  },
  {
    name: 'exists false or a value',
    pattern: { v: [{ exists: false }, 'a'] },
    event: { v: 'a' },
    expected: true,
  },
];

const wildcard: Case[] = [
  {
    name: 'wildcard in the middle',
    pattern: { s: [{ wildcard: 'Simple*Service' }] },
    event: { s: 'SimpleNotificationService' },
    expected: true,
  },
  {
    name: 'wildcard matches an empty run',
    pattern: { s: [{ wildcard: 'Simple*Service' }] },
    event: { s: 'SimpleService' },
    expected: true,
  },
  {
    name: 'wildcard: literal part differs',
    pattern: { f: [{ wildcard: 'dir/*.png' }] },
    event: { f: 'dir/a/b.jpg' },
    expected: false,
  },
  {
    name: 'wildcard spans slashes',
    pattern: { f: [{ wildcard: 'dir/*.png' }] },
    event: { f: 'dir/a/b.png' },
    expected: true,
  },
  {
    name: 'escaped asterisk is literal',
    pattern: { s: [{ wildcard: 'a\\*b' }] },
    event: { s: 'a*b' },
    expected: true,
  },
  {
    name: 'escaped asterisk is not a wildcard',
    pattern: { s: [{ wildcard: 'a\\*b' }] },
    event: { s: 'axb' },
    expected: false,
  },
  {
    name: 'escaped backslash',
    pattern: { s: [{ wildcard: 'a\\\\*' }] },
    event: { s: 'a\\bc' },
    expected: true,
  },
  {
    name: 'lone wildcard matches the empty string',
    pattern: { s: [{ wildcard: '*' }] },
    event: { s: '' },
    expected: true,
  },
  {
    name: 'wildcard only applies to strings',
    pattern: { s: [{ wildcard: '*' }] },
    event: { s: 5 },
    expected: false,
  },
  {
    name: 'several wildcards in order',
    pattern: { s: [{ wildcard: 'a*b*c' }] },
    event: { s: 'aXbYc' },
    expected: true,
  },
  {
    name: 'several wildcards out of order',
    pattern: { s: [{ wildcard: 'a*b*c' }] },
    event: { s: 'acb' },
    expected: false,
  },
  {
    name: 'wildcard parts must not overlap',
    pattern: { s: [{ wildcard: 'ab*ba' }] },
    event: { s: 'aba' },
    expected: false,
  },
];

const cidr: Case[] = [
  {
    name: 'IPv4 CIDR: inside',
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: ec2,
    expected: true,
  },
  {
    name: 'IPv4 CIDR: top of the range',
    pattern: { ip: [{ cidr: '10.0.0.0/24' }] },
    event: { ip: '10.0.0.255' },
    expected: true,
  },
  {
    name: 'IPv4 CIDR: outside',
    pattern: { ip: [{ cidr: '10.0.0.0/24' }] },
    event: { ip: '10.0.1.0' },
    expected: false,
  },
  {
    name: 'IPv6 CIDR: inside',
    pattern: { ip: [{ cidr: '2001:db8::/32' }] },
    event: { ip: '2001:db8:1::1' },
    expected: true,
  },
  {
    name: 'IPv6 CIDR: outside',
    pattern: { ip: [{ cidr: '2001:db8::/32' }] },
    event: { ip: '2001:db9::1' },
    expected: false,
  },
  {
    name: 'CIDR does not match a non-IP string',
    pattern: { ip: [{ cidr: '10.0.0.0/8' }] },
    event: { ip: '10.0.0' },
    expected: false,
  },
  {
    name: 'IPv4 CIDR does not match an IPv6 address',
    pattern: { ip: [{ cidr: '10.0.0.0/8' }] },
    event: { ip: '2001:db8::1' },
    expected: false,
  },
  {
    name: 'an exact IP value matches another spelling',
    pattern: { ip: ['::1'] },
    event: { ip: '0:0:0:0:0:0:0:1' },
    expected: true,
  },
];

const or: Case[] = [
  {
    name: '$or: second branch matches',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: cloudwatch,
    expected: true,
  },
  {
    name: '$or: no branch matches',
    pattern: { $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/ES'] }] },
    event: cloudwatch,
    expected: false,
  },
  {
    name: '$or is ANDed with the other fields',
    pattern: { source: ['aws.ec2'], $or: [{ metricName: ['NetworkIn'] }, { namespace: ['AWS/ES'] }] },
    event: cloudwatch,
    expected: false,
  },
  {
    name: '$or with an AND inside a branch',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'] },
        { scope: ['Service'] },
      ],
    },
    event: cloudwatch,
    expected: true,
  },
  {
    name: 'nested $or inside a branch',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    },
    event: cloudwatch,
    expected: true,
  },
  {
    name: 'nested $or whose inner branches all fail',
    pattern: {
      $or: [
        { metricName: ['CPUUtilization'] },
        { namespace: ['AWS/EC2'], $or: [{ metricId: [1] }, { spaceId: [1000] }] },
      ],
    },
    event: cloudwatch,
    expected: false,
  },
  {
    name: 'parallel $or at two levels: both satisfied',
    pattern: {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: cloudwatch,
    expected: true,
  },
  {
    name: 'parallel $or at two levels: inner one fails',
    pattern: {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['Other'] }] },
    },
    event: cloudwatch,
    expected: false,
  },
  {
    name: '$or with an exists:false branch',
    pattern: { $or: [{ a: ['x'] }, { b: [{ exists: false }] }] },
    event: { a: 'y' },
    expected: true,
  },
  {
    name: '$or inside an array element is evaluated per element',
    pattern: { employees: { lastName: ['Jones'], $or: [{ firstName: ['Anna'] }, { firstName: ['Peter'] }] } },
    event: employees,
    expected: true,
  },
  {
    name: '$or inside an array element does not mix elements',
    pattern: { employees: { lastName: ['Jones'], $or: [{ firstName: ['Anna'] }, { firstName: ['John'] }] } },
    event: employees,
    expected: false,
  },
];

const deep: Case[] = [
  {
    name: 'deep nesting matches',
    pattern: { a: { b: { c: { d: { e: ['x'] } } } } },
    event: { a: { b: { c: { d: { e: 'x' } } } } },
    expected: true,
  },
  {
    name: 'deep nesting: missing intermediate object',
    pattern: { a: { b: { c: { d: { e: ['x'] } } } } },
    event: { a: { b: {} } },
    expected: false,
  },
  {
    name: 'object expected but a string found',
    pattern: { a: { b: ['x'] } },
    event: { a: 'x' },
    expected: false,
  },
  {
    name: 'value expected but an object found',
    pattern: { a: ['x'] },
    event: { a: { b: 'x' } },
    expected: false,
  },
  {
    name: 'documented complex example',
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    event: ec2,
    expected: true,
  },
  {
    name: 'a field named like an operator outside a value list',
    pattern: { prefix: { numeric: ['x'] } },
    event: { prefix: { numeric: 'x' } },
    expected: true,
  },
  {
    name: 'keys from Object.prototype are not inherited',
    pattern: { constructor: [{ exists: true }] },
    event: {},
    expected: false,
  },
  {
    name: 'a non-object event has no fields (exists:false)',
    pattern: { a: [{ exists: false }] },
    event: null,
    expected: true,
  },
  { name: 'a non-object event has no fields (value)', pattern: { a: ['x'] }, event: 'x', expected: false },
];

const groups: Record<string, Case[]> = {
  'exact values': exact,
  'null and empty string': nullsAndEmpty,
  'arrays in events': arrays,
  'prefix and suffix': prefixSuffix,
  'equals-ignore-case': ignoreCase,
  'anything-but': anythingBut,
  numeric,
  exists,
  wildcard,
  cidr,
  $or: or,
  'nesting and structure': deep,
};

const asValue = (v: unknown): unknown => (typeof v === 'string' && /^[[{]/.test(v) ? JSON.parse(v) : v);

describe('EventBridge pattern matching', () => {
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      for (const c of cases) {
        it(`${c.name} → ${c.expected}`, () => {
          const matcher = compilePattern(c.pattern);
          expect(matcher.matches(asValue(c.event))).toBe(c.expected);
        });
      }
    });
  }

  it('has at least 80 documented cases', () => {
    const total = Object.values(groups).reduce((n, cases) => n + cases.length, 0);
    expect(total).toBeGreaterThanOrEqual(80);
  });

  it('a compiled matcher is reusable across events', () => {
    const matcher = compilePattern({ detail: { state: ['running'] } });
    expect(matcher.matches(ec2)).toBe(true);
    expect(matcher.matches(withDetail({ state: 'stopped' }))).toBe(false);
    expect(matcher.matches(ec2)).toBe(true);
  });

  it('accepts the pattern as JSON text', () => {
    expect(compilePattern('{"source":["aws.ec2"]}').matches(ec2)).toBe(true);
  });
});
