/**
 * The file cache on its own: entries round trip, anything but an intact entry is a miss and is
 * deleted, writes are atomic and bounded, and no failure of the folder ever throws.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/cache/entry.js';
import { CACHE_FORMAT_VERSION, createFileCache, defaultCacheDir, type CachedLoad } from '../../src/cache/index.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { at } from '../load/helpers.js';
import { entryFiles, expectSameGraph, tempDir } from './helpers.js';

const KEY = 'a'.repeat(64);
const OTHER_KEY = 'b'.repeat(64);

const DIAGNOSTICS: Diagnostic[] = [
  { severity: 'warning', code: 'asyncapi-id', message: 'no id', location: { file: '/spec/asyncapi.yaml', line: 1, column: 1 }, pointer: '' },
  { severity: 'hint', code: 'x', message: 'm', hint: 'do this' },
];

function sampleLoad(): CachedLoad {
  const schema = { type: 'object', properties: {} as Record<string, unknown> };
  schema.properties['self'] = schema;
  return { diagnostics: DIAGNOSTICS, document: { json: { asyncapi: '3.0.0', a: schema, b: schema }, asyncapiVersion: '3.0.0' } };
}

describe('entries', () => {
  it('round trip a document (identity kept) and its diagnostics', async () => {
    const dir = await tempDir('roundtrip');
    const cache = createFileCache(dir);
    const stored = sampleLoad();
    await cache.set(KEY, stored);
    expect(await entryFiles(dir)).toEqual([path.join(dir, `${KEY}.json`)]);
    const read = await cache.get(KEY);
    expect(read?.diagnostics).toEqual(DIAGNOSTICS);
    expect(read?.document?.asyncapiVersion).toBe('3.0.0');
    expectSameGraph(stored.document?.json, read?.document?.json);
    expect(at(read?.document?.json, '/a')).toBe(at(read?.document?.json, '/b/properties/self'));
    expect(await cache.get(OTHER_KEY)).toBeUndefined();
  });

  it('round trip an invalid document: diagnostics only', async () => {
    const cache = createFileCache(await tempDir('invalid'));
    await cache.set(KEY, { diagnostics: DIAGNOSTICS });
    expect(await cache.get(KEY)).toEqual({ diagnostics: DIAGNOSTICS });
  });

  it('are written with no temporary file left and readable by the owner only', async () => {
    const dir = await tempDir('atomic');
    await createFileCache(dir).set(KEY, sampleLoad());
    expect(await readdir(dir)).toEqual([`${KEY}.json`]);
    if (process.platform !== 'win32') expect((await stat(path.join(dir, `${KEY}.json`))).mode & 0o777).toBe(0o600);
  });

  it('are touched when read, so that the least recently used go first', async () => {
    const dir = await tempDir('touch');
    const cache = createFileCache(dir);
    await cache.set(KEY, sampleLoad());
    const file = path.join(dir, `${KEY}.json`);
    await utimes(file, new Date(1000), new Date(1000));
    await cache.get(KEY);
    expect((await stat(file)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a key that is not a sha256 in hex is never used as a file name', async () => {
    const dir = await tempDir('badkey');
    const cache = createFileCache(dir);
    await cache.set('../escape', sampleLoad());
    await cache.set(KEY.toUpperCase(), sampleLoad());
    expect(await readdir(dir)).toEqual([]);
    expect(await cache.get('../escape')).toBeUndefined();
  });

  it('a document the encoding cannot keep is not stored, and set does not throw', async () => {
    const dir = await tempDir('unencodable');
    const cache = createFileCache(dir);
    await cache.set(KEY, { diagnostics: [], document: { json: { f: () => 1 }, asyncapiVersion: '3.0.0' } });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('anything but an intact entry is a miss, and is deleted', () => {
  /** An entry as `serializeEntry` writes it, with its parts replaceable. */
  function entryText(parts: { format?: unknown; payload?: string; sha256?: string }): string {
    const payload = parts.payload ?? JSON.stringify({ key: KEY, diagnostics: DIAGNOSTICS });
    return JSON.stringify({ format: parts.format ?? CACHE_FORMAT_VERSION, sha256: parts.sha256 ?? sha256Hex(payload), payload });
  }

  const corruptions: Array<[string, (intact: string) => string]> = [
    ['truncated', (intact) => intact.slice(0, Math.floor(intact.length / 2))],
    ['a payload that is not JSON under a matching checksum', () => entryText({ payload: '{"key":"' })],
    ['garbage', () => '\u0000\u00ff not json at all'],
    ['empty', () => ''],
    ['a checksum mismatch', (intact) => intact.replace('no id', 'no ID')],
    ['another format version', () => entryText({ format: CACHE_FORMAT_VERSION + 1 })],
    ['valid JSON of the wrong shape', () => JSON.stringify({ hello: 'world' })],
    ['a JSON array', () => '[1,2,3]'],
    ['an intact checksum over a payload of the wrong shape', () => entryText({ payload: JSON.stringify({ key: KEY, diagnostics: 'none' }) })],
    ['a diagnostic of the wrong shape', () => entryText({ payload: JSON.stringify({ key: KEY, diagnostics: [{ severity: 'fatal', code: 'x', message: 'm' }] }) })],
    ['a location of the wrong shape', () => entryText({ payload: JSON.stringify({ key: KEY, diagnostics: [{ ...DIAGNOSTICS[0], location: { file: 1 } }] }) })],
    ['a malformed graph', () => entryText({ payload: JSON.stringify({ key: KEY, diagnostics: [], document: { asyncapiVersion: '3.0.0', graph: { nodes: [{ o: [['a', { r: 7 }]] }] } } }) })],
    ['a graph whose root is an array', () => entryText({ payload: JSON.stringify({ key: KEY, diagnostics: [], document: { asyncapiVersion: '3.0.0', graph: { nodes: [{ a: [] }] } } }) })],
    ['an entry written under another key', () => entryText({ payload: JSON.stringify({ key: OTHER_KEY, diagnostics: DIAGNOSTICS }) })],
  ];

  it.each(corruptions)('%s', async (_what, corrupt) => {
    const dir = await tempDir('corrupt');
    const cache = createFileCache(dir);
    await cache.set(KEY, sampleLoad());
    const file = path.join(dir, `${KEY}.json`);
    await writeFile(file, corrupt(await readFile(file, 'utf8')));
    expect(await cache.get(KEY)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it('the entry in a well-formed file is what is read back (the test entries above are otherwise valid)', async () => {
    const dir = await tempDir('handwritten');
    await writeFile(path.join(dir, `${KEY}.json`), entryText({}));
    expect(await createFileCache(dir).get(KEY)).toEqual({ diagnostics: DIAGNOSTICS });
  });

  it('a folder in place of an entry is a miss', async () => {
    const dir = await tempDir('folder-entry');
    await mkdir(path.join(dir, `${KEY}.json`));
    expect(await createFileCache(dir).get(KEY)).toBeUndefined();
  });
});

describe('the folder', () => {
  it('keeps at most maxEntries entries, dropping the oldest by modification time', async () => {
    const dir = await tempDir('prune');
    const cache = createFileCache(dir, { maxEntries: 3 });
    const keys = ['1', '2', '3', '4'].map((digit) => digit.repeat(64));
    for (const [index, key] of keys.entries()) {
      await cache.set(key, { diagnostics: [] });
      // Explicit times: several writes within one clock tick would otherwise tie.
      await utimes(path.join(dir, `${key}.json`), new Date(1_000_000 + index * 1000), new Date(1_000_000 + index * 1000));
    }
    expect((await readdir(dir)).sort()).toEqual(keys.slice(1).map((key) => `${key}.json`));
    // The entry just written stays even when the others look newer (a clock set back, a copied folder).
    const future = Date.UTC(2100, 0, 1);
    for (const [index, key] of keys.slice(1).entries()) {
      await utimes(path.join(dir, `${key}.json`), new Date(future + index * 1000), new Date(future + index * 1000));
    }
    await cache.set('5'.repeat(64), { diagnostics: [] });
    expect((await readdir(dir)).sort()).toEqual([keys[2], keys[3], '5'.repeat(64)].map((key) => `${key}.json`));
  });

  it('the default bound is 200 entries', async () => {
    const dir = await tempDir('bound');
    const cache = createFileCache(dir);
    for (let index = 0; index < 203; index++) await cache.set(index.toString(16).padStart(64, '0'), { diagnostics: [] });
    expect(await entryFiles(dir)).toHaveLength(200);
  });

  it('removes temporary files abandoned by a writer that died, and only old ones', async () => {
    const dir = await tempDir('abandoned');
    const abandoned = path.join(dir, `${KEY}.json.123.abc.tmp`);
    const inFlight = path.join(dir, `${KEY}.json.456.def.tmp`);
    await writeFile(abandoned, '{');
    await writeFile(inFlight, '{');
    await utimes(abandoned, new Date(0), new Date(0));
    await createFileCache(dir).set(OTHER_KEY, { diagnostics: [] });
    expect((await readdir(dir)).sort()).toEqual([`${KEY}.json.456.def.tmp`, `${OTHER_KEY}.json`]);
  });

  it('is created when missing', async () => {
    const dir = path.join(await tempDir('create'), 'node_modules', '.cache', 'asyncapi-gen');
    const cache = createFileCache(dir);
    expect(await cache.get(KEY)).toBeUndefined();
    await cache.set(KEY, sampleLoad());
    expect(await cache.get(KEY)).toBeDefined();
    if (process.platform !== 'win32') expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('an unusable folder (a file is in the way) is a miss on read and a no-op on write', async () => {
    const parent = await tempDir('unwritable');
    await writeFile(path.join(parent, 'file'), 'x');
    const cache = createFileCache(path.join(parent, 'file', 'cache'));
    await expect(cache.set(KEY, sampleLoad())).resolves.toBeUndefined();
    await expect(cache.get(KEY)).resolves.toBeUndefined();
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('a read-only folder is a no-op on write', async () => {
    const dir = await tempDir('readonly');
    await chmod(dir, 0o500);
    try {
      await expect(createFileCache(dir).set(KEY, sampleLoad())).resolves.toBeUndefined();
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await chmod(dir, 0o700);
    }
  });

  it.skipIf(process.platform === 'win32')('a folder everyone can write to is not trusted: entries planted there are not read', async () => {
    const dir = await tempDir('shared');
    const trusted = createFileCache(dir);
    await trusted.set(KEY, sampleLoad());
    await chmod(dir, 0o777);
    expect(await trusted.get(KEY)).toBeUndefined();
    await trusted.set(OTHER_KEY, sampleLoad());
    expect(await entryFiles(dir)).toEqual([path.join(dir, `${KEY}.json`)]);
  });
});

describe('defaultCacheDir', () => {
  it('is $ASYNCAPI_GEN_CACHE_DIR when set', () => {
    expect(defaultCacheDir('/any/spec.yaml', { ASYNCAPI_GEN_CACHE_DIR: '/var/cache/gen' })).toBe(path.resolve('/var/cache/gen'));
  });

  it('is node_modules/.cache/asyncapi-gen of the nearest folder with a package.json, from the spec upward', async () => {
    const project = await tempDir('project');
    await writeFile(path.join(project, 'package.json'), '{}');
    await mkdir(path.join(project, 'specs', 'nested'), { recursive: true });
    expect(defaultCacheDir(path.join(project, 'specs', 'nested', 'asyncapi.yaml'), {})).toBe(path.join(project, 'node_modules', '.cache', 'asyncapi-gen'));
    await writeFile(path.join(project, 'specs', 'package.json'), '{}');
    expect(defaultCacheDir(path.join(project, 'specs', 'nested', 'asyncapi.yaml'), { ASYNCAPI_GEN_CACHE_DIR: '' })).toBe(
      path.join(project, 'specs', 'node_modules', '.cache', 'asyncapi-gen'),
    );
  });

  it.skipIf(manifestAbove(os.tmpdir()))('is asyncapi-gen-cache in the temp folder when no folder above has a package.json', async () => {
    const lonely = await tempDir('lonely');
    expect(defaultCacheDir(path.join(lonely, 'asyncapi.yaml'), {})).toBe(path.join(os.tmpdir(), 'asyncapi-gen-cache'));
  });
});

function manifestAbove(folder: string): boolean {
  for (let current = path.resolve(folder); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, 'package.json'))) return true;
    if (path.dirname(current) === current) return false;
  }
}
