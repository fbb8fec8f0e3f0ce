import { describe, expect, it } from 'vitest';
import {
  addressPatternRegExp,
  buildAddress,
  createAddressMatcher,
  createPatternMatcher,
  decodeParameterValue,
  encodeParameterValue,
  parseAddressTemplate,
  patternFor,
} from '../../src/runtime/core/address.js';

const hostileValues = [
  'a/b',
  'a.b',
  '*',
  '>',
  '#',
  '+',
  '%',
  '%41',
  '?x=1&y',
  '[a]{b}',
  'two words',
  "it's (so) !",
  'ünïcødé',
  '日本語',
  '🚀 launch',
  '~-_',
  'line\nbreak',
];

describe('encodeParameterValue', () => {
  it.each([
    { given: 'plain-Value_1~', want: 'plain-Value_1~' },
    { given: 'a/b', want: 'a%2Fb' },
    { given: 'a.b', want: 'a%2Eb' },
    { given: '*>#+', want: '%2A%3E%23%2B' },
    { given: '%', want: '%25' },
    { given: "!'()", want: '%21%27%28%29' },
    { given: 'a b', want: 'a%20b' },
    { given: 'é', want: '%C3%A9' },
    { given: '', want: '' },
  ])('encodes $given as $want', ({ given, want }) => {
    expect(encodeParameterValue(given)).toBe(want);
  });

  it.each(hostileValues)('leaves only unreserved characters and escapes in %j', (value) => {
    expect(encodeParameterValue(value)).toMatch(/^(?:[A-Za-z0-9\-_~]|%[0-9A-F]{2})*$/);
  });

  it('writes numbers and booleans with String()', () => {
    expect(encodeParameterValue(42)).toBe('42');
    expect(encodeParameterValue(-1.5)).toBe('-1%2E5');
    expect(encodeParameterValue(true)).toBe('true');
  });

  it('rejects non-finite numbers, unpaired surrogates and non-scalars', () => {
    expect(() => encodeParameterValue(Number.NaN)).toThrow(RangeError);
    expect(() => encodeParameterValue(Number.POSITIVE_INFINITY)).toThrow(/not a finite number/);
    expect(() => encodeParameterValue('\uD800')).toThrow(/unpaired surrogate/);
    expect(() => encodeParameterValue(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe('decodeParameterValue', () => {
  it.each(hostileValues)('round-trips %j', (value) => {
    expect(decodeParameterValue(encodeParameterValue(value))).toBe(value);
  });

  it('passes through characters that are not escapes (addresses from other publishers)', () => {
    expect(decodeParameterValue('a+b:c')).toBe('a+b:c');
  });

  it.each(['%', '%G1', 'abc%2', '%C3'])('throws a clear error on malformed %j', (text) => {
    expect(() => decodeParameterValue(text)).toThrow(/Malformed percent-encoding/);
  });
});

describe('parseAddressTemplate', () => {
  it('splits literals and parameters', () => {
    expect(parseAddressTemplate('user/{userId}/signedup').parts).toEqual([
      { kind: 'literal', text: 'user/' },
      { kind: 'parameter', name: 'userId' },
      { kind: 'literal', text: '/signedup' },
    ]);
  });

  it('handles templates without parameters and starting or ending with one', () => {
    expect(parseAddressTemplate('plain.topic').parts).toEqual([{ kind: 'literal', text: 'plain.topic' }]);
    expect(parseAddressTemplate('{a}.x.{b}').parts).toEqual([
      { kind: 'parameter', name: 'a' },
      { kind: 'literal', text: '.x.' },
      { kind: 'parameter', name: 'b' },
    ]);
    expect(parseAddressTemplate('').parts).toEqual([]);
  });

  it.each([
    { given: 'a/{}/b', error: /empty parameter name/ },
    { given: 'a/{b', error: /unclosed "{"/ },
    { given: 'a/{b{c}}', error: /unclosed "{"/ },
    { given: 'a/b}', error: /stray "}"/ },
    { given: 'a/{b}{c}', error: /directly follows another parameter/ },
  ])('rejects $given', ({ given, error }) => {
    expect(() => parseAddressTemplate(given)).toThrow(error);
    expect(() => parseAddressTemplate(given)).toThrow(/Invalid address template/);
  });
});

describe('buildAddress', () => {
  it('fills slots with encoded values', () => {
    expect(buildAddress('user/{userId}/signedup', { userId: 'a/b' })).toBe('user/a%2Fb/signedup');
    expect(buildAddress('light.{id}.{on}', { id: 7, on: false })).toBe('light.7.false');
  });

  it('fills a repeated parameter in every slot', () => {
    expect(buildAddress('{id}/x/{id}', { id: 'k' })).toBe('k/x/k');
  });

  it('ignores extra parameters', () => {
    expect(buildAddress('a/{x}', { x: '1', y: '2' })).toBe('a/1');
  });

  it('names a missing parameter, and does not take it from the prototype', () => {
    expect(() => buildAddress('user/{userId}', {})).toThrow('Missing value for parameter "userId" of address "user/{userId}"');
    expect(() => buildAddress('a/{constructor}', {})).toThrow(/Missing value for parameter "constructor"/);
  });

  it('rejects an empty value, which would leave an empty address level', () => {
    expect(() => buildAddress('user/{userId}/x', { userId: '' })).toThrow(/Empty value for parameter "userId"/);
  });
});

describe('patternFor', () => {
  it('leaves every parameter a wildcard without fixed values', () => {
    expect(patternFor('a/{x}', undefined)).toEqual(parseAddressTemplate('a/{x}'));
  });

  it('sets the encoded value of fixed parameters', () => {
    expect(patternFor('a/{x}/{y}', { x: 'p.q', y: undefined }).parts).toEqual([
      { kind: 'literal', text: 'a/' },
      { kind: 'parameter', name: 'x', value: 'p%2Eq' },
      { kind: 'literal', text: '/' },
      { kind: 'parameter', name: 'y' },
    ]);
  });

  it('rejects a parameter the template does not have', () => {
    expect(() => patternFor('a/{x}', { y: '1' })).toThrow('Unknown parameter "y" for address "a/{x}"');
  });

  it('rejects an empty fixed value', () => {
    expect(() => patternFor('a/{x}', { x: '' })).toThrow(/Empty value/);
  });
});

describe('createAddressMatcher', () => {
  it.each(hostileValues)('round-trips %j through buildAddress on slash and dot templates', (value) => {
    for (const template of ['user/{id}/signedup', 'user.{id}.signedup', 'v1.0/{id}', 'rooms:{id}:messages']) {
      const address = buildAddress(template, { id: value });
      expect(createAddressMatcher(template)(address)).toEqual({ id: value });
    }
  });

  it('round-trips several parameters, including at the edges of the template', () => {
    const template = '{tenant}/devices/{device}.{metric}';
    const params = { tenant: 'a/b', device: 'x.y', metric: '*' };
    expect(createAddressMatcher(template)(buildAddress(template, params))).toEqual(params);
  });

  it('treats a dot in the template as a literal dot, not a wildcard', () => {
    const match = createAddressMatcher('v1.0/{id}');
    expect(match('v1.0/42')).toEqual({ id: '42' });
    expect(match('v1x0/42')).toBeUndefined();
  });

  it('escapes every regex character of the template', () => {
    const template = 'a+b*(c)?[d]^$|\\/{id}';
    expect(createAddressMatcher(template)(`a+b*(c)?[d]^$|\\/7`)).toEqual({ id: '7' });
    expect(createAddressMatcher(template)('aab/7')).toBeUndefined();
  });

  it('does not let a slot cross the template separator', () => {
    expect(createAddressMatcher('user/{id}/x')('user/a/b/x')).toBeUndefined();
    expect(createAddressMatcher('user.{id}.x')('user.a.b.x')).toBeUndefined();
    expect(createAddressMatcher('a/{id}')('a/b/c')).toBeUndefined();
  });

  it('accepts the other separator inside a slot, as broker wildcards do', () => {
    expect(createAddressMatcher('user/{id}')('user/john.doe')).toEqual({ id: 'john.doe' });
  });

  it('lets a slot hold any character when the template has no separator', () => {
    expect(createAddressMatcher('events-{kind}')('events-a/b.c')).toEqual({ kind: 'a/b.c' });
  });

  it('splits at adjacent literals that start with an unreserved character', () => {
    const template = '{id}abc{n}';
    const params = { id: 'xay', n: 'abc' };
    expect(createAddressMatcher(template)(buildAddress(template, params))).toEqual(params);
    expect(createAddressMatcher('{a}-{b}')('x-y-z')).toEqual({ a: 'x', b: 'y-z' });
  });

  it('requires one or more characters per slot', () => {
    expect(createAddressMatcher('user/{id}/x')('user//x')).toBeUndefined();
  });

  it('requires a repeated parameter to hold the same value', () => {
    const match = createAddressMatcher('{id}/x/{id}');
    expect(match('k/x/k')).toEqual({ id: 'k' });
    expect(match('k/x/j')).toBeUndefined();
  });

  it('rejects addresses with extra text at either end', () => {
    const match = createAddressMatcher('a/{x}/b');
    expect(match('a/1/b')).toEqual({ x: '1' });
    expect(match('za/1/b')).toBeUndefined();
    expect(match('a/1/bz')).toBeUndefined();
    expect(match('a/1/b\n')).toBeUndefined();
  });

  it('throws naming the parameter when a slot holds a malformed escape', () => {
    expect(() => createAddressMatcher('a/{x}')('a/100%')).toThrow(/Parameter "x" of address "a\/100%".*Malformed/);
  });
});

describe('createPatternMatcher and addressPatternRegExp', () => {
  it('matches only the fixed value, and returns it decoded', () => {
    const pattern = patternFor('user/{id}/{event}', { id: 'a.b' });
    const match = createPatternMatcher(pattern);
    expect(match('user/a%2Eb/signup')).toEqual({ id: 'a.b', event: 'signup' });
    expect(match('user/c/signup')).toBeUndefined();
    expect(addressPatternRegExp(pattern).test('user/a%2Eb/x')).toBe(true);
    expect(addressPatternRegExp(pattern).test('user/aXb/x')).toBe(false);
  });

  it('matches a template without parameters exactly', () => {
    const regex = addressPatternRegExp(parseAddressTemplate('smartylighting.streetlights.1.0'));
    expect(regex.test('smartylighting.streetlights.1.0')).toBe(true);
    expect(regex.test('smartylightingXstreetlights.1.0')).toBe(false);
  });
});
