/**
 * `loadDocument` with a cache: a second load of an unchanged document is a hit that generates the
 * same files; any change of a file read, of the options or of the tool version is a miss; broken
 * entries and broken caches never change a result.
 */
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createFileCache, encodeGraph, type CachedLoad, type LoadCache } from '../../src/cache/index.js';
import { generateFromDocument } from '../../src/generate/pipeline.js';
import { loadDocument, type LoadedDocument, type LoadOptions, type LoadResult } from '../../src/load/index.js';
import { at } from '../load/helpers.js';
import { copyFixture, entryFiles, expectSameGraph, fixture, tempDir } from './helpers.js';

vi.setConfig({ testTimeout: 120_000 });

const version = vi.hoisted(() => ({ override: undefined as string | undefined }));
vi.mock('../../src/cache/tool-version.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/cache/tool-version.js')>();
  return { toolVersion: () => version.override ?? real.toolVersion() };
});

function documentOf(result: LoadResult): LoadedDocument {
  if (result.document === undefined) throw new Error(`no document: ${JSON.stringify(result.diagnostics)}`);
  return result.document;
}

/** The whole resolved document as text, identities included: equal text, equal graphs. */
function graphText(document: LoadedDocument): string {
  return JSON.stringify(encodeGraph(document.json));
}

/** A cache that counts its calls, around a real file cache. */
function countingCache(inner: LoadCache): LoadCache & { gets: number; sets: number } {
  const counted = {
    gets: 0,
    sets: 0,
    async get(key: string): Promise<CachedLoad | undefined> {
      counted.gets++;
      return inner.get(key);
    },
    async set(key: string, value: CachedLoad): Promise<void> {
      counted.sets++;
      return inner.set(key, value);
    },
  };
  return counted;
}

