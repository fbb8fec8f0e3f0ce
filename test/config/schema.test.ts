/**
 * schema/asyncapi-gen.config.schema.json and the hand-written validator must accept and refuse
 * the same configurations. The schema is checked with the small evaluator below, which knows
 * exactly the keywords the schema uses (and fails on any other, so a new keyword needs a thought
 * here); the key and value lists are compared with the validator's directly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { moduleConfig } from '../../src/config/read.js';
import { JOB_KEYS, SELECTION_KEYS, TOP_LEVEL_KEYS, TRANSPORT_NAMES, VALIDATE_MODES } from '../../src/config/types.js';
import { checkConfig } from '../../src/config/validate.js';
import { TRANSPORT_PROTOCOLS } from '../../src/generate/protocols.js';
import { REPO, fixture } from './helpers.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaObject = { readonly [key: string]: Json };

const SCHEMA_FILE = path.join(REPO, 'schema', 'asyncapi-gen.config.schema.json');
const SCHEMA = asObject(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Json);

function asObject(value: Json | undefined): SchemaObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not a schema object: ${JSON.stringify(value)}`);
  return value;
}

function asArray(value: Json | undefined): Json[] {
  if (!Array.isArray(value)) throw new Error(`not an array: ${JSON.stringify(value)}`);
  return value;
}

function resolvePointer(pointer: string): SchemaObject {
  if (!pointer.startsWith('#/')) throw new Error(`only local $refs are supported: ${pointer}`);
  let node: Json = SCHEMA;
  for (const segment of pointer.slice(2).split('/')) {
    node = asObject(node)[segment.replace(/~1/g, '/').replace(/~0/g, '~')] ?? null;
  }
  return asObject(node);
}

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', '$defs', '$comment']);

function typeOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function jsonEqual(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether `value` is valid against `schema`, for the keywords of draft 2020-12 this schema uses. */
function validates(schema: SchemaObject, value: Json): boolean {
  return Object.entries(schema).every(([keyword, argument]) => {
    if (ANNOTATIONS.has(keyword)) return true;
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    switch (keyword) {
      case 'type':
        return typeOf(value) === argument || (argument === 'number' && typeOf(value) === 'integer');
      case 'enum':
        return asArray(argument).some((allowed) => jsonEqual(allowed, value));
      case 'minLength':
        return typeof value !== 'string' || [...value].length >= Number(argument);
      case 'pattern':
        return typeof value !== 'string' || new RegExp(String(argument), 'u').test(value);
      case 'minItems':
        return !Array.isArray(value) || value.length >= Number(argument);
      case 'uniqueItems':
        return argument !== true || !Array.isArray(value) || new Set(value.map((item) => JSON.stringify(item))).size === value.length;
      case 'items':
        return !Array.isArray(value) || value.every((item) => validates(asObject(argument), item));
      case 'properties':
        return !isObject || Object.entries(asObject(argument)).every(([name, sub]) => !(name in value) || validates(asObject(sub), value[name] ?? null));
      case 'additionalProperties':
        if (argument !== false) throw new Error('only additionalProperties: false is supported');
        return !isObject || Object.keys(value).every((name) => name in asObject(schema['properties']));
      case 'required':
        return !isObject || asArray(argument).every((name) => typeof name === 'string' && name in value);
      case '$ref':
        return validates(resolvePointer(String(argument)), value);
      case 'not':
        return !validates(asObject(argument), value);
      case 'anyOf':
        return asArray(argument).some((sub) => validates(asObject(sub), value));
      case 'if':
        return validates(asObject(argument), value)
          ? schema['then'] === undefined || validates(asObject(schema['then']), value)
          : schema['else'] === undefined || validates(asObject(schema['else']), value);
      case 'then':
      case 'else':
        return true; // evaluated with `if`
      default:
        throw new Error(`the schema uses '${keyword}', which this test does not evaluate`);
    }
  });
}

function validatorAccepts(value: Json): boolean {
  return checkConfig(moduleConfig('/project/asyncapi-gen.config.json', value)).diagnostics.length === 0;
}

const JOB = { spec: 'api.yaml', output: 'out' };

