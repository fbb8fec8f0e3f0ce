/**
 * The date, time and date-time checkers of `core/formats.ts` read char codes by hand for speed.
 * This compares them with their definition written the plain way (one regular expression
 * for the syntax, then the ranges), on random strings over the characters that matter and on
 * valid values with one character changed, inserted or removed, so every near miss is tried.
 * ASYNCAPI_GEN_PROPERTY_SEED and ASYNCAPI_GEN_PROPERTY_RUNS (times 100 here) as in the schema
 * property tests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDate, isDateTime, isTime } from '../../src/runtime/core/formats.js';
import { RUNS as PROPERTY_RUNS, SEED } from './settings.js';

/** Each run checks one string in microseconds, so a hundred times the schema tests' runs. */
const RUNS = 100 * PROPERTY_RUNS;

// ---------------------------------------------------------------------------------------------
// The definitions (RFC 3339 section 5.6), written the plain way

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function definedDate(year: number, month: number, day: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month] ?? 0));
}

function definedTime(match: RegExpMatchArray): boolean {
  const [hour, minute, second] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  const zone = match[4] ?? '';
  const offset = /^[zZ]$/.test(zone) ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (!/^[zZ]$/.test(zone) && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  return second < 60 || ((((hour * 60 + minute - offset) % 1440) + 1440) % 1440) === 23 * 60 + 59;
}

const TIME_SYNTAX = '(\\d{2}):(\\d{2}):(\\d{2})(?:\\.\\d+)?([zZ]|[+-]\\d{2}:\\d{2})';

function definedIsDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match !== null && definedDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

function definedIsTime(text: string): boolean {
  const match = new RegExp(`^${TIME_SYNTAX}$`).exec(text);
  return match !== null && definedTime(match);
}

function definedIsDateTime(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})[tT](.*)$/s.exec(text);
  if (match === null || !definedDate(Number(match[1]), Number(match[2]), Number(match[3]))) return false;
  return definedIsTime(match[4] ?? '');
}

// ---------------------------------------------------------------------------------------------
// Inputs

const pad = (value: number, width: number): string => String(value).padStart(width, '0');
/** Mostly in range, sometimes just past it. */
const twoDigit = (max: number): fc.Arbitrary<string> => fc.oneof({ arbitrary: fc.integer({ min: 0, max }), weight: 4 }, { arbitrary: fc.integer({ min: max + 1, max: max + 2 }), weight: 1 }).map((value) => pad(value, 2));

const validishDate = fc
  .tuple(fc.constantFrom(0, 1900, 2000, 2023, 2024, 2100, 9999).chain((year) => fc.integer({ min: Math.max(0, year - 1), max: Math.min(9999, year + 1) })), twoDigit(12), twoDigit(31))
  .map(([year, month, day]) => `${pad(year, 4)}-${month}-${day}`);
const validishTime = fc
  .tuple(twoDigit(23), twoDigit(59), fc.constantFrom('00', '30', '59', '00', '30', '59', '60', '61'), fc.constantFrom('', '', '.5', '.123456', '.'), fc.constantFrom('Z', 'z', '+00:00', '-08:00', '+05:30', 'Z', '+00:00', '+24:00', '-00:60', ''))
  .map(([hour, minute, second, fraction, zone]) => `${hour}:${minute}:${second}${fraction}${zone}`);
const validishDateTime = fc.tuple(validishDate, fc.constantFrom('T', 't', 'T', ' '), validishTime).map(([date, separator, time]) => `${date}${separator}${time}`);
/** Characters a near miss is made of: the syntax's own, neighbours of digits and letters, and non-ASCII. */
const NEAR_MISS_CHARS = [...'0123456789-:.+TtZzaA/;@ ', '\u0660', '\u0101', '\uff10', '\ud83d'];

/** A value with one character changed, inserted or removed (or left as it is). */
function nearMisses(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.nat(), fc.constantFrom('keep', 'change', 'insert', 'remove'), fc.constantFrom(...NEAR_MISS_CHARS)).map(([text, position, edit, char]) => {
    const at = position % (text.length + 1);
    if (edit === 'change') return text.slice(0, at) + char + text.slice(at + 1);
    if (edit === 'insert') return text.slice(0, at) + char + text.slice(at);
    if (edit === 'remove') return text.slice(0, at) + text.slice(at + 1);
    return text;
  });
}

const randomText = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...NEAR_MISS_CHARS), { maxLength }).map((chars) => chars.join(''));

// ---------------------------------------------------------------------------------------------

describe('hand-read format checkers agree with their definitions', () => {
  const cases = [
    { name: 'date', check: isDate, defined: definedIsDate, inputs: fc.oneof({ arbitrary: nearMisses(validishDate), weight: 4 }, { arbitrary: randomText(12), weight: 1 }) },
    { name: 'time', check: isTime, defined: definedIsTime, inputs: fc.oneof({ arbitrary: nearMisses(validishTime), weight: 4 }, { arbitrary: randomText(20), weight: 1 }) },
    { name: 'date-time', check: isDateTime, defined: definedIsDateTime, inputs: fc.oneof({ arbitrary: nearMisses(validishDateTime), weight: 4 }, { arbitrary: randomText(32), weight: 1 }) },
  ] as const;

  it.each(cases)('$name', ({ check, defined, inputs }) => {
    let accepted = 0;
    fc.assert(
      fc.property(inputs, (text) => {
        const expected = defined(text);
        if (expected) accepted += 1;
        expect(check(text), JSON.stringify(text)).toBe(expected);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The inputs must reach both answers often enough, or the comparison proves little.
    expect(accepted).toBeGreaterThan(RUNS / 50);
    expect(accepted).toBeLessThan(RUNS - RUNS / 50);
  });

  it('reads the edge cases of the definitions alike', () => {
    const edges = [
      '2024-02-29T23:59:60Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
      '2024-01-01T00:00:00.Z', '2024-01-01T00:00:00.0z', '2024-01-01T15:59:60-08:00', '2024-01-01T15:59:60+08:00',
      '2024-01-01T00:00:00+23:59', '2024-01-01T00:00:00+23:60', '2024-01-01T00:00:00+0000', '2024-01-01T00:00:00Zx',
      '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '2024-01-01T00:00:00', '', 'T',
    ];
    for (const text of edges) expect(isDateTime(text), text).toBe(definedIsDateTime(text));
  });
});
