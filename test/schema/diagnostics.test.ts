import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../src/model/ir.js';
import { compile, removeDir, typeCheck, writeOutput } from './helpers.js';

function diagnosticsOf(schema: JsonSchema): Array<[string, string, string | undefined]> {
  return compile([{ schema, name: 'T', origin: '/root' }]).diagnostics.map((d) => [d.severity, d.code, d.pointer]);
}

describe('diagnostics', () => {
  it('warns once per unsupported keyword per schema', () => {
    const shared = { type: 'string', unevaluatedItems: false };
    const schema = {
      type: 'object',
      unevaluatedProperties: false,
      $dynamicRef: '#x',
      properties: { a: shared, b: shared, c: { requried: ['typo'] } },
    };
    expect(diagnosticsOf(schema)).toEqual([
      ['warning', 'schema-unsupported-keyword', '/root'],
      ['warning', 'schema-unsupported-keyword', '/root'],
      ['warning', 'schema-unsupported-keyword', '/root/properties/a'],
      ['warning', 'schema-unsupported-keyword', '/root/properties/c'],
    ]);
  });

  it('ignores annotation keywords and extensions silently', () => {
    const schema = {
      type: 'object',
      title: 't', description: 'd', examples: [1], example: 1, default: {}, $id: 'x', $schema: 'y', $comment: 'z',
      readOnly: true, writeOnly: false, deprecated: true, discriminator: 'kind', contentMediaType: 'a/b',
      contentEncoding: 'base64', externalDocs: { url: 'u' }, xml: {}, 'x-parser-schema-id': 'T', 'x-custom': 1,
      $defs: { a: { type: 'string' } }, definitions: {},
    };
    expect(diagnosticsOf(schema)).toEqual([]);
  });

  it('warns about an invalid pattern and skips it; notes patterns that need to drop the u flag', () => {
    expect(diagnosticsOf({ type: 'string', pattern: '([a-z' })).toEqual([['warning', 'schema-invalid-pattern', '/root/pattern']]);
    expect(diagnosticsOf({ patternProperties: { '\\_x': {} } })).toEqual([
      ['info', 'schema-pattern-not-unicode', '/root/patternProperties/\\_x'],
    ]);
  });

  it('notes each unknown format once', () => {
    const schema = { properties: { a: { format: 'color' }, b: { format: 'color' }, c: { format: 'password' } } };
    expect(diagnosticsOf(schema)).toEqual([['info', 'schema-unknown-format', '/root/properties/a']]);
  });

  it('warns about malformed keyword values instead of crashing', () => {
    const schema = { type: 'object', properties: 5, required: 'a', items: 'x', enum: 'x', minLength: -1, type2: 1 };
    const codes = diagnosticsOf(schema).map(([, code, pointer]) => `${code} ${pointer}`);
    expect(codes).toEqual([
      'schema-invalid-keyword /root/properties',
      'schema-invalid-keyword /root/required',
      'schema-invalid-keyword /root/items',
      'schema-invalid-keyword /root/enum',
      'schema-invalid-keyword /root/minLength',
      'schema-unsupported-keyword /root',
    ]);
  });
});

describe('robustness', () => {
  it('generates code that compiles for malformed and odd schemas', () => {
    const odd: JsonSchema[] = [
      { type: 'object', properties: 5, required: 'a', items: 'x', enum: 'x', minLength: -1 },
      { type: 'wat' },
      { type: [] },
      { allOf: [1, { type: 'string' }] },
      { type: 'string', enum: [] },
      { type: 'null', nullable: true },
      { type: 'string', const: 1 },
      { not: true },
      { if: false, then: { type: 'string' } },
      { properties: { a: false }, required: ['a'] },
      { type: 'array', items: false, minItems: 1 },
      { dependentSchemas: { a: false } },
      { contains: false },
      { propertyNames: false },
      { anyOf: [] },
      { oneOf: [true, true] },
      { enum: [{ __proto__: 1 }] },
      JSON.parse('{"const": {"__proto__": {"polluted": true}}}') as JsonSchema,
    ];
    const compiled = compile(odd.map((schema, index) => ({ schema, name: `Odd${index}` })));
    const dir = writeOutput(compiled);
    try {
      expect(typeCheck(dir).output).toBe('');
    } finally {
      removeDir(dir);
    }
  }, 60_000);
});
