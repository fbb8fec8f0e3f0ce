import { beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../src/model/ir.js';
import type { ValidationIssue } from '../../src/runtime/core/validation.js';
import type { CompiledSchemas } from '../../src/schema/index.js';
import { type ValidatorModule, compile, loadValidators, removeDir, typeCheck, writeOutput } from './helpers.js';

interface Case {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly valid: ReadonlyArray<unknown>;
  /** Invalid value, and the `[path, keyword]` of every issue expected, in order. */
  readonly invalid: ReadonlyArray<readonly [unknown, ReadonlyArray<readonly [string, string]>]>;
}

const withProto = (value: Record<string, unknown>, protoValue: unknown): Record<string, unknown> => {
  Object.defineProperty(value, '__proto__', { value: protoValue, enumerable: true, configurable: true, writable: true });
  return value;
};

const cases: Case[] = [
  { name: 'true', schema: true, valid: [1, 'a', null, {}], invalid: [] },
  { name: 'false', schema: false, valid: [], invalid: [[1, [['', 'false']]]] },
  { name: 'string', schema: { type: 'string' }, valid: ['', 'x'], invalid: [[1, [['', 'type']]], [null, [['', 'type']]]] },
  { name: 'number', schema: { type: 'number' }, valid: [1, 1.5, -3], invalid: [['1', [['', 'type']]], [Number.NaN, [['', 'type']]]] },
  { name: 'integer', schema: { type: 'integer' }, valid: [1, 1.0, -7], invalid: [[1.5, [['', 'type']]]] },
  { name: 'type list', schema: { type: ['string', 'null'] }, valid: ['a', null], invalid: [[1, [['', 'type']]]] },
  { name: 'nullable', schema: { type: 'string', nullable: true, minLength: 2 }, valid: ['ab', null], invalid: [['a', [['', 'minLength']]]] },
  { name: 'nullable enum', schema: { type: 'string', nullable: true, enum: ['a'] }, valid: ['a', null], invalid: [['b', [['', 'enum']]]] },
  { name: 'enum', schema: { enum: ['a', 2, null, { x: 1 }] }, valid: ['a', 2, null, { x: 1 }], invalid: [['b', [['', 'enum']]], [{ x: 2 }, [['', 'enum']]]] },
  { name: 'long enum', schema: { enum: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] }, valid: ['h'], invalid: [['z', [['', 'enum']]]] },
  { name: 'const', schema: { const: 'x' }, valid: ['x'], invalid: [['y', [['', 'const']]]] },
  {
    name: 'const deep',
    schema: { const: { a: [1, { b: null }] } },
    valid: [{ a: [1, { b: null }] }],
    invalid: [[{ a: [1, { b: null }], c: 1 }, [['', 'const']]], [{ a: [1] }, [['', 'const']]]],
  },
  {
    name: 'const with an own __proto__ key',
    schema: JSON.parse('{"const": {"__proto__": {"a": 1}}}') as JsonSchema,
    valid: [JSON.parse('{"__proto__": {"a": 1}}')],
    invalid: [[{}, [['', 'const']]], [{ a: 1 }, [['', 'const']]]],
  },
  {
    name: 'string keywords',
    schema: { type: 'string', minLength: 2, maxLength: 3, pattern: '^a' },
    valid: ['ab', 'abc', 'a😀'],
    invalid: [['a', [['', 'minLength']]], ['abcd', [['', 'maxLength']]], ['bb', [['', 'pattern']]], ['a😀😀😀', [['', 'maxLength']]]],
  },
  {
    name: 'number keywords (draft 6)',
    schema: { type: 'number', minimum: 1, exclusiveMaximum: 10, multipleOf: 0.5 },
    valid: [1, 9.5],
    invalid: [[0, [['', 'minimum']]], [10, [['', 'exclusiveMaximum']]], [1.2, [['', 'multipleOf']]]],
  },
  {
    name: 'number keywords (draft 4 booleans)',
    schema: { type: 'number', minimum: 1, exclusiveMinimum: true, maximum: 5, exclusiveMaximum: false },
    valid: [1.1, 5],
    invalid: [[1, [['', 'exclusiveMinimum']]], [5.1, [['', 'maximum']]]],
  },
  { name: 'multipleOf float', schema: { multipleOf: 0.1 }, valid: [0.3, 'not a number'], invalid: [[0.35, [['', 'multipleOf']]]] },
  {
    name: 'formats',
    schema: { type: 'object', properties: { e: { format: 'email' }, d: { type: 'string', format: 'date-time' }, n: { format: 'int32' }, u: { format: 'no-such-format' } } },
    valid: [{ e: 'a@b.co', d: '2024-02-29T10:00:00Z', n: 5, u: '!' }, { e: 5 }],
    invalid: [[{ e: 'nope', d: '2023-02-29T10:00:00Z', n: 2 ** 40 }, [['/e', 'format'], ['/d', 'format'], ['/n', 'format']]]],
  },
  {
    name: 'object',
    schema: {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'integer' }, name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
    },
    valid: [{ id: 1, name: 'x' }, { id: 1, name: 'x', tags: ['a'], extra: true }],
    invalid: [
      [{}, [['', 'required'], ['', 'required']]],
      [{ id: 'a', name: 1, tags: ['a', 2, 'b', 3] }, [['/id', 'type'], ['/name', 'type'], ['/tags/1', 'type'], ['/tags/3', 'type']]],
      [[], [['', 'type']]],
      [null, [['', 'type']]],
    ],
  },
  {
    name: 'inherited keys are not properties',
    schema: { type: 'object', required: ['constructor', 'toString'], properties: { constructor: { type: 'string' } } },
    valid: [{ constructor: 'x', toString: 1 }],
    invalid: [[{}, [['', 'required'], ['', 'required']]], [{ constructor: 1, toString: 1 }, [['/constructor', 'type']]]],
  },
  {
    name: '__proto__ as a property',
    schema: { type: 'object', required: ['__proto__'], properties: withProto({}, { type: 'string' }), additionalProperties: false },
    valid: [JSON.parse('{"__proto__": "x"}')],
    invalid: [[{}, [['', 'required']]], [JSON.parse('{"__proto__": 1}'), [['/__proto__', 'type']]]],
  },
  {
    name: 'weird keys in paths are escaped',
    schema: { type: 'object', properties: { 'a/b': { type: 'string' }, 'm~n': { type: 'string' }, "it's `${x}`": { type: 'string' } } },
    valid: [{ 'a/b': 'x' }],
    invalid: [[{ 'a/b': 1, 'm~n': 1, "it's `${x}`": 1 }, [['/a~1b', 'type'], ['/m~0n', 'type'], ["/it's `${x}`", 'type']]]],
  },
  {
    name: 'additionalProperties false',
    schema: { type: 'object', properties: { a: {} }, additionalProperties: false },
    valid: [{ a: 1 }, {}],
    invalid: [[{ a: 1, b: 2, 'c/d': 3 }, [['/b', 'additionalProperties'], ['/c~1d', 'additionalProperties']]]],
  },
  {
    name: 'additionalProperties schema and patternProperties',
    schema: { type: 'object', properties: { a: {} }, patternProperties: { '^x-': { type: 'string' } }, additionalProperties: { type: 'number' } },
    valid: [{ a: 'any', 'x-y': 's', n: 1 }],
    invalid: [[{ 'x-y': 1, n: 'no' }, [['/x-y', 'type'], ['/n', 'type']]]],
  },
  {
    name: 'propertyNames, min/maxProperties',
    schema: { type: 'object', propertyNames: { pattern: '^[a-z]+$' }, minProperties: 1, maxProperties: 2 },
    valid: [{ a: 1 }, { a: 1, b: 2 }],
    invalid: [[{}, [['', 'minProperties']]], [{ a: 1, b: 2, c: 3 }, [['', 'maxProperties']]], [{ A: 1 }, [['', 'propertyNames']]]],
  },
  {
    name: 'dependentRequired and dependencies',
    schema: { dependentRequired: { a: ['b'] }, dependencies: { c: ['d'], e: { required: ['f'] } } },
    valid: [{}, { a: 1, b: 1 }, { e: 1, f: 1 }],
    invalid: [[{ a: 1, c: 1, e: 1 }, [['', 'dependentRequired'], ['', 'dependentRequired'], ['', 'required']]]],
  },
  {
    name: 'array keywords',
    schema: { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { type: 'number' } },
    valid: [[1], [1, 2, 3]],
    invalid: [[[], [['', 'minItems']]], [[1, 2, 3, 4], [['', 'maxItems']]], [[1, 1], [['', 'uniqueItems']]]],
  },
  {
    name: 'uniqueItems deep',
    schema: { uniqueItems: true },
    valid: [[{ a: 1 }, { a: 2 }], [1, '1']],
    invalid: [[[{ a: 1, b: 2 }, { b: 2, a: 1 }], [['', 'uniqueItems']]]],
  },
  {
    name: 'prefixItems with items false',
    schema: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false },
    valid: [[], ['a'], ['a', 1]],
    invalid: [[['a', 1, 2], [['', 'items']]], [[1, 'a'], [['/0', 'type'], ['/1', 'type']]]],
  },
  {
    name: 'array items with additionalItems schema',
    schema: { items: [{ type: 'string' }], additionalItems: { type: 'boolean' } },
    valid: [['a', true, false]],
    invalid: [[['a', true, 1], [['/2', 'type']]]],
  },
  {
    name: 'contains with min/max',
    schema: { contains: { type: 'string' }, minContains: 1, maxContains: 2 },
    valid: [['a', 1], ['a', 'b']],
    invalid: [[[1, 2], [['', 'contains']]], [['a', 'b', 'c'], [['', 'maxContains']]]],
  },
  {
    name: 'allOf',
    schema: { allOf: [{ type: 'string' }, { minLength: 2 }, { enum: ['ab', 'a', 1] }] },
    valid: ['ab'],
    invalid: [['a', [['', 'minLength']]], [1, [['', 'type']]], ['abc', [['', 'enum']]]],
  },
  {
    name: 'anyOf',
    schema: { anyOf: [{ type: 'string', maxLength: 1 }, { type: 'number' }] },
    valid: ['a', 1],
    invalid: [['ab', [['', 'anyOf']]], [null, [['', 'anyOf']]]],
  },
  {
    name: 'oneOf',
    schema: { oneOf: [{ type: 'integer' }, { type: 'number', minimum: 2 }] },
    valid: [1, 2.5],
    invalid: [[3, [['', 'oneOf']]], [1.5, [['', 'oneOf']]]],
  },
  { name: 'not', schema: { type: 'string', not: { const: 'no' } }, valid: ['yes'], invalid: [['no', [['', 'not']]]] },
  {
    name: 'if/then/else',
    schema: { if: { properties: { kind: { const: 'a' } } }, then: { required: ['a'] }, else: { required: ['b'] } },
    valid: [{ kind: 'a', a: 1 }, { kind: 'x', b: 1 }],
    invalid: [[{ kind: 'a', b: 1 }, [['', 'required']]], [{ kind: 'x', a: 1 }, [['', 'required']]]],
  },
  {
    name: 'nested paths',
    schema: { type: 'object', properties: { list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } },
    valid: [{ list: [{ name: 'a' }] }],
    invalid: [[{ list: [{ name: 'a' }, { name: 1 }] }, [['/list/1/name', 'type']]]],
  },
  {
    name: 'type check hides the keywords of that type',
    schema: { type: 'string', minLength: 3, enum: ['abc'] },
    valid: ['abc'],
    invalid: [[5, [['', 'type']]]],
  },
  {
    name: 'invalid pattern is skipped',
    schema: { type: 'string', pattern: '([a-z' },
    valid: ['anything'],
    invalid: [],
  },
  {
    name: 'unknown keywords are ignored',
    schema: { type: 'string', unevaluatedProperties: false, $comment: 'hi' },
    valid: ['x'],
    invalid: [],
  },
];

