/**
 * The output cache of `generate`: a repeated run with the same files, settings and generator is
 * answered whole from the cache, with exactly what a run without a cache gives; any change of a
 * file read, of a setting or of the generator is a miss; custom templates are never cached; broken
 * entries and broken caches never change a result.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createFileCache, createMemoryCache, type LoadCache } from '../../src/cache/index.js';
import { generate, type PipelineOptions, type PipelineResult } from '../../src/generate/pipeline.js';
import { prepareLoad } from '../../src/load/index.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { copyFixture, entryFiles, tempDir } from './helpers.js';

vi.setConfig({ testTimeout: 120_000 });

const generator = vi.hoisted(() => ({ override: undefined as string | undefined }));
vi.mock('../../src/cache/generator-fingerprint.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/cache/generator-fingerprint.js')>();
  return { generatorFingerprint: () => generator.override ?? real.generatorFingerprint() };
});

/** What a run gives, without its timings and cache flags. */
function outcome(result: PipelineResult): unknown {
  const { timings: _timings, cached: _cached, reused: _reused, ...rest } = result;
  return rest;
}

async function lighting(): Promise<{ readonly spec: string; readonly folder: string; readonly cache: LoadCache }> {
  const folder = await copyFixture('v3/lighting');
  return { spec: path.join(folder, 'asyncapi.yaml'), folder, cache: createFileCache(await tempDir('generation-cache')) };
}

