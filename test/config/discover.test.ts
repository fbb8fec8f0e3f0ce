/** Finding the configuration from the working directory upward. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfig, loadConfig } from '../../src/config/index.js';
import { summaries, tempDir, userError, writeTree } from './helpers.js';

const SPEC = JSON.stringify({ spec: 'asyncapi.yaml', output: 'generated' });

describe('findConfig', () => {
  it('finds a config file in a folder above the working directory', async () => {
    const root = await tempDir();
    await writeTree(root, { 'asyncapi-gen.config.json': SPEC });
    await mkdir(path.join(root, 'a', 'b'), { recursive: true });
    expect(await findConfig(path.join(root, 'a', 'b'))).toBe(path.join(root, 'asyncapi-gen.config.json'));
    expect(await findConfig(root)).toBe(path.join(root, 'asyncapi-gen.config.json'));
  });

  it('takes the nearest folder that has one', async () => {
    const root = await tempDir();
    await writeTree(root, { 'asyncapi-gen.config.json': SPEC, 'a/asyncapi-gen.config.yaml': 'spec: x.yaml\noutput: out\n' });
    await mkdir(path.join(root, 'a', 'b'), { recursive: true });
    expect(await findConfig(path.join(root, 'a', 'b'))).toBe(path.join(root, 'a', 'asyncapi-gen.config.yaml'));
  });

  it.each(['asyncapi-gen.config.json', 'asyncapi-gen.config.yaml', 'asyncapi-gen.config.yml', 'asyncapi-gen.config.mjs', 'asyncapi-gen.config.ts'])(
    'recognises %s',
    async (name) => {
      const root = await tempDir();
      await writeTree(root, { [name]: '' });
      expect(await findConfig(root)).toBe(path.join(root, name));
    },
  );

  it('finds the "asyncapi-gen" key of package.json, returning the package.json', async () => {
    const root = await tempDir();
    await writeTree(root, { 'package.json': JSON.stringify({ name: 'x', 'asyncapi-gen': JSON.parse(SPEC) }) });
    await mkdir(path.join(root, 'src'));
    expect(await findConfig(path.join(root, 'src'))).toBe(path.join(root, 'package.json'));
  });

  it('passes over a package.json without the key (and one that only mentions it deeper) and keeps looking upward', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'asyncapi-gen.config.yml': 'spec: x.yaml\noutput: out\n',
      'app/package.json': JSON.stringify({ name: 'asyncapi-gen', bin: { 'asyncapi-gen': 'x.js' } }),
    });
    expect(await findConfig(path.join(root, 'app'))).toBe(path.join(root, 'asyncapi-gen.config.yml'));
  });

  it('does not take a folder named like a config file', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'asyncapi-gen.config.json'));
    await writeTree(root, { 'sub/asyncapi-gen.config.json': SPEC });
    expect(await findConfig(root)).toBeUndefined();
  });

  it('returns undefined when no folder up to the root has one', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'a'));
    expect(await findConfig(path.join(root, 'a'))).toBeUndefined();
  });

  it('refuses a folder with several candidates, naming them all', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'asyncapi-gen.config.json': SPEC,
      'asyncapi-gen.config.ts': 'export default {};\n',
      'package.json': JSON.stringify({ 'asyncapi-gen': JSON.parse(SPEC) }),
    });
    await mkdir(path.join(root, 'a'));
    const error = await userError(findConfig(path.join(root, 'a')));
    expect(summaries(error.diagnostics)).toEqual(['config-several-files@1:1']);
    const [diagnostic] = error.diagnostics;
    for (const name of ['asyncapi-gen.config.json', 'asyncapi-gen.config.ts', 'package.json']) {
      expect(diagnostic?.message).toContain(path.join(root, name));
    }
  });

  it('reports a broken package.json that names the key when it is loaded, at its syntax error', async () => {
    const root = await tempDir();
    await writeTree(root, { 'package.json': '{\n  "asyncapi-gen": { "spec": "a.yaml", }\n}\n' });
    const found = await findConfig(root);
    expect(found).toBe(path.join(root, 'package.json'));
    const error = await userError(loadConfig(found ?? ''));
    expect(summaries(error.diagnostics)).toEqual(['parse-json@2:39']);
  });
});
