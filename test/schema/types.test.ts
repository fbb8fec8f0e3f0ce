import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../src/model/ir.js';
import { compileSchemas } from '../../src/schema/index.js';
import { compile, removeDir, typeCheck, writeOutput } from './helpers.js';

/** The declaration generated for a root named `T`. */
function declarationOf(schema: JsonSchema): string {
  return compile([{ schema, name: 'T' }]).typeDeclarations.trim();
}

const typeCases: Array<{ name: string; given: JsonSchema; want: string }> = [
  { name: 'true is unknown', given: true, want: 'export type T = unknown;' },
  { name: 'false is never', given: false, want: 'export type T = never;' },
  { name: 'empty schema is unknown', given: {}, want: 'export type T = unknown;' },
  { name: 'string', given: { type: 'string' }, want: 'export type T = string;' },
  { name: 'format keeps string', given: { type: 'string', format: 'date-time' }, want: 'export type T = string;' },
  { name: 'integer is number', given: { type: 'integer' }, want: 'export type T = number;' },
  { name: 'type array', given: { type: ['string', 'null'] }, want: 'export type T = string | null;' },
  { name: 'nullable', given: { type: 'integer', nullable: true }, want: 'export type T = number | null;' },
  { name: 'x-nullable', given: { type: 'boolean', 'x-nullable': true }, want: 'export type T = boolean | null;' },
  { name: 'enum', given: { enum: ['a', 1, true, null] }, want: "export type T = 'a' | 1 | true | null;" },
  { name: 'enum filtered by type', given: { type: 'string', enum: ['a', 1] }, want: "export type T = 'a';" },
  { name: 'const object', given: { const: { a: [1, 'x'] } }, want: "export type T = { a: [1, 'x'] };" },
  { name: 'const string with quotes', given: { const: "it's" }, want: "export type T = 'it\\'s';" },
  { name: 'array of union', given: { type: 'array', items: { type: ['string', 'number'] } }, want: 'export type T = (string | number)[];' },
  { name: 'array without items', given: { type: 'array' }, want: 'export type T = unknown[];' },
  { name: 'array of negative literal', given: { type: 'array', items: { const: -1 } }, want: 'export type T = (-1)[];' },
  {
    name: 'prefixItems tuple with rest',
    given: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 1, items: { type: 'boolean' } },
    want: 'export type T = [string, number?, ...boolean[]];',
  },
  {
    name: 'closed tuple (2019 array items)',
    given: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], additionalItems: false, minItems: 2 },
    want: 'export type T = [string, number];',
  },
  {
    name: 'open tuple',
    given: { type: 'array', prefixItems: [{ type: ['string', 'null'] }] },
    want: 'export type T = [(string | null)?, ...unknown[]];',
  },
  { name: 'oneOf', given: { oneOf: [{ type: 'string' }, { type: 'number' }] }, want: 'export type T = string | number;' },
  {
    name: 'anyOf with nullable parenthesised in intersection',
    given: { allOf: [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, { not: { const: 1 } }] },
    want: 'export type T = string | number;',
  },
  {
    name: 'union inside intersection',
    given: { type: 'string', anyOf: [{ const: 'a' }, { const: 'b' }] },
    want: "export type T = string & ('a' | 'b');",
  },
  { name: 'object without properties', given: { type: 'object' }, want: 'export interface T {\n  [key: string]: unknown;\n}' },
  {
    name: 'closed empty object',
    given: { type: 'object', additionalProperties: false },
    want: 'export interface T {\n  [key: string]: never;\n}',
  },
  {
    name: 'properties and required',
    given: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } }, required: ['a', 'c'] },
    want: 'export interface T {\n  a: string;\n  b?: number;\n  c: unknown;\n}',
  },
  {
    name: 'object implied by properties',
    given: { properties: { a: { type: 'string' } } },
    want: 'export interface T {\n  a?: string;\n}',
  },
  {
    name: 'additionalProperties schema with other named properties is a sound union',
    given: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'number' } },
    want: 'export interface T {\n  a?: string;\n  [key: string]: number | string;\n}',
  },
  {
    name: 'additionalProperties true',
    given: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true },
    want: 'export interface T {\n  a?: string;\n  [key: string]: unknown;\n}',
  },
  {
    name: 'additionalProperties false',
    given: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
    want: 'export interface T {\n  a?: string;\n}',
  },
  {
    name: 'patternProperties',
    given: { type: 'object', patternProperties: { '^x-': { type: 'string' }, '^n-': { type: 'number' } } },
    want: 'export interface T {\n  [key: string]: string | number;\n}',
  },
  {
    name: 'weird property names',
    given: {
      type: 'object',
      properties: { 'weird key': {}, 'a-b': {}, '123start': {}, constructor: {}, toString: {}, __proto__x: {}, 'it\'s': {} },
    },
    want:
      "export interface T {\n  'weird key'?: unknown;\n  'a-b'?: unknown;\n  '123start'?: unknown;\n  constructor?: unknown;\n"
      + "  toString?: unknown;\n  __proto__x?: unknown;\n  'it\\'s'?: unknown;\n}",
  },
  {
    name: 'optional properties named like Object members allow the inherited member',
    given: { type: 'object', properties: { constructor: { type: 'string' }, toString: { type: 'number' } }, required: ['toString'] },
    want: "export interface T {\n  constructor?: string | Object['constructor'];\n  toString: number;\n}",
  },
  {
    name: 'allOf of plain objects is merged',
    given: {
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { type: 'object', properties: { b: { type: 'number' } } },
      ],
    },
    want: 'export interface T {\n  a: string;\n  b?: number;\n}',
  },
  {
    name: 'allOf with a non-object part is an intersection',
    given: { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', additionalProperties: { type: 'string' } }] },
    want: 'export type T = {\n  a?: string;\n} & {\n  [key: string]: string;\n};',
  },
  {
    name: 'nested object indentation and docs',
    given: {
      type: 'object',
      properties: { inner: { type: 'object', description: 'Inner.', properties: { x: { type: 'string', deprecated: true } } } },
    },
    want: 'export interface T {\n  /**\n   * Inner.\n   */\n  inner?: {\n    /**\n     * @deprecated\n     */\n    x?: string;\n  };\n}',
  },
  {
    name: 'JSDoc: title, description, default, examples',
    given: { type: 'string', title: 'Name', description: 'The name.', default: 'x', examples: ['a', 'b'] },
    want: '/**\n * Name\n * The name.\n * @default "x"\n * @example "a"\n * @example "b"\n */\nexport type T = string;',
  },
  { name: 'readOnly and writeOnly are ignored', given: { type: 'string', readOnly: true, writeOnly: false }, want: 'export type T = string;' },
];

