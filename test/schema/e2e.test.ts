/**
 * End to end: compile a realistic set of schemas, type-check the generated
 * files (with sample values typed by the generated types) under strict flags,
 * then run the generated validators in a separate Node process.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledSchemas } from '../../src/schema/index.js';
import { compile, removeDir, transpile, typeCheck, writeOutput } from './helpers.js';

const HOSTILE = "*/ process.exit(7) /* ' \" ` ${process.exit(8)} \\ \u2028 \u2029 \n end";
const HOSTILE_KEY = "it's a \"key\" with `${process.exit(9)}` and\nnewline */";

function buildSchemas() {
  const address = {
    'x-parser-schema-id': 'Address',
    type: 'object',
    required: ['street'],
    properties: { street: { type: 'string', minLength: 1 }, zip: { type: 'string', pattern: "^[0-9]{5}(?:-[0-9]{4})?$|^'\\\\`$" } },
    additionalProperties: false,
  };
  const user = {
    'x-parser-schema-id': 'User',
    type: 'object',
    title: `User ${HOSTILE}`,
    description: HOSTILE,
    required: ['id', 'email', 'status'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      email: { type: 'string', format: 'email', examples: [HOSTILE] },
      status: { enum: ['active', 'banned', HOSTILE] },
      age: { type: 'integer', minimum: 0, nullable: true, default: 18 },
      address,
      tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      'weird key': { type: 'boolean' },
      'a-b': { type: 'number' },
      '123start': { type: 'string' },
      constructor: { type: 'string' },
      toString: { type: 'number' },
      [HOSTILE_KEY]: { type: 'string', description: HOSTILE },
    },
  };
  const treeNode: Record<string, unknown> = { type: 'object', required: ['value'], properties: { value: { type: 'number' } } };
  (treeNode['properties'] as Record<string, unknown>)['children'] = { type: 'array', items: treeNode };
  const person: Record<string, unknown> = { type: 'object', properties: { name: { type: 'string' } } };
  const company: Record<string, unknown> = { type: 'object', properties: { ceo: person } };
  (person['properties'] as Record<string, unknown>)['employer'] = company;
  // Mutual recursion without components: two anonymous objects pointing at each other.
  const ping: Record<string, unknown> = { type: 'object', properties: { n: { type: 'integer' } } };
  const pong: Record<string, unknown> = { type: 'object', properties: { ping } };
  (ping['properties'] as Record<string, unknown>)['pong'] = pong;
  const rally = { type: 'object', properties: { start: ping } };
  const point = { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }, { type: 'string' }], minItems: 2, items: false };
  const shape = {
    oneOf: [
      { type: 'object', required: ['kind', 'radius'], properties: { kind: { const: 'circle' }, radius: { type: 'number' } } },
      { type: 'object', required: ['kind', 'side'], properties: { kind: { const: 'square' }, side: { type: 'number' } } },
    ],
  };
  const event = {
    allOf: [
      { type: 'object', required: ['at'], properties: { at: { type: 'string', format: 'date-time' } } },
      { type: 'object', properties: { user, shape: { anyOf: [shape, { type: 'null' }] } } },
    ],
  };
  const labels = { type: 'object', patternProperties: { '^x-': { type: 'string' } }, additionalProperties: { type: 'integer' } };
  const components = { Address: address, User: user, TreeNode: treeNode, Person: person, Company: company };
  const roots = [
    { schema: user, name: 'UserSignedUpPayload' },
    { schema: treeNode, name: 'TreePayload' },
    { schema: person, name: 'PersonPayload' },
    { schema: rally, name: 'RallyPayload' },
    { schema: point, name: 'PointPayload' },
    { schema: shape, name: 'ShapePayload' },
    { schema: event, name: 'EventPayload' },
    { schema: labels, name: 'LabelsPayload' },
    { schema: true, name: 'AnythingPayload' },
    { schema: { type: 'object', properties: { [HOSTILE_KEY]: { const: HOSTILE } } }, name: 'HostilePayload' },
  ];
  return { roots, components };
}

