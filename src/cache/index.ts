/** The parse cache: lets `loadDocument` skip @asyncapi/parser for a document that has not changed. */
export { decodeGraph, encodeGraph, MalformedGraphError, UnsupportedGraphValueError, type EncodedGraph, type GraphRoot } from './graph.js';
export { loadCacheKey, type LoadCacheKeyInputs } from './key.js';
export { CACHE_FORMAT_VERSION, type CachedDocument, type CachedLoad, type LoadCache } from './load-cache.js';
export { CACHE_DIR_ENV, createFileCache, createMemoryCache, DEFAULT_MAX_ENTRIES, defaultCacheDir, type FileCacheOptions } from './store.js';
export { toolVersion } from './tool-version.js';
