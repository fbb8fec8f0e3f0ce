/**
 * The whole pipeline, from a document on disk to generated files in memory:
 * load, then everything in `from-document.ts`. Nothing here writes.
 */
import type { LoadCache } from '../cache/index.js';
import { loadDocument } from '../load/index.js';
import { generateFromDocument, type GenerateOptions, type GenerateResult } from './from-document.js';

export * from './from-document.js';

export interface PipelineOptions extends GenerateOptions {
  /** Parse cache: an unchanged document (and every file it references) skips @asyncapi/parser. */
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
}

/** Loads the document and generates its files, in memory. */
export async function generate(options: PipelineOptions): Promise<PipelineResult> {
  const { spec, allowRemoteRefs, cache, ...settings } = options;
  const started = performance.now();
  settings.onProgress?.('loading');
  const loaded = await loadDocument(spec, { allowRemoteRefs: allowRemoteRefs ?? false, ...(cache === undefined ? {} : { cache }) });
  const loadMs = Math.round(performance.now() - started);
  const cached = loaded.cached === undefined ? {} : { cached: loaded.cached };
  if (loaded.document === undefined) {
    return { ok: false, files: [], diagnostics: loaded.diagnostics, packages: [], sources: [], timings: { loadMs, generateMs: 0 }, ...cached };
  }
  const result = await generateFromDocument(loaded.document, settings);
  const generateMs = Math.round(performance.now() - started) - loadMs;
  return { ...result, diagnostics: [...loaded.diagnostics, ...result.diagnostics], timings: { loadMs, generateMs }, ...cached };
}
