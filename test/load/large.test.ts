/**
 * Huge inputs must end in a bounded time: a ~20 MB document generated here (never committed),
 * the size limits, and YAML alias bombs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDocument } from '../../src/load/index.js';
import { errorSummaries, errorsOf, fixture } from './helpers.js';

const TWENTY_MB = 20 * 1024 * 1024;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'asyncapi-gen-large-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A 3.0 document with `count` channels, each with a message and a payload schema. */
function manyChannels(count: number): string {
  const parts = ['asyncapi: 3.0.0\ninfo:\n  title: Many channels\n  version: 1.0.0\nchannels:\n'];
  for (let i = 0; i < count; i++) {
    parts.push(
      `  channel${i}:\n    address: things/${i}\n    messages:\n      thing${i}:\n        payload:\n` +
        `          type: object\n          description: Thing number ${i}, with a few words to fill the line\n` +
        `          properties:\n            id:\n              type: string\n            value:\n              type: number\n`,
    );
  }
  return parts.join('');
}

describe('a ~20 MB document', () => {
  it('with hundreds of thousands of lines is refused quickly, before parsing', { timeout: 30_000 }, async () => {
    let count = 1000;
    while (manyChannels(count).length < TWENTY_MB) count *= 2;
    const file = path.join(dir, 'many-lines.yaml');
    await writeFile(file, manyChannels(count));
    const started = Date.now();
    const result = await loadDocument(file);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['document-too-large']);
    expect(result.diagnostics[0]?.location).toEqual({ file, line: 1, column: 1 });
    expect(errorsOf(result.diagnostics)[0]?.hint).toContain('maxLines');
  });

  it('made of one long string loads in bounded time', { timeout: 120_000 }, async () => {
    const file = path.join(dir, 'long-string.yaml');
    const text = 'x'.repeat(TWENTY_MB);
    await writeFile(
      file,
      `asyncapi: 3.0.0\ninfo:\n  title: Long description\n  version: 1.0.0\n  description: "${text}"\nchannels:\n  a:\n    address: a\n`,
    );
    const result = await loadDocument(file);
    expect(errorsOf(result.diagnostics)).toEqual([]);
    const info = result.document?.json['info'];
    expect(typeof info === 'object' && info !== null ? Reflect.get(info, 'description') : undefined).toHaveLength(TWENTY_MB);
  });
});

describe('size limits', () => {
  it('count the lines of every file together', async () => {
    const result = await loadDocument(fixture('load/v2-multi-file/asyncapi.yaml'), { maxLines: 30 });
    expect(errorSummaries(result.diagnostics)).toEqual(['document-too-large@fixtures/load/v2-multi-file/asyncapi.yaml:1:1']);
  });

  it('count commas as lines in minified JSON', async () => {
    const file = path.join(dir, 'minified.json');
    const properties = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, { type: 'string' }]));
    await writeFile(file, JSON.stringify({ asyncapi: '3.0.0', info: { title: 'T', version: '1' }, components: { schemas: { S: { properties } } } }));
    const result = await loadDocument(file, { maxLines: 100 });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['document-too-large']);
  });

  it('refuse a file over the byte limit without reading it', async () => {
    const result = await loadDocument(fixture('load/v3-1/asyncapi.yaml'), { maxFileBytes: 100 });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['document-too-large']);
  });
});

describe('YAML aliases', () => {
  it('that expand exponentially are refused', async () => {
    const started = Date.now();
    const result = await loadDocument(fixture('invalid/billion-laughs.yaml'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['yaml-alias-limit']);
  });

  it('used moderately are fine', { timeout: 60_000 }, async () => {
    const file = path.join(dir, 'aliases.yaml');
    await writeFile(
      file,
      [
        'asyncapi: 3.0.0',
        'info:',
        '  title: Aliases',
        '  version: 1.0.0',
        'channels:',
        '  a:',
        '    address: a',
        '    messages:',
        '      m:',
        '        payload: &point',
        '          type: object',
        '          properties: { x: { type: number }, y: { type: number } }',
        '      n:',
        '        payload: *point',
        '',
      ].join('\n'),
    );
    const result = await loadDocument(file);
    expect(errorsOf(result.diagnostics)).toEqual([]);
  });
});