describe('a repeated run', () => {
  it('is answered from the output cache with exactly the result of a run without a cache', async () => {
    const { spec, cache } = await lighting();
    const uncached = await generate({ spec });
    const first = await generate({ spec, cache });
    const second = await generate({ spec, cache });
    expect(uncached.ok).toBe(true);
    expect(first.reused).toBe(false);
    expect(second.reused).toBe(true);
    expect(second.cached).toBe(true);
    expect(second.timings.generateMs).toBe(0);
    expect(outcome(first)).toEqual(outcome(uncached));
    expect(outcome(second)).toEqual(outcome(uncached));
    expect(second.sources.length).toBe(3);
  });

  it('keeps handler stubs too', async () => {
    const { spec, cache } = await lighting();
    const options: PipelineOptions = { spec, cache, handlers: { fromOutput: '../handlers', fromHandlers: '../generated' } };
    const first = await generate(options);
    const second = await generate(options);
    expect(second.reused).toBe(true);
    expect(second.handlerStubs?.length).toBeGreaterThan(0);
    expect(outcome(second)).toEqual(outcome(first));
  });

  it('misses after a change to any file the document is made of, and hits again when the change is undone', async () => {
    const { spec, cache, folder } = await lighting();
    await generate({ spec, cache });
    const referenced = path.join(folder, 'schemas', 'measurement.yaml');
    const original = await readFile(referenced, 'utf8');
    await writeFile(referenced, original.replace('minimum: 0', 'minimum: 5'));
    const changed = await generate({ spec, cache });
    expect(changed.reused).toBe(false);
    expect(changed.files.find((file) => file.path === 'validators.ts')?.contents).toContain('must be >= 5');
    expect(outcome(changed)).toEqual(outcome(await generate({ spec })));

    await writeFile(referenced, original);
    const restored = await generate({ spec, cache });
    // The entry now holds the changed document's result: one generation per document and settings.
    expect(restored.reused).toBe(false);
    expect((await generate({ spec, cache })).reused).toBe(true);
  });

  it('misses when a setting differs, and keeps one entry per setting', async () => {
    const { spec, cache } = await lighting();
    const variants: ReadonlyArray<PipelineOptions> = [
      { spec, cache },
      { spec, cache, transports: ['nats'] },
      { spec, cache, validate: 'receive' },
      { spec, cache, include: { operations: ['*Measured*'] } },
      { spec, cache, exclude: { channels: ['notes'] } },
    ];
    const firsts: PipelineResult[] = [];
    for (const options of variants) firsts.push(await generate(options));
    expect(firsts.map((result) => result.reused)).toEqual(variants.map(() => false));
    for (const [index, options] of variants.entries()) {
      const again = await generate(options);
      expect(again.reused, JSON.stringify(Object.keys(options))).toBe(true);
      expect(outcome(again)).toEqual(outcome(firsts[index] as PipelineResult));
    }
  });

  it('misses when the generator changed (its code, templates or runtime)', async () => {
    const { spec, cache } = await lighting();
    await generate({ spec, cache });
    generator.override = 'another build';
    try {
      const other = await generate({ spec, cache });
      expect(other.reused).toBe(false);
      expect(other.cached).toBe(true);
    } finally {
      generator.override = undefined;
    }
  });

  it('is never used with custom templates, whose files the key does not cover', async () => {
    const { spec, cache } = await lighting();
    const templates = await tempDir('templates');
    await cp(TEMPLATES_DIR, templates, { recursive: true });
    const first = await generate({ spec, cache, templatesDir: templates });
    const indexTemplate = path.join(templates, 'index.ts.hbs');
    await writeFile(indexTemplate, `${await readFile(indexTemplate, 'utf8')}\nexport const customised = true;\n`);
    const second = await generate({ spec, cache, templatesDir: templates });
    expect(first.reused).toBe(false);
    expect(second.reused).toBe(false);
    expect(second.files.find((file) => file.path === 'index.ts')?.contents).toContain('customised');
  });

  it('is not answered from a broken, edited or unreadable entry', async () => {
    const { spec } = await lighting();
    const dir = await tempDir('broken');
    const cache = createFileCache(dir);
    const expected = outcome(await generate({ spec }));
    await generate({ spec, cache });
    for (const file of await entryFiles(dir)) {
      const text = await readFile(file, 'utf8');
      // An edited payload no longer matches its hash.
      await writeFile(file, text.replace('export', 'exp0rt'));
    }
    const afterEdit = await generate({ spec, cache });
    expect(afterEdit.reused).toBe(false);
    expect(outcome(afterEdit)).toEqual(expected);
    for (const file of await entryFiles(dir)) await writeFile(file, '{ truncated');
    const afterTruncation = await generate({ spec, cache });
    expect(afterTruncation.reused).toBe(false);
    expect(outcome(afterTruncation)).toEqual(expected);

    const failing: LoadCache = {
      get: () => Promise.reject(new Error('disk gone')),
      set: () => Promise.reject(new Error('disk gone')),
      getGeneration: () => Promise.reject(new Error('disk gone')),
      setGeneration: () => Promise.reject(new Error('disk gone')),
    };
    const withFailingCache = await generate({ spec, cache: failing });
    expect(outcome(withFailingCache)).toEqual(expected);
  });

  it('works from a cache kept in memory, as watch mode and library users may use', async () => {
    const { spec } = await lighting();
    const cache = createMemoryCache();
    await generate({ spec, cache });
    const second = await generate({ spec, cache });
    expect(second.reused).toBe(true);
    expect(outcome(second)).toEqual(outcome(await generate({ spec })));
  });

  it('is not kept, nor the parse, when the parser read files the load did not hash', async () => {
    // The load cannot parse payload.txt (a duplicate key), so it never sees its $ref; the parser
    // follows it and reads nested.json from disk itself. No key covers nested.json.
    const folder = await tempDir('beyond');
    const spec = path.join(folder, 'asyncapi.yaml');
    await writeFile(spec, ['asyncapi: 3.0.0', 'info: { title: t, version: 1.0.0 }', 'channels:', '  ping:', '    address: ping', '    messages:', "      ping: { payload: { $ref: './payload.txt' } }", ''].join('\n'));
    await writeFile(path.join(folder, 'payload.txt'), '{"type": "object", "type": "object", "properties": {"a": {"$ref": "./nested.json"}}}\n');
    await writeFile(path.join(folder, 'nested.json'), '{"type": "string"}\n');
    const prepared = await prepareLoad(spec, {});
    if (prepared.done) throw new Error('the load stopped before the parser');
    expect(prepared.inputs.map((input) => path.basename(input.path))).toEqual(['asyncapi.yaml', 'payload.txt']);
    await prepared.finish();
    expect(prepared.readBeyondInputs()).toBe(true);

    const cache = createFileCache(await tempDir('beyond-cache'));
    await generate({ spec, cache });
    const again = await generate({ spec, cache });
    expect(again.cached).toBe(false);
    expect(again.reused).toBe(false);
  });

  it('does not keep invalid documents as generations (the parse cache keeps their diagnostics)', async () => {
    const { spec, cache } = await lighting();
    await writeFile(spec, (await readFile(spec, 'utf8')).replace('title: Lighting control', 'title: [unclosed'));
    const first = await generate({ spec, cache });
    const second = await generate({ spec, cache });
    expect(first.ok).toBe(false);
    expect(second.reused).toBe(false);
    expect(second.diagnostics).toEqual(first.diagnostics);
  });
});
