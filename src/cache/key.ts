/** The cache key of a load: a hash of everything its result depends on. */
import { createHash } from 'node:crypto';
import { CACHE_FORMAT_VERSION } from './load-cache.js';

export interface LoadCacheKeyInputs {
  /** See `toolVersion()`. */
  readonly toolVersion: string;
  readonly allowRemoteRefs: boolean;
  readonly maxFileBytes: number;
  readonly maxLines: number;
  /** Every file the load read: absolute path and text as read. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly text: string }>;
}

/** A sha256, in hex. */
export function loadCacheKey(inputs: LoadCacheKeyInputs): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      cacheFormat: CACHE_FORMAT_VERSION,
      tool: inputs.toolVersion,
      allowRemoteRefs: inputs.allowRemoteRefs,
      maxFileBytes: inputs.maxFileBytes,
      maxLines: inputs.maxLines,
    }),
  );
  const files = [...inputs.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of files) {
    // Each part is preceded by its length in bytes, so two different file lists never hash the same bytes.
    hash.update(`\n${Buffer.byteLength(file.path)}:${file.path}\n${Buffer.byteLength(file.text)}:`);
    hash.update(file.text);
  }
  return hash.digest('hex');
}
