/**
 * Runs a CommonJS file through V8 with a code cache: a cache made after the file was loaded and
 * used once holds the compiled code of what ran, so later processes neither parse nor compile it
 * again. A cache V8 does not accept (another Node.js or V8 version, other flags, a changed file)
 * is ignored and the file is compiled as usual; the cache only ever saves time. V8 matches a
 * cache to its source by length alone and does not check its payload, so the cache file starts with
 * the sha256 of the source it was made from and the sha256 of V8's data: it is offered only to that
 * very source, and only whole.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

export interface CachedScript {
  readonly exports: unknown;
  /** The sha256 of the source, hex. */
  readonly sourceDigest: string;
  /** Whether a cache was offered and V8 took it. */
  readonly cacheUsed: boolean;
  /** The cache file's contents as things stand now (call after the code ran, to include what was compiled lazily). */
  createCache(): Buffer;
}

type ModuleRequire = (id: string) => unknown;
type CommonJsWrapper = (exports: unknown, require: ModuleRequire, module: { exports: unknown }, filename: string, dirname: string) => void;

/** Runs `file` as a CommonJS module with `require` (default: one that resolves from the file). */
export function runCommonJs(file: string, cacheFile: string, require: ModuleRequire = createRequire(file)): CachedScript {
  const bytes = readFileSync(file);
  const digest = sha256(bytes);
  // The bundles are ASCII (built so): read as such, which is a copy, where UTF-8 is a decode.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cachedData = cacheFor(digest, readOptional(cacheFile));
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const wrapper = script.runInThisContext() as CommonJsWrapper;
  const module: { exports: unknown } = { exports: {} };
  wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file));
  return {
    exports: module.exports,
    sourceDigest: digest.toString('hex'),
    cacheUsed: cachedData !== undefined && !script.cachedDataRejected,
    createCache: () => {
      const data = script.createCachedData();
      return Buffer.concat([digest, sha256(data), data]);
    },
  };
}

/** The V8 data of a cache file made from the source with this digest, if it is whole; else undefined. */
function cacheFor(sourceDigest: Buffer, cacheFile: Buffer | undefined): Buffer | undefined {
  const header = 2 * sourceDigest.length;
  if (cacheFile === undefined || cacheFile.length <= header) return undefined;
  if (!cacheFile.subarray(0, sourceDigest.length).equals(sourceDigest)) return undefined;
  const data = cacheFile.subarray(header);
  return cacheFile.subarray(sourceDigest.length, header).equals(sha256(data)) ? data : undefined;
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
