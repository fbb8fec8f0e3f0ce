/** Every validation problem, each reported (not only the first) at its own line:column. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { moduleConfig } from '../../src/config/read.js';
import { closest } from '../../src/config/suggest.js';
import { checkConfig } from '../../src/config/validate.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { fixture, summaries, tempDir, userError, writeTree } from './helpers.js';

async function problems(name: string): Promise<ReadonlyArray<Diagnostic>> {
  const error = await userError(loadConfig(fixture('invalid', name)));
  for (const diagnostic of error.diagnostics) {
    expect(diagnostic.severity).toBe('error');
    expect(diagnostic.location?.file).toBe(fixture('invalid', name));
  }
  return error.diagnostics;
}

/** The diagnostics of a configuration given as data, as if exported by a module (no positions). */
function check(value: unknown, file = '/project/asyncapi-gen.config.mjs'): ReadonlyArray<Diagnostic> {
  return checkConfig(moduleConfig(file, value)).diagnostics;
}

describe('validation, located in YAML', () => {
  it('reports every problem of a job list in file order, each at its line:column', async () => {
    const found = await problems('many-problems.yaml');
    expect(summaries(found)).toEqual([
      'config-empty-string@2:10', // $schema: ''
      'config-wrong-type@3:8', // cache: 'yes'
      'config-unknown-key@4:1', // jobz
      'config-empty-string@6:11', // name: '  ' (blank)
      'config-wrong-type@7:11', // spec: 42
      'config-unknown-transport@9:24', // rabbit
      'config-duplicate-item@9:32', // nats again
      'config-wrong-type@9:38', // 7
      'config-bad-validate@10:15', // sometimes
      'config-empty-string@11:16', // templates: ''
      'config-empty-list@13:19', // operations: []
      'config-unknown-key@14:7', // channel
      'config-wrong-type@15:14', // exclude: user/*
      'config-wrong-type@16:22', // allowRemoteRefs: 'no'
      'config-unknown-key@17:5', // ouput
      'config-unknown-key@18:5', // cache inside a job
      'config-missing-key@19:5', // jobs[1] has no output
      'config-wrong-type@20:5', // jobs[2] is a string
      'config-nested-output@22:13', // out/a/inner inside out/a
    ]);
    const byPointer = new Map(found.map((d) => [d.pointer, d]));
    expect(byPointer.get('/jobz')?.hint).toBe("Did you mean 'jobs'?");
    expect(byPointer.get('/jobs/0/ouput')?.hint).toBe("Did you mean 'output'?");
    expect(byPointer.get('/jobs/0/include/channel')?.hint).toBe("Did you mean 'channels'?");
    expect(byPointer.get('/jobs/0/cache')?.hint).toContain('move it to the top level');
    expect(byPointer.get('/jobs/0/spec')?.message).toBe('jobs[0].spec must be a string, found the number 42');
    expect(byPointer.get('/jobs/0/transports/1')?.message).toContain("unknown transport 'rabbit'");
    expect(byPointer.get('/jobs/0/validate')?.message).toContain("found 'sometimes'");
    expect(byPointer.get('/jobs/1')?.message).toBe("jobs[1] has no 'output' (the folder to write the generated code to)");
    expect(byPointer.get('/jobs/3/output')?.message).toBe("jobs[3].output 'out/a/inner' is inside jobs[0].output 'out/a' (line 8)");
  });

  it('refuses job settings at the top level beside jobs, at each of them', async () => {
    expect(summaries(await problems('jobs-and-fields.yaml'))).toEqual(['config-jobs-and-job-fields@1:1', 'config-jobs-and-job-fields@2:1']);
  });

  it('refuses a configuration without any job, and an empty job list', async () => {
    expect(summaries(await problems('no-job.yaml'))).toEqual(['config-no-job@1:1']);
    expect(summaries(await problems('empty-jobs.json'))).toEqual(['config-no-job@1:11']);
  });

  it('reports each missing required key of the single-job form', async () => {
    const found = await problems('missing.yaml');
    expect(summaries(found)).toEqual(['config-missing-key@1:1', 'config-missing-key@1:1']);
    expect(found.map((d) => d.message)).toEqual([
      "the configuration has no 'spec' (the AsyncAPI document to generate from)",
      "the configuration has no 'output' (the folder to write the generated code to)",
    ]);
  });

  it('refuses a configuration that is not a mapping', async () => {
    expect(summaries(await problems('not-an-object.yaml'))).toEqual(['config-wrong-type@1:1']);
  });

  it('refuses duplicate outputs (after normalising the paths), nested outputs and duplicate job names', async () => {
    const found = await problems('outputs.yaml');
    expect(summaries(found)).toEqual(['config-duplicate-output@5:13', 'config-nested-output@9:13', 'config-duplicate-name@13:11']);
    expect(found[0]?.message).toBe("jobs[1].output 'out/a' is the same folder as jobs[0].output (line 3)");
    expect(found[1]?.message).toBe("jobs[3].output 'gen/d' is inside jobs[2].output 'gen' (line 7)");
  });

  it('reports syntax errors and duplicate keys with their positions', async () => {
    expect(summaries(await problems('syntax.json'))).toEqual(['parse-json@4:1']);
    expect(summaries(await problems('syntax.yaml'))).toEqual(['parse-yaml@2:1']);
    expect(summaries(await problems('duplicate-key.yaml'))).toEqual(['duplicate-key@3:1']);
  });
});

