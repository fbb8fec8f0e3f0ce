import { describe, expect, it } from 'vitest';
import { copyBytes, decodePayload, encodePayload, mediaTypeEssence, payloadKind } from '../../src/runtime/core/codec.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('payloadKind', () => {
  it.each([
    { given: 'application/json', want: 'json' },
    { given: 'application/json; charset=utf-8', want: 'json' },
    { given: ' Application/JSON ', want: 'json' },
    { given: 'application/vnd.aai.asyncapi+json;version=3.0.0', want: 'json' },
    { given: 'application/cloudevents+json', want: 'json' },
    { given: 'application/vnd.apache.avro+json', want: 'json' },
    { given: 'text/json', want: 'json' },
    { given: 'application/x-json', want: 'json' },
    { given: '', want: 'json' },
    { given: undefined, want: 'json' },
    { given: 'text/plain', want: 'text' },
    { given: 'text/plain; charset=utf-8', want: 'text' },
    { given: 'text/csv', want: 'text' },
    { given: 'application/xml', want: 'text' },
    { given: 'application/soap+xml', want: 'text' },
    { given: 'application/yaml', want: 'text' },
    { given: 'application/octet-stream', want: 'binary' },
    { given: 'application/vnd.apache.avro', want: 'binary' },
    { given: 'avro/binary', want: 'binary' },
    { given: 'application/x-protobuf', want: 'binary' },
    { given: 'application/jsonl', want: 'binary' },
    { given: 'something/unknown', want: 'binary' },
  ])('$given is $want', ({ given, want }) => {
    expect(payloadKind(given)).toBe(want);
  });

  it('answers each call on its own when content types alternate, repeat and come back (the last answer is remembered)', () => {
    const asked = ['application/json', 'application/json', 'text/plain', undefined, 'application/octet-stream', 'text/plain', '', 'text/plain'];
    const fresh = (contentType: string | undefined): string | undefined => (contentType === undefined ? undefined : [...contentType].join(''));
    expect(asked.map((contentType) => payloadKind(fresh(contentType)))).toEqual(['json', 'json', 'text', 'json', 'binary', 'text', 'json', 'text']);
  });

  it('takes the essence without parameters', () => {
    expect(mediaTypeEssence('Text/Plain ; charset=UTF-8')).toBe('text/plain');
  });
});

describe('encodePayload', () => {
  it('writes JSON once, as plain UTF-8 JSON', () => {
    expect(text(encodePayload({ id: 1, name: 'é' }, 'application/json'))).toBe('{"id":1,"name":"é"}');
  });

  it('writes a string payload as a JSON string, not as raw text', () => {
    expect(text(encodePayload('hello', 'application/json'))).toBe('"hello"');
    expect(text(encodePayload('{"a":1}', 'application/json'))).toBe('"{\\"a\\":1}"');
  });

  it('writes JSON for a missing content type and for +json types', () => {
    expect(text(encodePayload([1, null], undefined))).toBe('[1,null]');
    expect(text(encodePayload(false, 'application/vnd.x+json'))).toBe('false');
  });

  it('refuses already-encoded bytes for JSON, which would be encoded twice', () => {
    expect(() => encodePayload(utf8('{}'), 'application/json')).toThrow(/not its encoded bytes/);
  });

  it.each([
    { value: undefined, error: /got undefined/ },
    { value: () => 1, error: /got function/ },
    { value: 1n, error: /BigInt/ },
  ])('throws a TypeError for JSON it cannot write: $value', ({ value, error }) => {
    expect(() => encodePayload(value, 'application/json')).toThrow(TypeError);
    expect(() => encodePayload(value, 'application/json')).toThrow(error);
  });

  it('throws a TypeError for a cyclic value', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodePayload(cyclic, 'application/json')).toThrow(/Cannot encode "application\/json" payload as JSON/);
  });

  it('writes text as UTF-8 and refuses non-strings', () => {
    expect(encodePayload('héllo', 'text/plain')).toEqual(utf8('héllo'));
    expect(() => encodePayload(42, 'text/plain')).toThrow(TypeError);
    expect(() => encodePayload(42, 'text/plain')).toThrow('A "text/plain" payload must be a string, got number');
  });

  it('passes binary through unchanged and refuses anything but a Uint8Array', () => {
    const bytes = new Uint8Array([0, 255, 1]);
    expect(encodePayload(bytes, 'application/octet-stream')).toBe(bytes);
    expect(encodePayload(Buffer.from([1]), 'application/vnd.apache.avro')).toEqual(Buffer.from([1]));
    expect(() => encodePayload('abc', 'application/octet-stream')).toThrow(
      'A "application/octet-stream" payload must be a Uint8Array, got string',
    );
    expect(() => encodePayload(new ArrayBuffer(2), 'application/octet-stream')).toThrow(/got an object \(ArrayBuffer\)/);
    expect(() => encodePayload([1, 2], 'application/octet-stream')).toThrow(/got an array/);
  });
});

