import { describe, expect, it } from 'vitest';
import * as formats from '../../src/runtime/core/formats.js';
import {
  ValidationError,
  codePointLength,
  deepEqual,
  distinctIssues,
  findDuplicateItems,
  formatIssues,
  isMultipleOf,
  ownKeyCount,
  pointerSegment,
} from '../../src/runtime/core/validation.js';
import { allFormatChecks } from '../../src/schema/format-table.js';

const formatCases: Record<string, { valid: ReadonlyArray<string | number>; invalid: ReadonlyArray<string | number> }> = {
  'date-time': {
    valid: ['2024-02-29T10:20:30Z', '2024-01-01t00:00:00.123+05:30', '1998-12-31T23:59:60Z', '1998-12-31T15:59:60-08:00'],
    invalid: ['2023-02-29T10:20:30Z', '2024-01-01', '2024-01-01T25:00:00Z', '2024-01-01T10:00:00', '2024-01-01T10:00:60Z', '2024-13-01T00:00:00Z'],
  },
  date: { valid: ['2024-02-29', '2000-02-29'], invalid: ['1900-02-29', '2024-04-31', '2024-1-01', '20240101'] },
  time: { valid: ['10:20:30Z', '10:20:30.5+01:00'], invalid: ['10:20:30', '24:00:00Z', '10:60:00Z'] },
  duration: { valid: ['P1D', 'PT1H30M', 'P1Y2M3DT4H5M6S', 'P2W', 'PT0.5S'], invalid: ['P', 'PT', 'P1DT', '1D', 'P1W2D'] },
  email: { valid: ['a@b.co', 'first.last+tag@example.com', 'x@[127.0.0.1]'], invalid: ['a', '@b.co', 'a@', 'a..b@c.d', 'a@-b.co', 'a b@c.d'] },
  'idn-email': { valid: ['用户@例子.广告', 'a@b.co'], invalid: ['no-at-sign', '@例子.广告'] },
  hostname: { valid: ['example.com', 'a', 'xn--bcher-kva.example'], invalid: ['-a.com', 'a-.com', 'a..b', `${'a'.repeat(64)}.com`, ''] },
  'idn-hostname': { valid: ['例子.广告', 'bücher.example'], invalid: ['-例子.广告', 'a..b'] },
  ipv4: { valid: ['0.0.0.0', '192.168.1.255'], invalid: ['256.0.0.1', '01.2.3.4', '1.2.3', '1.2.3.4.5'] },
  ipv6: { valid: ['::', '::1', '2001:db8::8a2e:370:7334', '::ffff:192.168.0.1', '1:2:3:4:5:6:7:8'], invalid: ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', ':1', '1.2.3.4::'] },
  uri: { valid: ['https://example.com/a?b=c#d', 'urn:isbn:0451450523', 'http://[::1]:80/'], invalid: ['/relative', 'http://exa mple.com', 'a:%zz', 'http://x/#a#b'] },
  'uri-reference': { valid: ['/relative/path?q', '#frag', '', 'https://x.y'], invalid: ['a b', '\\\\windows', '1a:b'] },
  iri: { valid: ['https://例子.广告/路径'], invalid: ['例子', 'http://a b'] },
  'iri-reference': { valid: ['/路径?q', '#frag'], invalid: ['a b'] },
  uuid: {
    valid: ['123e4567-e89b-12d3-a456-426614174000', 'ABCDEF01-2345-6789-ABCD-EF0123456789', '00000000-0000-0000-0000-000000000000'],
    invalid: [
      '123e4567e89b12d3a456426614174000',
      '123e4567-e89b-12d3-a456-42661417400z',
      '123e4567-e89b-12d3-a456-42661417400g',
      '123e4567-e89b-12d3-a456-4266141740000',
      '123e4567-e89b-12d3-a456-42661417400',
      '123e4567-e89b-12d3a-456-426614174000',
      '123e4567-e89b-12d3-a456-42661417400\u0101',
      '123e4567-e89b-12d3-a456-42661417400@',
      '123e4567 e89b-12d3-a456-426614174000',
    ],
  },
  regex: { valid: ['^a+$', '\\d'], invalid: ['(', '[a-'] },
  'json-pointer': { valid: ['', '/a/b', '/a~0b/~1'], invalid: ['a', '/a~2'] },
  'relative-json-pointer': { valid: ['0', '1/a', '2#'], invalid: ['01', '/a', '-1'] },
  'uri-template': { valid: ['/users/{id}', '{?q,lang}', 'plain'], invalid: ['/users/{id', '{}'] },
  byte: { valid: ['', 'YQ==', 'YWI=', 'YWJj'], invalid: ['YQ', 'Y===', 'YW=j', '!!!!'] },
  int32: { valid: [0, -2147483648, 2147483647], invalid: [2147483648, 1.5] },
  int64: { valid: [0, 2 ** 53, -(2 ** 62)], invalid: [1.5, 2 ** 64] },
  float: { valid: [1.5, 3.4e38], invalid: [3.5e38, Number.POSITIVE_INFINITY] },
  double: { valid: [1e308], invalid: [Number.NaN] },
};

describe('format checkers', () => {
  const checkers = formats as unknown as Record<string, (value: string | number) => boolean>;

  it('has a checker for every format the compiler emits', () => {
    for (const [, check] of allFormatChecks()) expect(typeof checkers[check.checker]).toBe('function');
  });

  describe.each(allFormatChecks().map(([format, check]) => ({ format, checker: check.checker })))('$format', ({ format, checker }) => {
    const table = formatCases[format] ?? { valid: [], invalid: [] };
    const check = checkers[checker] ?? (() => false);
    it.each(table.valid.map((value) => ({ value })))('accepts $value', ({ value }) => expect(check(value)).toBe(true));
    it.each(table.invalid.map((value) => ({ value })))('rejects $value', ({ value }) => expect(check(value)).toBe(false));
  });

  it('runs in linear time on hostile input', () => {
    const long = `${'a'.repeat(50_000)}!`;
    const started = performance.now();
    for (const [, check] of allFormatChecks()) {
      const fn = checkers[check.checker];
      if (check.appliesTo === 'string' && fn !== undefined) fn(long);
    }
    expect(formats.isEmail(`${'a.'.repeat(20_000)}@x`)).toBe(false);
    expect(formats.isUriTemplate(`{${'a.'.repeat(20_000)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('validation helpers', () => {
  it('formats issues one per line', () => {
    const issues = [
      { path: '', message: 'must be object', keyword: 'type' },
      { path: '/a/b', message: 'must be string', keyword: 'type' },
    ];
    expect(formatIssues(issues)).toBe('(root): must be object\n/a/b: must be string');
    const error = new ValidationError(issues, 'Invalid payload');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ValidationError');
    expect(error.issues).toBe(issues);
    expect(error.message).toBe('Invalid payload (2 issues):\n  (root): must be object\n  /a/b: must be string');
  });

  it('compares JSON values deeply', () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual(1, 1.0)).toBe(true);
    expect(deepEqual(null, {})).toBe(false);
  });

  it('finds duplicates in short and long arrays', () => {
    expect(findDuplicateItems([1, 2, 3])).toBeUndefined();
    expect(findDuplicateItems([{ a: 1 }, 2, { a: 1 }])).toEqual([0, 2]);
    const long = Array.from({ length: 1000 }, (_, i) => i);
    expect(findDuplicateItems(long)).toBeUndefined();
    expect(findDuplicateItems([...long, 500])).toEqual([500, 1000]);
  });

  it('counts code points, keys; escapes pointers; checks multiples', () => {
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('\ud800')).toBe(1);
    expect(ownKeyCount(Object.create({ inherited: 1 }) as object)).toBe(0);
    expect(pointerSegment('a/b~c')).toBe('a~1b~0c');
    expect(isMultipleOf(0.3, 0.1)).toBe(true);
    expect(isMultipleOf(7, 2)).toBe(false);
    expect(isMultipleOf(1e308, 1e-308)).toBe(false);
  });

  it('removes repeated issues but never returns none', () => {
    const issue = { path: '', message: 'must be object', keyword: 'type' };
    expect(distinctIssues([issue, { ...issue }])).toEqual([issue]);
    expect(distinctIssues([])).toHaveLength(1);
  });
});