let validators: ValidatorModule;
let compiled: CompiledSchemas;

beforeAll(async () => {
  compiled = compile(cases.map((c, index) => ({ schema: c.schema, name: `Case${index}` })));
  validators = await loadValidators(compiled);
});

function run(index: number, value: unknown): { issues: ValidationIssue[]; guard: boolean } {
  const validate = validators[`validateCase${index}`];
  const guard = validators[`isCase${index}`];
  if (validate === undefined || guard === undefined) throw new Error(`no validator for case ${index}`);
  return { issues: validate(value) as ValidationIssue[], guard: guard(value) as boolean };
}

describe('generated validators', () => {
  describe.each(cases.map((c, index) => ({ ...c, index })))('$name', ({ index, valid, invalid }) => {
    it.each(valid.map((value) => ({ value })))('accepts %j', ({ value }) => {
      expect(run(index, value)).toEqual({ issues: [], guard: true });
    });
    if (invalid.length > 0) {
      it.each(invalid.map(([value, want]) => ({ value, want })))('rejects %j', ({ value, want }) => {
        const { issues, guard } = run(index, value);
        expect(guard).toBe(false);
        expect(issues.map((issue) => [issue.path, issue.keyword])).toEqual(want);
        for (const issue of issues) expect(issue.message).toMatch(/^(must|is) /);
      });
    }
  });

  it('reports readable messages', () => {
    const objectCase = cases.findIndex((c) => c.name === 'object');
    expect(run(objectCase, { id: 1 }).issues).toEqual([{ path: '', message: "must have required property 'name'", keyword: 'required' }]);
    const formatCase = cases.findIndex((c) => c.name === 'formats');
    expect(run(formatCase, { e: 'x' }).issues[0]?.message).toBe('must match format "email"');
  });

  it('type-checks under strict flags', () => {
    const dir = writeOutput(compiled);
    try {
      const result = typeCheck(dir);
      expect(result.output).toBe('');
    } finally {
      removeDir(dir);
    }
  }, 60_000);
});