describe('type output', () => {
  it.each(typeCases)('$name', ({ given, want }) => {
    expect(declarationOf(given)).toBe(want);
  });

  it('never emits `any` or parser extension keys', () => {
    const schema = { type: 'object', 'x-parser-schema-id': 'anyThing', properties: { any: { type: 'array' } } };
    const out = compile([{ schema, name: 'T' }]);
    expect(out.typeDeclarations).not.toMatch(/\bany\b(?!\?)/);
    expect(out.typeDeclarations + out.validatorModule).not.toContain('x-parser');
  });

  it('escapes hostile descriptions so they stay inside the comment', () => {
    const out = declarationOf({ type: 'string', description: 'end */ process.exit(7) /* \u2028 `${x}` \\' });
    expect(out).toContain('*\\/ process.exit(7)');
    expect(out.split('\n').filter((line) => line.includes('*/'))).toEqual([' */']);
  });
});

describe('naming', () => {
  it('names a component after its key, once, however many roots and places use it', () => {
    const user = { type: 'object', properties: { name: { type: 'string' } } };
    const envelope = { type: 'object', properties: { a: user, b: { type: 'array', items: user } } };
    const out = compile(
      [
        { schema: user, name: 'UserSignedUpPayload' },
        { schema: envelope, name: 'EnvelopePayload' },
        { schema: user, name: 'OtherPayload' },
      ],
      { user },
    );
    expect(out.roots.map((r) => r.typeName)).toEqual(['User', 'EnvelopePayload', 'User']);
    expect(out.typeDeclarations.match(/export interface User\b/g)).toHaveLength(1);
    expect(out.typeDeclarations).toContain('  a?: User;\n  b?: User[];');
  });

  it('names an anonymous cycle member from its context', () => {
    const node: Record<string, unknown> = { type: 'object', properties: { value: { type: 'number' } } };
    node['properties'] = { ...(node['properties'] as object), children: { type: 'array', items: node } };
    const root = { type: 'object', properties: { tree: node } };
    const out = compile([{ schema: root, name: 'Forest' }]);
    expect(out.typeNames).toEqual(['Forest', 'ForestTree']);
    expect(out.typeDeclarations).toContain('tree?: ForestTree;');
    expect(out.typeDeclarations).toContain('children?: ForestTree[];');
  });

  it('calls claimName in a deterministic order with component origins', () => {
    const calls: Array<[string, string]> = [];
    const pet = { type: 'object' };
    const payload = { type: 'object', properties: { pet, again: pet } };
    const run = (): string =>
      compileSchemas({
        roots: [{ schema: payload, nameHint: 'Payload', origin: '/p' }],
        componentSchemaNames: new Map([[pet, 'pet/type']]),
        claimName: (hint, origin) => {
          calls.push([hint, origin]);
          return hint;
        },
      }).typeDeclarations;
    const first = run();
    expect(calls).toEqual([
      ['Payload', '/p'],
      ['PetType', '/components/schemas/pet~1type'],
    ]);
    expect(run()).toBe(first);
  });
});