const SAMPLES = `import type {
  User, TreeNode, Person, RallyPayload, PointPayload, ShapePayload, EventPayload, LabelsPayload,
  AnythingPayload, HostilePayload, RallyPayloadStart,
} from './types.js';

export const user: User = {
  id: '7d9f4f4e-8a3b-4c47-9d2a-2f0f5d7f0a11',
  email: 'a@example.com',
  status: 'active',
  age: null,
  address: { street: 'Main St', zip: '12345' },
  tags: ['a', 'b'],
  'weird key': true,
  'a-b': 1,
  '123start': 'x',
  constructor: 'c',
  toString: 2,
  ${JSON.stringify(HOSTILE_KEY)}: 'ok',
};
export const minimalUser: User = { id: 'u', email: 'e', status: 'banned' };
export const tree: TreeNode = { value: 1, children: [{ value: 2, children: [] }, { value: 3 }] };
export const person: Person = { name: 'Ada', employer: { ceo: { name: 'Bob', employer: {} } } };
const start: RallyPayloadStart = { n: 1, pong: { ping: { n: 2 } } };
export const rally: RallyPayload = { start };
export const point: PointPayload = [1, 2];
export const point3: PointPayload = [1, 2, 'z'];
export const shape: ShapePayload = { kind: 'circle', radius: 2 };
export const event: EventPayload = { at: '2024-01-01T00:00:00Z', user, shape: null };
export const labels: LabelsPayload = { 'x-a': 'b', count: 3 };
export const anything: AnythingPayload = Symbol('anything');
export const hostile: HostilePayload = { ${JSON.stringify(HOSTILE_KEY)}: ${JSON.stringify(HOSTILE)} };

// The types must be strict, not just permissive:
// @ts-expect-error required property missing
export const noEmail: User = { id: 'x', status: 'active' };
// @ts-expect-error enum value not allowed
export const badStatus: User = { id: 'x', email: 'e', status: 'deleted' };
// @ts-expect-error tuple element of the wrong type
export const badPoint: PointPayload = ['1', 2];
// @ts-expect-error too many tuple elements
export const longPoint: PointPayload = [1, 2, 'z', 4];
// @ts-expect-error discriminated union member mixes shapes
export const badShape: ShapePayload = { kind: 'circle', side: 2 };
// @ts-expect-error additionalProperties false
export const badAddress: User['address'] = { street: 's', country: 'x' };
`;

const RUNNER = `import * as v from './validators.js';
import * as samples from './samples.js';
const results = {
  user: v.validateUser(samples.user),
  tree: v.validateTreeNode(samples.tree),
  person: v.validatePerson(samples.person),
  rally: v.validateRallyPayload(samples.rally),
  point: [v.validatePointPayload(samples.point), v.validatePointPayload(samples.point3)],
  shape: v.validateShapePayload(samples.shape),
  event: v.validateEventPayload(samples.event),
  labels: v.validateLabelsPayload(samples.labels),
  hostile: v.validateHostilePayload(samples.hostile),
  badUser: v.validateUser({ id: 'nope', email: 'nope', status: 'x', age: -1, address: { zip: 'abc', extra: 1 }, tags: ['a', 'a'], constructor: 1 }),
  badTree: v.validateTreeNode({ value: 1, children: [{ value: 'x' }, { children: [{ value: 2, children: [{}] }] }] }),
  badPerson: v.validatePerson({ employer: { ceo: { name: 5 } } }),
  badRally: v.validateRallyPayload({ start: { pong: { ping: { n: 1.5 } } } }),
  badPoint: [v.validatePointPayload([1]), v.validatePointPayload([1, 2, 3]), v.validatePointPayload([1, 2, 'a', 4])],
  badShape: [v.validateShapePayload({ kind: 'circle' }), v.validateShapePayload({ kind: 'square', radius: 1 })],
  badEvent: v.validateEventPayload({ at: 'yesterday', shape: 5 }),
  badLabels: v.validateLabelsPayload({ 'x-a': 1, count: 'many' }),
  badHostile: v.validateHostilePayload({ ${JSON.stringify(HOSTILE_KEY)}: 'other' }),
  guards: [v.isUser(samples.user), v.isUser({}), v.isAnythingPayload(undefined)],
};
process.stdout.write(JSON.stringify(results));
`;