describe('validation, located in JSON', () => {
  it('reports every problem of the single-job form at its line:column', async () => {
    const found = await problems('single-job.json');
    expect(summaries(found)).toEqual([
      'config-wrong-type@2:14', // "$schema": 5
      'config-empty-string@4:13', // "output": ""
      'config-wrong-type@5:17', // "transports": "nats"
      'config-wrong-type@6:15', // "validate": true
      'config-empty-string@7:40', // the second pattern
      'config-unknown-key@8:3', // allowRemoteRef
    ]);
    expect(found.at(-1)?.hint).toBe("Did you mean 'allowRemoteRefs'?");
  });
});

describe('validation of a module config', () => {
  it('locates every problem at the start of the file, with a JSON pointer to the value', () => {
    const found = check({ jobs: [{ spec: 'a.yaml', output: 'out', transports: ['nats', 'kafak'] }, { spec: '', output: 'out/x' }] });
    expect(found.map((d) => [d.code, d.location, d.pointer])).toEqual([
      ['config-unknown-transport', { file: '/project/asyncapi-gen.config.mjs', line: 1, column: 1 }, '/jobs/0/transports/1'],
      ['config-empty-string', { file: '/project/asyncapi-gen.config.mjs', line: 1, column: 1 }, '/jobs/1/spec'],
      ['config-nested-output', { file: '/project/asyncapi-gen.config.mjs', line: 1, column: 1 }, '/jobs/1/output'],
    ]);
    expect(found[0]?.hint).toContain("Did you mean 'kafka'?");
    expect(found[2]?.message).toBe("jobs[1].output 'out/x' is inside jobs[0].output 'out'");
  });

  it('treats a setting whose value is undefined as not given', () => {
    expect(check({ spec: 'a.yaml', output: 'out', templates: undefined, jobs: undefined })).toEqual([]);
  });

  it('refuses values JSON cannot hold', () => {
    expect(check({ spec: 'a.yaml', output: () => 'out', cache: null }).map((d) => d.message)).toEqual([
      'cache must be true or false, found null',
      'output must be a string, found a function',
    ]);
  });

  it('refuses a default export that is not an object', async () => {
    const dir = await tempDir();
    await writeTree(dir, { 'asyncapi-gen.config.mjs': "export default ['a.yaml'];\n" });
    const error = await userError(loadConfig(path.join(dir, 'asyncapi-gen.config.mjs')));
    expect(error.diagnostics.map((d) => d.message)).toEqual(['the configuration must be an object (a mapping of settings), found a list']);
  });

  it('compares outputs as resolved paths, wherever they are written', () => {
    const found = check({ jobs: [{ spec: 'a.yaml', output: '/elsewhere/gen' }, { spec: 'b.yaml', output: '../elsewhere/gen/' }] }, '/project/asyncapi-gen.config.mjs');
    expect(found.map((d) => d.code)).toEqual(['config-duplicate-output']);
  });

  it('accepts sibling outputs whose names share a prefix', () => {
    expect(check({ jobs: [{ spec: 'a.yaml', output: 'gen' }, { spec: 'b.yaml', output: 'gen-two' }, { spec: 'c.yaml', output: 'gen2/x' }] })).toEqual([]);
  });

  it('names a job by its output folder unless it has a name', () => {
    const jobs = checkConfig(moduleConfig('/p/asyncapi-gen.config.mjs', { jobs: [{ spec: 'a.yaml', output: 'gen/a' }, { name: 'b', spec: 'b.yaml', output: '/abs/b' }] })).jobs;
    expect(jobs.map((job) => job.name)).toEqual(['gen/a', 'b']);
  });
});

describe('did you mean', () => {
  it.each([
    ['ouput', 'output'],
    ['Spec', 'spec'],
    ['transport', 'transports'],
    ['allowRemoteRef', 'allowRemoteRefs'],
    ['template', 'templates'],
    ['validation', 'validate'],
    ['job', 'jobs'],
  ])('suggests %s -> %s', (typo, meant) => {
    expect(closest(typo, ['$schema', 'jobs', 'cache', 'name', 'spec', 'output', 'transports', 'validate', 'templates', 'include', 'exclude', 'allowRemoteRefs'])).toBe(meant);
  });

  it('suggests nothing for a word that is not near any', () => {
    expect(closest('brokers', ['$schema', 'jobs', 'cache', 'name', 'spec', 'output'])).toBeUndefined();
    expect(closest('x', ['ws', 'nats'])).toBeUndefined();
  });
});