// Found by test/property/schema.property.test.ts: in `A & B`, TypeScript contextually types a literal's
// `toString` (or `constructor`, ...) with the intersection of every member's property, and a member that
// does not declare the name contributes `Object`'s own member. Properties of that type which `Function`
// also has (`name`, `length`) then lose their literal types, and the literal is rejected.
describe('Object member names as properties inside intersections', () => {
  const member = { type: 'object', properties: { name: { enum: [1, 2] } }, required: ['name'] };
  const schemas: Record<string, JsonSchema> = {
    Branch: {
      type: 'object',
      properties: { toString: member },
      required: ['toString'],
      oneOf: [{ type: 'object', properties: { kind: { const: 'x' } }, required: ['kind'] }],
    },
    Part: {
      allOf: [
        { type: 'object', properties: { constructor: member }, required: ['constructor'] },
        { type: 'object', properties: { a: { type: 'string' } }, nullable: true },
      ],
    },
    Nested: {
      type: 'object',
      properties: { valueOf: { type: 'object', properties: { length: { const: false } } } },
      anyOf: [{ type: 'object', properties: { kind: { const: 'y' } }, allOf: [{ type: 'object', properties: { b: { type: 'null' } }, additionalProperties: true }] }],
    },
  };

  /** Writes `values` next to the compiled modules and requires the folder to type-check. */
  function expectValuesToTypeCheck(compiled: ReturnType<typeof compile>, values: string): void {
    const dir = writeOutput(compiled, { 'values.ts': `${values}\n` });
    try {
      expect(typeCheck(dir).output).toBe('');
    } finally {
      removeDir(dir);
    }
  }

  it('declares the name in every inline member that lacks it', () => {
    const out = compile(Object.entries(schemas).map(([name, schema]) => ({ schema, name }))).typeDeclarations;
    expect(out).toContain("} & {\n  kind: 'x';\n  toString?: unknown;\n};");
    expect(out).toContain('} & ({\n  a?: string;\n  constructor?: unknown;\n} | null);');
    expect(out).toContain('  b?: null;\n  valueOf?: unknown;\n  [key: string]: unknown;\n}');
  });

  it('accepts object literals of valid values', () => {
    const compiled = compile(Object.entries(schemas).map(([name, schema]) => ({ schema, name })));
    const values = [
      "import type { Branch, Nested, Part } from './types.js';",
      "export const branch: Branch = { toString: { name: 1 }, kind: 'x' };",
      'export const part: Part = { constructor: { name: 2 }, a: "s" };',
      "export const nested: Nested = { valueOf: { length: false }, kind: 'y', b: null };",
    ].join('\n');
    expectValuesToTypeCheck(compiled, values);
  }, 60_000);

  it('accepts them when a member is a named component, which cannot declare the name itself', () => {
    const base = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
    const withBase = {
      allOf: [base, { type: 'object', properties: { toString: { type: 'object', properties: { name: { const: false }, length: { enum: [1, 2] } } } } }],
    };
    const compiled = compile([{ schema: withBase, name: 'WithBase' }], { Base: base });
    expect(compiled.typeDeclarations).toContain('[K in keyof');
    const values = [
      "import type { WithBase } from './types.js';",
      "export const full: WithBase = { id: 'x', toString: { name: false, length: 2 } };",
      "export const bare: WithBase = { id: 'y' };",
      "export const id: string = full.id;",
    ].join('\n');
    expectValuesToTypeCheck(compiled, values);
  }, 60_000);
});