let compiled: CompiledSchemas;
let dir: string;

beforeAll(() => {
  const { roots, components } = buildSchemas();
  compiled = compile(roots, components);
  dir = writeOutput(compiled, { 'samples.ts': SAMPLES });
});

afterAll(() => removeDir(dir));

describe('generated output, end to end', () => {
  it('names types after components and contexts', () => {
    expect(compiled.roots.map((r) => r.typeName)).toEqual([
      'User', 'TreeNode', 'Person', 'RallyPayload', 'PointPayload', 'ShapePayload', 'EventPayload', 'LabelsPayload',
      'AnythingPayload', 'HostilePayload',
    ]);
    expect(compiled.typeNames).toContain('RallyPayloadStart');
    expect(compiled.typeNames).toContain('Company');
    expect(compiled.typeNames.join(' ')).not.toMatch(/Anonymous|_\d/);
  });

  it('type-checks under strict flags, with typed samples', () => {
    const result = typeCheck(dir);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 60_000);

  it('is deterministic', () => {
    const fresh = buildSchemas();
    const again = compile(fresh.roots, fresh.components);
    // Fresh objects, same document: same bytes.
    expect(again.typeDeclarations).toBe(compiled.typeDeclarations);
    expect(again.validatorModule).toBe(compiled.validatorModule);
  });

  it('runs: valid samples pass, invalid values fail with the right paths, hostile strings stay data', () => {
    transpile(dir, ['samples.ts']);
    fs.writeFileSync(path.join(dir, 'run.js'), RUNNER);
    const stdout = execFileSync(process.execPath, [path.join(dir, 'run.js')], { encoding: 'utf8', cwd: dir });
    const results = JSON.parse(stdout) as Record<string, unknown>;
    for (const key of ['user', 'tree', 'person', 'rally', 'shape', 'event', 'labels', 'hostile']) {
      expect({ key, issues: results[key] }).toEqual({ key, issues: [] });
    }
    expect(results['point']).toEqual([[], []]);
    expect(results['guards']).toEqual([true, false, true]);

    const paths = (key: string): string[] => (results[key] as Array<{ path: string; keyword: string }>).map((i) => `${i.path} ${i.keyword}`);
    expect(paths('badUser')).toEqual([
      '/id format',
      '/email format',
      '/status enum',
      '/age minimum',
      '/address required',
      '/address/zip pattern',
      '/address/extra additionalProperties',
      '/tags uniqueItems',
      '/constructor type',
    ]);
    expect(paths('badTree')).toEqual(['/children/0/value type', '/children/1 required', '/children/1/children/0/children/0 required']);
    expect(paths('badPerson')).toEqual(['/employer/ceo/name type']);
    expect(paths('badRally')).toEqual(['/start/pong/ping/n type']);
    expect((results['badPoint'] as unknown[][]).map((issues) => issues.length)).toEqual([1, 1, 1]);
    expect((results['badShape'] as Array<Array<{ keyword: string }>>).map((issues) => issues.map((i) => i.keyword))).toEqual([['oneOf'], ['oneOf']]);
    expect(paths('badEvent')).toEqual(['/at format', '/shape anyOf']);
    expect(paths('badLabels')).toEqual(['/x-a type', '/count type']);
    expect(paths('badHostile')).toEqual([`/${HOSTILE_KEY.replace(/~/g, '~0').replace(/\//g, '~1')} const`]);
  }, 60_000);
});
