/**
 * A `LoadCache` kept as files, one JSON file per key. Nothing here ever fails a run: a file that
 * cannot be read, or is not an intact entry, is a miss (and is deleted); a write that fails is
 * dropped.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEntry, serializeEntry } from './entry.js';
import { parseGeneration, serializeGeneration, type CachedGeneration } from './generation.js';
import type { CachedLoad, LoadCache } from './load-cache.js';

export const CACHE_DIR_ENV = 'ASYNCAPI_GEN_CACHE_DIR';
export const DEFAULT_MAX_ENTRIES = 200;

/** Temporary files left by a writer that died between writing and renaming are removed after this. */
const ABANDONED_TEMP_FILE_MS = 60 * 60 * 1000;

const KEY_PATTERN = /^[0-9a-f]{64}$/;
const ENTRY_FILE_PATTERN = /^[0-9a-f]{64}\.json$/;
const TEMP_FILE_SUFFIX = '.tmp';

export interface FileCacheOptions {
  /** After a write, the oldest entries (by modification time) beyond this many are deleted. */
  readonly maxEntries?: number;
}

/**
 * `$ASYNCAPI_GEN_CACHE_DIR`; else `node_modules/.cache/asyncapi-gen` in the nearest folder, from
 * the spec's folder upward, that has a package.json; else `asyncapi-gen-cache` in the temp folder.
 */
export function defaultCacheDir(specPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnvironment = env[CACHE_DIR_ENV];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return path.resolve(fromEnvironment);
  for (let folder = path.dirname(path.resolve(specPath)); ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json'))) return path.join(folder, 'node_modules', '.cache', 'asyncapi-gen');
    if (path.dirname(folder) === folder) break;
  }
  return path.join(os.tmpdir(), 'asyncapi-gen-cache');
}

export function createFileCache(dir: string, options: FileCacheOptions = {}): LoadCache {
  const cacheDir = path.resolve(dir);
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const entryPath = (key: string): string => path.join(cacheDir, `${key}.json`);

  async function read<T>(key: string, parse: (key: string, text: string) => T | undefined): Promise<T | undefined> {
    if (!KEY_PATTERN.test(key) || !(await isOwnFolder(cacheDir))) return undefined;
    const file = entryPath(key);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    const value = parse(key, text);
    if (value === undefined) {
      await fs.rm(file, { force: true }).catch(ignore);
      return undefined;
    }
    // Touched on use, so that pruning by modification time drops the least recently used.
    const now = new Date();
    await fs.utimes(file, now, now).catch(ignore);
    return value;
  }

  async function write(key: string, serialize: () => string): Promise<void> {
    if (!KEY_PATTERN.test(key)) return;
    let text: string;
    try {
      text = serialize();
    } catch {
      // A document holding a value the encoding cannot keep exactly is simply not cached.
      return;
    }
    try {
      // Only the cache folder itself is private: `node_modules/.cache` is shared with other tools.
      await fs.mkdir(path.dirname(cacheDir), { recursive: true });
      await fs.mkdir(cacheDir, { mode: 0o700 }).catch((error: unknown) => {
        if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      });
      if (!(await isOwnFolder(cacheDir))) return;
    } catch {
      return;
    }
    const file = entryPath(key);
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_FILE_SUFFIX}`;
    try {
      // Written aside and renamed, so a reader sees the old entry, the new one, or none: never half of one.
      await fs.writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
      await fs.rename(temporary, file);
    } catch {
      await fs.rm(temporary, { force: true }).catch(ignore);
      return;
    }
    await prune(cacheDir, maxEntries, `${key}.json`).catch(ignore);
  }

  return {
    get: (key: string): Promise<CachedLoad | undefined> => read(key, parseEntry),
    set: (key: string, value: CachedLoad): Promise<void> => write(key, () => serializeEntry(key, value)),
    getGeneration: (key: string): Promise<CachedGeneration | undefined> => read(key, parseGeneration),
    setGeneration: (key: string, value: CachedGeneration): Promise<void> => write(key, () => serializeGeneration(key, value)),
  };
}

/**
 * Only a folder owned by this user and not writable by everyone is used: the fallback in the temp
 * folder is shared, and entries planted there by someone else would become generated code.
 */
async function isOwnFolder(dir: string): Promise<boolean> {
  try {
    const stats = await fs.stat(dir);
    if (!stats.isDirectory()) return false;
    // Windows has neither user ids nor meaningful mode bits here; its temp folder is per user.
    const ownUserId = process.getuid?.();
    if (ownUserId === undefined) return true;
    return stats.uid === ownUserId && (stats.mode & 0o002) === 0;
  } catch {
    return false;
  }
}

async function prune(dir: string, maxEntries: number, justWritten: string): Promise<void> {
  const names = await fs.readdir(dir);
  const now = Date.now();
  for (const name of names.filter((candidate) => candidate.endsWith(TEMP_FILE_SUFFIX))) {
    const modified = await modifiedAt(path.join(dir, name));
    if (modified !== undefined && now - modified > ABANDONED_TEMP_FILE_MS) await fs.rm(path.join(dir, name), { force: true }).catch(ignore);
  }
  const entryNames = names.filter((name) => ENTRY_FILE_PATTERN.test(name));
  if (entryNames.length <= maxEntries) return;
  const entries: Array<{ readonly name: string; readonly modified: number }> = [];
  for (const name of entryNames) {
    const modified = name === justWritten ? undefined : await modifiedAt(path.join(dir, name));
    if (modified !== undefined) entries.push({ name, modified });
  }
  const oldestFirst = entries.sort((a, b) => a.modified - b.modified);
  for (const entry of oldestFirst.slice(0, entryNames.length - maxEntries)) {
    await fs.rm(path.join(dir, entry.name), { force: true }).catch(ignore);
  }
}

async function modifiedAt(file: string): Promise<number | undefined> {
  return fs.stat(file).then(
    (stats) => stats.mtimeMs,
    () => undefined,
  );
}

function ignore(): void {}

/** A cache for one process: lets a second load of the same files in the same run skip the parser. */
export function createMemoryCache(): LoadCache {
  const entries = new Map<string, CachedLoad>();
  const generations = new Map<string, CachedGeneration>();
  return {
    get: async (key) => entries.get(key),
    set: async (key, value) => {
      entries.set(key, value);
    },
    getGeneration: async (key) => generations.get(key),
    setGeneration: async (key, value) => {
      generations.set(key, value);
    },
  };
}