/** Configurations with the verdict both must give. */
const CASES: ReadonlyArray<readonly [string, Json, boolean]> = [
  ['the smallest single job', JOB, true],
  ['every setting of a single job', { $schema: 'x.json', cache: false, name: 'n', ...JOB, transports: [...TRANSPORT_NAMES], validate: 'send', templates: 't', include: { operations: ['a*'], channels: ['b?'] }, exclude: { operations: ['c'] }, allowRemoteRefs: true }, true],
  ['a list of jobs', { cache: true, jobs: [JOB, { ...JOB, output: 'other', validate: 'none' }] }, true],
  ['no transports at all', { ...JOB, transports: [] }, true],
  ['memory among the transports', { ...JOB, transports: ['memory', 'nats'] }, true],
  ['memory twice', { ...JOB, transports: ['memory', 'memory'] }, false],
  ['empty include/exclude objects', { ...JOB, include: {}, exclude: {} }, true],
  ['each validate mode', { jobs: VALIDATE_MODES.map((mode, index) => ({ ...JOB, output: `o${index}`, validate: mode })) }, true],
  ['a string', 'api.yaml', false],
  ['a list', [JOB], false],
  ['null', null, false],
  ['an empty object', {}, false],
  ['only cache', { cache: false }, false],
  ['no output', { spec: 'api.yaml' }, false],
  ['no spec', { output: 'out' }, false],
  ['only a job setting', { validate: 'both' }, false],
  ['an unknown top-level key', { ...JOB, outputs: 'x' }, false],
  ['an unknown job key', { jobs: [{ ...JOB, cache: true }] }, false],
  ['an unknown selection key', { ...JOB, include: { messages: ['x'] } }, false],
  ['jobs and spec', { spec: 'api.yaml', jobs: [JOB] }, false],
  ['jobs and a job setting with a default', { allowRemoteRefs: false, jobs: [JOB] }, false],
  ['an empty job list', { jobs: [] }, false],
  ['jobs as an object', { jobs: JOB }, false],
  ['a job that is a string', { jobs: ['api.yaml'] }, false],
  ['a job without output', { jobs: [{ spec: 'api.yaml' }] }, false],
  ['an empty spec', { ...JOB, spec: '' }, false],
  ['a blank output', { ...JOB, output: ' \t' }, false],
  ['an empty name', { ...JOB, name: '' }, false],
  ['an empty templates', { ...JOB, templates: '' }, false],
  ['an empty $schema', { ...JOB, $schema: '' }, false],
  ['a numeric spec', { ...JOB, spec: 1 }, false],
  ['cache as a string', { ...JOB, cache: 'true' }, false],
  ['allowRemoteRefs as a number', { ...JOB, allowRemoteRefs: 1 }, false],
  ['an unknown transport', { ...JOB, transports: ['nats', 'stomp'] }, false],
  ['a transport in capitals', { ...JOB, transports: ['NATS'] }, false],
  ['a transport twice', { ...JOB, transports: ['ws', 'ws'] }, false],
  ['transports as a string', { ...JOB, transports: 'nats' }, false],
  ['a bad validate mode', { ...JOB, validate: 'always' }, false],
  ['validate as a boolean', { ...JOB, validate: true }, false],
  ['include as a list', { ...JOB, include: ['a*'] }, false],
  ['an empty pattern list', { ...JOB, exclude: { channels: [] } }, false],
  ['an empty pattern', { ...JOB, include: { operations: [''] } }, false],
  ['a numeric pattern', { ...JOB, include: { operations: [1] } }, false],
];

/** Problems only the validator can see: they depend on paths resolved against the config's folder. */
const VALIDATOR_ONLY: ReadonlyArray<readonly [string, Json]> = [
  ['two jobs with one output', { jobs: [JOB, { spec: 'b.yaml', output: './out/' }] }],
  ['an output inside another', { jobs: [JOB, { spec: 'b.yaml', output: 'out/inner' }] }],
  ['two jobs with one name', { jobs: [{ ...JOB, name: 'x' }, { spec: 'b.yaml', output: 'b', name: 'x' }] }],
];

describe('the JSON Schema of the configuration', () => {
  it.each(CASES)('agrees with the validator on %s', (_name, config, valid) => {
    expect({ validator: validatorAccepts(config), schema: validates(SCHEMA, config) }).toEqual({ validator: valid, schema: valid });
  });

  it.each(VALIDATOR_ONLY)('leaves to the validator (as its description says): %s', (_name, config) => {
    expect({ validator: validatorAccepts(config), schema: validates(SCHEMA, config) }).toEqual({ validator: false, schema: true });
  });

  it('accepts the valid data fixtures and refuses the invalid ones as the validator does', () => {
    const read = (file: string): Json => parse(readFileSync(file, 'utf8')) as Json;
    const valid = [fixture('json/asyncapi-gen.config.json'), fixture('yaml/asyncapi-gen.config.yaml'), fixture('yml/asyncapi-gen.config.yml')].map(read);
    valid.push(asObject(read(fixture('package-json/package.json')))['asyncapi-gen'] ?? null);
    for (const config of valid) expect([validates(SCHEMA, config), validatorAccepts(config)]).toEqual([true, true]);
    for (const name of ['many-problems.yaml', 'single-job.json', 'jobs-and-fields.yaml', 'no-job.yaml', 'empty-jobs.json', 'missing.yaml', 'not-an-object.yaml']) {
      const config = read(fixture('invalid', name));
      expect([name, validates(SCHEMA, config), validatorAccepts(config)]).toEqual([name, false, false]);
    }
  });

  it('lists the same keys, transports and validate modes as the validator', () => {
    const defs = asObject(SCHEMA['$defs']);
    const job = asObject(defs['job']);
    const jobProperties = asObject(job['properties']);
    expect(Object.keys(asObject(SCHEMA['properties']))).toEqual([...TOP_LEVEL_KEYS]);
    expect(Object.keys(jobProperties)).toEqual([...JOB_KEYS]);
    expect(job['required']).toEqual(['spec', 'output']);
    expect(Object.keys(asObject(asObject(defs['selection'])['properties']))).toEqual([...SELECTION_KEYS]);
    expect(asObject(asObject(jobProperties['transports'])['items'])['enum']).toEqual([...TRANSPORT_NAMES, 'memory']);
    expect(asObject(jobProperties['validate'])['enum']).toEqual([...VALIDATE_MODES]);
    // With `jobs`, every job setting is forbidden at the top level; each top-level job setting is the job's own.
    const forbidden = asArray(asObject(asObject(SCHEMA['then'])['not'])['anyOf']).map((entry) => asArray(asObject(entry)['required']));
    expect(forbidden).toEqual(JOB_KEYS.map((key) => [key]));
    for (const key of JOB_KEYS) expect(asObject(SCHEMA['properties'])[key]).toEqual({ $ref: `#/$defs/job/properties/${key}` });
  });

  it('names the transports the generator writes', () => {
    expect([...TRANSPORT_NAMES].sort()).toEqual(TRANSPORT_PROTOCOLS.map((transport) => transport.name).sort());
  });
});
