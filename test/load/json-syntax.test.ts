import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from '../../src/load/json-syntax.js';

describe('findJsonSyntaxError', () => {
  it.each([
    { given: '{"a": 1}', want: undefined },
    { given: '[1, {"b": [true, false, null, -1.5e3, "x\\u00e9\\n"]}, []]', want: undefined },
    { given: '{"a": 1,}', want: { offset: 8, message: "expected a double-quoted property name, found '}'" } },
    { given: '{"a": 1', want: { offset: 7, message: "expected ',' or '}', found end of the file" } },
    { given: '{"a": tru}', want: { offset: 6, message: "unexpected 't', a value was expected" } },
    { given: '{"a" 1}', want: { offset: 5, message: "expected ':' after the property name, found '1'" } },
    { given: "{'a': 1}", want: { offset: 1, message: "expected a double-quoted property name, found '''" } },
    { given: '{"a": "b\nc"}', want: { offset: 8, message: 'control character (such as a line break) inside a string' } },
    { given: '{"a": "b', want: { offset: 6, message: 'unterminated string' } },
    { given: '[1, 2] x', want: { offset: 7, message: "unexpected 'x' after the end of the JSON value" } },
    { given: '   ', want: { offset: 3, message: 'the file has no JSON value' } },
    { given: '// comment\n{}', want: { offset: 0, message: "unexpected '/', a value was expected" } },
  ])('$given', ({ given, want }) => {
    expect(findJsonSyntaxError(given)).toEqual(want);
  });

  it('does not overflow the stack on deep nesting', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(99_999);
    expect(findJsonSyntaxError(deep)?.message).toBe("expected ',' or ']', found end of the file");
  });
});