describe('decodePayload', () => {
  it('round-trips JSON values', () => {
    for (const value of [{ a: [1, 'x', null] }, 'text', 0, true, null]) {
      expect(decodePayload(encodePayload(value, 'application/json'), 'application/json')).toEqual({ ok: true, value });
    }
  });

  it('reads JSON written by a plain client', () => {
    expect(decodePayload(utf8('{"lumens": 3}'), 'application/json; charset=utf-8')).toEqual({
      ok: true,
      value: { lumens: 3 },
    });
  });

  it("returns the parser's message for invalid JSON", () => {
    const result = decodePayload(utf8('{"a":'), 'application/json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      let parserMessage = '';
      try {
        JSON.parse('{"a":');
      } catch (error) {
        parserMessage = (error as Error).message;
      }
      expect(result.error).toBe(parserMessage);
    }
  });

  it('fails on empty bytes for JSON', () => {
    expect(decodePayload(new Uint8Array(), 'application/json').ok).toBe(false);
  });

  it('rejects invalid UTF-8 for JSON and text', () => {
    const invalid = new Uint8Array([0x22, 0xff, 0x22]);
    expect(decodePayload(invalid, 'application/json')).toEqual({
      ok: false,
      error: 'Payload is not valid UTF-8 (content type "application/json")',
    });
    expect(decodePayload(invalid, 'text/plain').ok).toBe(false);
  });

  it('skips a byte order mark, reads a view into a larger buffer, and rejects a lone surrogate encoded as UTF-8', () => {
    expect(decodePayload(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"a":1}')]), 'application/json')).toEqual({ ok: true, value: { a: 1 } });
    const backing = utf8('xx{"b":2}yy');
    expect(decodePayload(backing.subarray(2, 9), 'application/json')).toEqual({ ok: true, value: { b: 2 } });
    expect(decodePayload(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), 'application/json').ok).toBe(false);
  });

  it('writes bytes that are a plain Uint8Array of exactly the encoded length', () => {
    const bytes = encodePayload({ a: 'é' }, 'application/json');
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes).toEqual(utf8('{"a":"é"}'));
  });

  it('decodes text as a string', () => {
    expect(decodePayload(utf8('héllo 🚀'), 'text/plain; charset=utf-8')).toEqual({ ok: true, value: 'héllo 🚀' });
  });

  it('returns binary bytes unchanged', () => {
    const bytes = new Uint8Array([0xff, 0x00]);
    const result = decodePayload(bytes, 'application/vnd.apache.avro');
    expect(result).toEqual({ ok: true, value: bytes });
    expect(result.ok && result.value).toBe(bytes);
  });
});

describe('copyBytes', () => {
  it('gives independent plain copies, of any size, across slab boundaries', () => {
    const sizes = [0, 1, 7, 8, 9, 183, 4096, 4097, 9000, ...Array.from({ length: 200 }, (_, index) => (index * 37) % 300)];
    const sources = sizes.map((size, index) => Uint8Array.from({ length: size }, (_, at) => (at * 31 + index) & 0xff));
    const copies = sources.map((source) => copyBytes(source));
    for (const [index, copy] of copies.entries()) {
      const source = sources[index]!;
      expect(Object.getPrototypeOf(copy)).toBe(Uint8Array.prototype);
      expect(copy.byteLength).toBe(source.byteLength);
      expect([...copy]).toEqual([...source]);
      source.fill(0xee);
      copy.fill(index & 0xff);
    }
    // Filling one copy changed no other: the copies do not overlap.
    for (const [index, copy] of copies.entries()) expect(copy.every((byte) => byte === (index & 0xff))).toBe(true);
  });

  it('copies a view into a larger buffer, not the buffer around it', () => {
    const around = Uint8Array.from({ length: 64 }, (_, at) => at);
    const copy = copyBytes(around.subarray(10, 20));
    expect([...copy]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });
});
