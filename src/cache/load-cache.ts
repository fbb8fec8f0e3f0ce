/** What `loadDocument` keeps between runs, and the interface of a place that keeps it. */
import type { Diagnostic } from '../diagnostics.js';
import type { CachedGeneration } from './generation.js';

/**
 * Part of every cache key and of every stored entry: bump it whenever what is stored, or how it
 * is encoded, changes, so entries written by an older build are never read as current.
 */
export const CACHE_FORMAT_VERSION = 1;

export interface CachedDocument {
  /** The resolved document (`LoadedDocument.json`), with shared objects and cycles as loaded. */
  readonly json: Record<string, unknown>;
  readonly asyncapiVersion: string;
}

export interface CachedLoad {
  /** Every diagnostic of the load, as `loadDocument` returned them. */
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  /** Absent when the document was invalid: then only its diagnostics are kept. */
  readonly document?: CachedDocument;
}

/**
 * Where `loadDocument` looks up and keeps the results of earlier loads, by a key that covers every
 * input of the load. Implementations should report a failure to read as a miss; `loadDocument`
 * also treats a throwing `get` as a miss and ignores a throwing `set`.
 */
export interface LoadCache {
  get(key: string): Promise<CachedLoad | undefined>;
  set(key: string, value: CachedLoad): Promise<void>;
  /**
   * Whole generations (see `generation.ts`), kept by `generate` next to the loads. A cache
   * without them still serves loads; the same rules hold (a failure to read is a miss).
   */
  getGeneration?(key: string): Promise<CachedGeneration | undefined>;
  setGeneration?(key: string, value: CachedGeneration): Promise<void>;
}
