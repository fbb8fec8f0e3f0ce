/**
 * The whole pipeline, from a document on disk to generated files in memory:
 * load, then everything in `from-document.ts`. Nothing here writes.
 *
 * With a cache, a run whose document, settings and generator are all unchanged is answered from
 * the output cache: no parser, no templates, no prettier. Those modules are imported only when a
 * run needs them, so such a run does not even load them.
 */
import path from 'node:path';
import type { LoadCache } from '../cache/index.js';
import type { PreparedLoad } from '../load/index.js';
import { generationCacheKey, hashInput, inputsUnchanged, type CachedGeneration } from '../cache/generation.js';
import { generatorFingerprint } from '../cache/generator-fingerprint.js';
import { toolVersion } from '../cache/tool-version.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LINES } from '../load/document-size.js';
import type { GenerateOptions, GenerateResult, GenerationSettings } from './from-document.js';

/** A document this large (all its files) gives enough code to format that workers pay off. */
const EARLY_FORMATTING_INPUT_CHARS = 120_000;

export type { GenerateOptions, GenerateResult, GeneratedFile, GenerationSettings, ProgressStage } from './from-document.js';
export { generatorVersion } from '../version.js';

export interface PipelineOptions extends GenerateOptions {
  /**
   * Parse and output cache: an unchanged document (and every file it references) skips
   * @asyncapi/parser; with unchanged settings too (and the built-in templates), the whole
   * generation is reused.
   */
  readonly cache?: LoadCache;
}

export interface PipelineTimings {
  /** Reading, parsing and validating the document (near zero on a cache hit). */
  readonly loadMs: number;
  /** Everything after: model, names, views, templates, prettier. */
  readonly generateMs: number;
}

export interface PipelineResult extends GenerateResult {
  readonly timings: PipelineTimings;
  /** Whether the parse came from the cache; absent without a cache. */
  readonly cached?: boolean;
  /** Whether the whole result came from the output cache (then `cached` is true too); absent without a cache. */
  readonly reused?: boolean;
}

/** Generates the files of an already loaded document; see `from-document.ts`. */
export async function generateFromDocument(...args: Parameters<typeof import('./from-document.js').generateFromDocument>): Promise<GenerateResult> {
  const { generateFromDocument: run } = await import('./from-document.js');
  return run(...args);
}

/** Loads the document and generates its files, in memory. */
export async function generate(options: PipelineOptions): Promise<PipelineResult> {
  const { spec, allowRemoteRefs = false, cache, ...settings } = options;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  settings.onProgress?.('loading');
  const outputKey = cache?.getGeneration === undefined ? undefined : generationKey(spec, allowRemoteRefs, settings);
  if (cache !== undefined && outputKey !== undefined) {
    const hit = await cachedGeneration(cache, outputKey);
    if (hit !== undefined) {
      const { inputs: _inputs, ...result } = hit;
      return { ...result, timings: { loadMs: elapsed(), generateMs: 0 }, cached: true, reused: true };
    }
  }

  // Imported on first use: a run answered from the output cache never needs the YAML parser.
  const { prepareLoad } = await import('../load/index.js');
  const prepared = await prepareLoad(spec, { allowRemoteRefs, ...(cache === undefined ? {} : { cache }) });
  const reused = cache === undefined ? {} : { reused: false };
  if (prepared.done) {
    const { result } = prepared;
    const cached = result.cached === undefined ? {} : { cached: result.cached };
    return { ok: false, files: [], diagnostics: result.diagnostics, packages: [], sources: [], timings: { loadMs: elapsed(), generateMs: 0 }, ...cached, ...reused };
  }
  // With custom templates everything goes to prettier: its workers load and warm up while this
  // thread parses. (The built-in templates' output is nearly all laid out without prettier.)
  const expectsMuchOutput = prepared.inputs.reduce((sum, input) => sum + input.text.length, 0) >= EARLY_FORMATTING_INPUT_CHARS;
  const formatting = expectsMuchOutput && settings.templatesDir !== undefined ? await import('../format/parallel.js') : undefined;
  try {
    formatting?.startFormattingWorkers();
    return await loadAndGenerate(prepared, { cache, outputKey, settings, elapsed, reused });
  } finally {
    await formatting?.stopFormattingWorkers();
  }
}

async function loadAndGenerate(
  prepared: Extract<PreparedLoad, { done: false }>,
  run: { cache: LoadCache | undefined; outputKey: string | undefined; settings: GenerationSettings; elapsed: () => number; reused: { reused?: boolean } },
): Promise<PipelineResult> {
  const { cache, outputKey, settings, elapsed, reused } = run;
  const loaded = await prepared.finish();
  const loadMs = elapsed();
  const cached = loaded.cached === undefined ? {} : { cached: loaded.cached };
  if (loaded.document === undefined) {
    return { ok: false, files: [], diagnostics: loaded.diagnostics, packages: [], sources: [], timings: { loadMs, generateMs: 0 }, ...cached, ...reused };
  }
  const generated = await generateFromDocument(loaded.document, settings);
  const result: GenerateResult = { ...generated, diagnostics: [...loaded.diagnostics, ...generated.diagnostics] };
  // No load key: the document fetched remote refs, whose contents no hash covers; likewise files
  // the parser read itself, beyond those the load read and hashed.
  if (cache !== undefined && outputKey !== undefined && prepared.cacheKey !== undefined && !prepared.readBeyondInputs()) {
    await storeGeneration(cache, outputKey, result, prepared.inputs.map((input) => hashInput(input.path, input.text)));
  }
  return { ...result, timings: { loadMs, generateMs: elapsed() - loadMs }, ...cached, ...reused };
}

/**
 * The output cache key, or undefined when the result cannot be keyed: a cache that keeps no
 * generations, or custom templates (their files and helper modules are not part of the key).
 */
function generationKey(spec: string, allowRemoteRefs: boolean, settings: GenerationSettings): string | undefined {
  if (settings.templatesDir !== undefined) return undefined;
  const { onProgress: _progress, templatesDir: _templates, ...data } = settings;
  try {
    return generationCacheKey({
      spec: path.resolve(spec),
      toolVersion: toolVersion(),
      generator: generatorFingerprint(),
      options: { allowRemoteRefs, maxFileBytes: DEFAULT_MAX_FILE_BYTES, maxLines: DEFAULT_MAX_LINES, settings: data },
    });
  } catch {
    // The generator's files could not be read (a rebuild under way), or a setting cannot be serialised: no caching.
    return undefined;
  }
}

/** A hit only when every file it was made from still reads the same; a cache that fails to answer is a miss. */
async function cachedGeneration(cache: LoadCache, key: string): Promise<CachedGeneration | undefined> {
  try {
    const hit = await cache.getGeneration?.(key);
    return hit !== undefined && (await inputsUnchanged(hit.inputs, DEFAULT_MAX_FILE_BYTES)) ? hit : undefined;
  } catch {
    return undefined;
  }
}

async function storeGeneration(cache: LoadCache, key: string, result: GenerateResult, inputs: CachedGeneration['inputs']): Promise<void> {
  const value: CachedGeneration = { ...result, inputs };
  try {
    await cache.setGeneration?.(key, value);
  } catch {
    // Not stored: the next run generates again.
  }
}