describe('an unchanged document', () => {
  it('is a hit the second time, with the same document, diagnostics and generated files', async () => {
    const folder = await copyFixture('v3/lighting');
    const spec = path.join(folder, 'asyncapi.yaml');
    const cache = createFileCache(await tempDir('lighting-cache'));

    const cold = await loadDocument(spec, { cache });
    const warm = await loadDocument(spec, { cache });
    expect(cold.cached).toBe(false);
    expect(warm.cached).toBe(true);
    const coldDocument = documentOf(cold);
    const warmDocument = documentOf(warm);
    expect(warm.diagnostics).toEqual(cold.diagnostics);
    expect(warmDocument.files).toEqual(coldDocument.files);
    expect(warmDocument.files).toHaveLength(3);
    expect(warmDocument.sourceFile).toBe(coldDocument.sourceFile);
    expect(warmDocument.asyncapiVersion).toBe(coldDocument.asyncapiVersion);
    expectSameGraph(coldDocument.json, warmDocument.json);
    const channel = at(warmDocument.json, '/channels/measured');
    expect(channel).toBeTypeOf('object');
    expect(at(warmDocument.json, '/operations/publishMeasurement/channel')).toBe(channel);
    for (const pointer of ['/channels/measured', '/components/messages', '/info/title']) {
      expect(warmDocument.locate(pointer)).toEqual(coldDocument.locate(pointer));
    }

    const fromCold = await generateFromDocument(coldDocument);
    const fromWarm = await generateFromDocument(warmDocument);
    expect(fromCold.ok).toBe(true);
    expect(fromCold.files.length).toBeGreaterThan(5);
    expect(fromWarm.files).toEqual(fromCold.files);
    expect(fromWarm.diagnostics).toEqual(fromCold.diagnostics);
  });

  it('an invalid document is remembered too: its diagnostics come back without a new validation', async () => {
    const folder = await tempDir('invalid-doc');
    const spec = path.join(folder, 'asyncapi.yaml');
    await writeFile(spec, await readFile(fixture('invalid/schema-invalid.yaml'), 'utf8'));
    const cache = createFileCache(await tempDir('invalid-cache'));
    const cold = await loadDocument(spec, { cache });
    const warm = await loadDocument(spec, { cache });
    expect(cold.document).toBeUndefined();
    expect(cold.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect([cold.cached, warm.cached]).toEqual([false, true]);
    expect(warm.document).toBeUndefined();
    expect(warm.diagnostics).toEqual(cold.diagnostics);
  });

  it('without a cache nothing changes: no `cached` field', async () => {
    const result = await loadDocument(fixture('load/v3-1/asyncapi.yaml'));
    expect(result.cached).toBeUndefined();
    expect(result.document).toBeDefined();
  });
});

describe('a miss', () => {
  it('when any file read changes: the deepest referenced file, a middle one, the main one; and a hit again when it is changed back', async () => {
    const folder = await copyFixture('v3/lighting');
    const spec = path.join(folder, 'asyncapi.yaml');
    const cache = createFileCache(await tempDir('edits-cache'));
    const first = await loadDocument(spec, { cache });
    expect(first.cached).toBe(false);
    const firstText = graphText(documentOf(first));

    const measurement = path.join(folder, 'schemas', 'measurement.yaml');
    const original = await readFile(measurement, 'utf8');
    expect(original).toMatch(/type: object/);
    await writeFile(measurement, original.replace('type: object', 'type: object\ndescription: edited'));
    const edited = await loadDocument(spec, { cache });
    expect(edited.cached).toBe(false);
    expect(graphText(documentOf(edited))).not.toBe(firstText);
    expect(graphText(documentOf(edited))).toContain('edited');

    await writeFile(measurement, original);
    const restored = await loadDocument(spec, { cache });
    expect(restored.cached).toBe(true);
    expect(graphText(documentOf(restored))).toBe(firstText);

    // A comment changes nothing the parser sees, but the key covers exact contents.
    await appendFile(path.join(folder, 'messages.yaml'), '\n# a comment\n');
    expect((await loadDocument(spec, { cache })).cached).toBe(false);
    await appendFile(spec, '\n# a comment\n');
    expect((await loadDocument(spec, { cache })).cached).toBe(false);
    expect((await loadDocument(spec, { cache })).cached).toBe(true);
  });

  it('when a file the document references appears, where it was missing', async () => {
    const folder = await tempDir('appears');
    const spec = path.join(folder, 'asyncapi.yaml');
    await writeFile(
      spec,
      [
        'asyncapi: 3.0.0',
        'info: { title: t, version: 1.0.0 }',
        'channels:',
        '  ping:',
        '    address: ping',
        '    messages:',
        "      ping: { $ref: './messages.yaml#/Ping' }",
        '',
      ].join('\n'),
    );
    const cache = createFileCache(await tempDir('appears-cache'));
    const missing = await loadDocument(spec, { cache });
    expect(missing.document).toBeUndefined();
    expect((await loadDocument(spec, { cache })).cached).toBe(true);
    await writeFile(path.join(folder, 'messages.yaml'), 'Ping:\n  payload: { type: string }\n');
    const present = await loadDocument(spec, { cache });
    expect(present.cached).toBe(false);
    expect(at(documentOf(present).json, '/channels/ping/messages/ping/payload/type')).toBe('string');
  });

  it('when the same files are at another path', async () => {
    const cache = createFileCache(await tempDir('moved-cache'));
    const first = await copyFixture('v3/lighting');
    const second = await copyFixture('v3/lighting');
    expect((await loadDocument(path.join(first, 'asyncapi.yaml'), { cache })).cached).toBe(false);
    const elsewhere = await loadDocument(path.join(second, 'asyncapi.yaml'), { cache });
    expect(elsewhere.cached).toBe(false);
    expect(documentOf(elsewhere).files.every((file) => file.startsWith(second))).toBe(true);
  });

  it('when the tool version or an option that changes the result differs', async () => {
    const folder = await copyFixture('load/v3-multi-file');
    const spec = path.join(folder, 'asyncapi.yaml');
    const cache = createFileCache(await tempDir('options-cache'));
    const load = (options: Omit<LoadOptions, 'cache'> = {}): Promise<LoadResult> => loadDocument(spec, { ...options, cache });
    expect((await load()).cached).toBe(false);
    expect((await load()).cached).toBe(true);
    expect((await load({ allowRemoteRefs: true })).cached).toBe(false);
    expect((await load({ maxLines: 100_000 })).cached).toBe(false);
    expect((await load({ maxFileBytes: 1_000_000 })).cached).toBe(false);
    version.override = 'asyncapi-gen@99.0.0 @asyncapi/parser@9.9.9';
    try {
      expect((await load()).cached).toBe(false);
      expect((await load()).cached).toBe(true);
    } finally {
      version.override = undefined;
    }
    expect((await load()).cached).toBe(true);
    expect((await load({ allowRemoteRefs: true })).cached).toBe(true);
  });
});

describe('remote references', () => {
  it('refused ones are cached (nothing was fetched); fetched ones never are', async () => {
    const folder = await tempDir('remote');
    const spec = path.join(folder, 'asyncapi.yaml');
    await writeFile(
      spec,
      [
        'asyncapi: 3.0.0',
        'info: { title: t, version: 1.0.0 }',
        'channels:',
        '  ping:',
        '    address: ping',
        '    messages:',
        // Port 1 on the loopback: refused at once, whatever the network.
        "      ping: { $ref: 'http://127.0.0.1:1/messages.yaml#/Ping' }",
        '',
      ].join('\n'),
    );
    const refusedCache = countingCache(createFileCache(await tempDir('remote-refused')));
    const refused = await loadDocument(spec, { cache: refusedCache });
    expect(refused.diagnostics.map((d) => d.code)).toContain('remote-ref-refused');
    expect((await loadDocument(spec, { cache: refusedCache })).cached).toBe(true);

    const fetchedCache = countingCache(createFileCache(await tempDir('remote-fetched')));
    const fetched = await loadDocument(spec, { cache: fetchedCache, allowRemoteRefs: true });
    expect(fetched.cached).toBeUndefined();
    expect(fetched.document).toBeUndefined();
    expect([fetchedCache.gets, fetchedCache.sets]).toEqual([0, 0]);
  });
});

describe('broken entries', () => {
  const corruptions: Array<[string, (intact: string) => string]> = [
    ['truncated', (intact) => intact.slice(0, Math.floor(intact.length * 0.7))],
    ['garbage', () => 'garbage\u0000'],
    ['a checksum mismatch', (intact) => intact.replace('"type\\",\\"object', '"type\\",\\"string')],
    ['another format version', (intact) => intact.replace(/^\{"format":\d+/, '{"format":999')],
    ['valid JSON of the wrong shape', () => JSON.stringify({ format: 1, sha256: 'x', payload: { diagnostics: [] } })],
  ];

  it.each(corruptions)('%s: the load is correct and a miss, and the entry is written again', async (_what, corrupt) => {
    const spec = path.join(await copyFixture('v3/lighting'), 'asyncapi.yaml');
    const cacheDir = await tempDir('broken-cache');
    const cache = createFileCache(cacheDir);
    const cold = await loadDocument(spec, { cache });
    const [entry] = await entryFiles(cacheDir);
    if (entry === undefined) throw new Error('no entry written');
    const intact = await readFile(entry, 'utf8');
    const broken = corrupt(intact);
    expect(broken).not.toBe(intact);
    await writeFile(entry, broken);

    const reloaded = await loadDocument(spec, { cache });
    expect(reloaded.cached).toBe(false);
    expect(reloaded.diagnostics).toEqual(cold.diagnostics);
    expect(graphText(documentOf(reloaded))).toBe(graphText(documentOf(cold)));
    expect(await readFile(entry, 'utf8')).toBe(intact);
    expect((await loadDocument(spec, { cache })).cached).toBe(true);
  });
});

describe('a broken cache never fails a load', () => {
  it('an unwritable cache folder: every load is a correct miss', async () => {
    const spec = path.join(await copyFixture('load/v3-multi-file'), 'asyncapi.yaml');
    const parent = await tempDir('unwritable');
    await writeFile(path.join(parent, 'not-a-folder'), 'x');
    const cache = createFileCache(path.join(parent, 'not-a-folder', 'cache'));
    const plain = await loadDocument(spec);
    for (let run = 0; run < 2; run++) {
      const result = await loadDocument(spec, { cache });
      expect(result.cached).toBe(false);
      expect(result.diagnostics).toEqual(plain.diagnostics);
      expect(graphText(documentOf(result))).toBe(graphText(documentOf(plain)));
    }
  });

  it('a cache whose get and set throw', async () => {
    const spec = path.join(await copyFixture('load/v3-multi-file'), 'asyncapi.yaml');
    const throwing: LoadCache = {
      get: () => Promise.reject(new Error('disk on fire')),
      set: () => {
        throw new Error('disk on fire');
      },
    };
    const result = await loadDocument(spec, { cache: throwing });
    expect(result.cached).toBe(false);
    expect(result.document).toBeDefined();
  });

  it('a file saved again while the parser runs: that result is not stored under the old contents', async () => {
    const folder = await copyFixture('v3/lighting');
    const spec = path.join(folder, 'asyncapi.yaml');
    const measurement = path.join(folder, 'schemas', 'measurement.yaml');
    const cacheDir = await tempDir('race-cache');
    const inner = createFileCache(cacheDir);
    let edits = 0;
    // `get` runs after the files are read and before the parser, which reads referenced files again.
    const editingDuringLoad: LoadCache = {
      async get(key) {
        if (edits++ === 0) await appendFile(measurement, '\n# saved again\n');
        return inner.get(key);
      },
      set: (key, value) => inner.set(key, value),
    };
    expect((await loadDocument(spec, { cache: editingDuringLoad })).cached).toBe(false);
    expect(await entryFiles(cacheDir)).toEqual([]);
    expect((await loadDocument(spec, { cache: editingDuringLoad })).cached).toBe(false);
    expect(await entryFiles(cacheDir)).toHaveLength(1);
    expect((await loadDocument(spec, { cache: editingDuringLoad })).cached).toBe(true);
  });
});

describe('the entry on disk', () => {
  it('is removed with the folder without harm', async () => {
    const spec = path.join(await copyFixture('load/v3-multi-file'), 'asyncapi.yaml');
    const cacheDir = await tempDir('removed');
    const cache = createFileCache(cacheDir);
    await loadDocument(spec, { cache });
    await rm(cacheDir, { recursive: true, force: true });
    expect((await loadDocument(spec, { cache })).cached).toBe(false);
    expect((await loadDocument(spec, { cache })).cached).toBe(true);
  });
});
