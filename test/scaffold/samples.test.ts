/**
 * Sample values for scaffolded tests and reply stubs: every sample given is
 * accepted by the generated validator of its schema; what cannot be derived
 * for sure gives no sample rather than a wrong one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleFor } from '../../src/scaffold/samples.js';
import type { JsonSchema } from '../../src/model/ir.js';
import { compile, loadValidators, type ValidatorModule } from '../schema/helpers.js';

const SCHEMAS: ReadonlyArray<{ readonly name: string; readonly schema: JsonSchema; readonly derivable: boolean }> = [
  { name: 'an object with required fields of each type', schema: { type: 'object', required: ['s', 'n', 'i', 'b', 'a', 'o'], properties: { s: { type: 'string' }, n: { type: 'number' }, i: { type: 'integer' }, b: { type: 'boolean' }, a: { type: 'array', items: { type: 'string' } }, o: { type: 'object' } } }, derivable: true },
  { name: 'minimum with a lower exclusiveMinimum', schema: { type: 'integer', minimum: 10, exclusiveMinimum: 0 }, derivable: true },
  { name: 'maximum with exclusiveMaximum', schema: { type: 'number', maximum: 10, exclusiveMaximum: 0 }, derivable: true },
  { name: 'a negative range', schema: { type: 'integer', minimum: -20, maximum: -10 }, derivable: true },
  { name: 'multipleOf above a minimum', schema: { type: 'integer', minimum: 7, multipleOf: 5 }, derivable: true },
  { name: 'draft 4 exclusive bounds', schema: { type: 'number', minimum: 3, exclusiveMinimum: true }, derivable: true },
  { name: 'allOf bounds intersect', schema: { allOf: [{ type: 'integer', minimum: 5 }, { minimum: 0, maximum: 9 }] }, derivable: true },
  { name: 'allOf of objects', schema: { allOf: [{ type: 'object', required: ['a'], properties: { a: { type: 'string' } } }, { required: ['b'], properties: { b: { type: 'integer', minimum: 3 } } }] }, derivable: true },
  { name: 'anyOf keeps the outer keywords', schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } }, anyOf: [{ required: ['a'], properties: { a: { type: 'boolean' } } }, { required: ['b'] }] }, derivable: true },
  { name: 'formats', schema: { type: 'object', required: ['t', 'e', 'u', 'd'], properties: { t: { type: 'string', format: 'date-time' }, e: { type: 'string', format: 'email' }, u: { type: 'string', format: 'uri' }, d: { type: 'string', format: 'date' } } }, derivable: true },
  { name: 'a short maxLength', schema: { type: 'string', maxLength: 3 }, derivable: true },
  { name: 'a long minLength', schema: { type: 'string', minLength: 12 }, derivable: true },
  { name: 'minItems', schema: { type: 'array', minItems: 2, items: { type: 'integer', minimum: 1 } }, derivable: true },
  { name: 'enum and const', schema: { type: 'object', required: ['e', 'c'], properties: { e: { enum: ['x', 'y'] }, c: { const: 42 } } }, derivable: true },
  { name: 'nullable types', schema: { type: ['null', 'string'] }, derivable: true },
  { name: 'an optional const discriminator', schema: { type: 'object', additionalProperties: false, properties: { event: { type: 'string', const: 'pong' }, reqid: { type: 'integer' } } }, derivable: true },
  { name: 'a pattern', schema: { type: 'string', pattern: '^amq\\.gen-.+$' }, derivable: false },
  { name: 'contains', schema: { type: 'array', contains: { const: 1 } }, derivable: false },
  { name: 'patternProperties', schema: { type: 'object', required: ['x-a'], patternProperties: { '^x-': { type: 'integer' } } }, derivable: false },
  { name: 'oneOf with several branches', schema: { oneOf: [{ type: 'string' }, { type: 'number' }] }, derivable: false },
  { name: 'an impossible range', schema: { type: 'integer', minimum: 5, maximum: 4 }, derivable: false },
  { name: 'conflicting allOf', schema: { allOf: [{ type: 'string' }, { type: 'integer' }] }, derivable: false },
];

let validators: ValidatorModule;

beforeAll(async () => {
  validators = await loadValidators(compile(SCHEMAS.map((entry, index) => ({ schema: entry.schema, name: `Sample${index}` }))));
}, 60_000);

describe('sample values', () => {
  it('carry optional properties whose value the schema fixes, which tell messages on one address apart', () => {
    expect(sampleFor({ type: 'object', properties: { event: { const: 'pong' }, reqid: { type: 'integer' } } })).toEqual({ event: 'pong' });
    expect(sampleFor({ type: 'object', maxProperties: 0, properties: { event: { const: 'pong' } } })).toEqual({});
  });

  SCHEMAS.forEach(({ name, schema, derivable }, index) => {
    it(`${name}: ${derivable ? 'a valid sample' : 'no sample'}`, () => {
      const value = sampleFor(schema);
      if (!derivable) {
        expect(value).toBeUndefined();
        return;
      }
      expect(value).not.toBeUndefined();
      const validate = validators[`validateSample${index}`];
      expect(validate?.(value)).toEqual([]);
    });
  });
});
