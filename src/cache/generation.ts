/**
 * The output cache: a whole generation (files, diagnostics, packages) kept under a key made of the
 * document's path, the load options, the generation settings and the versions and code of the
 * tool, together with a hash of every file the load read. A repeated run whose files all hash the
 * same skips the YAML parser, @asyncapi/parser, the templates and prettier: the set of files a load
 * reads follows from their contents, so equal contents mean an equal result.
 */
import { createHash } from 'node:crypto';
import type { GenerateResult, GeneratedFile } from '../generate/from-document.js';
import type { PackageRequirement } from '../generate/packages.js';
import { readSourceText } from '../load/read-source.js';
import { isRecord, openEntry, readDiagnostics, sealEntry, sha256Hex } from './entry.js';
import { CACHE_FORMAT_VERSION } from './load-cache.js';

/** A file the generation was made from, and the sha256 of its text as the load read it. */
export interface CachedInput {
  readonly path: string;
  readonly sha256: string;
}

const ENTRY_KIND = 'generation';

type CachedFile = GeneratedFile;
type CachedPackage = PackageRequirement;

/** Everything `generate` returns apart from its timings, and what it was made from. */
export type CachedGeneration = GenerateResult & { readonly inputs: ReadonlyArray<CachedInput> };

export interface GenerationCacheKeyInputs {
  /** Absolute path of the document's main file. */
  readonly spec: string;
  /** See `toolVersion()` (the loader and parser packages) and `generatorFingerprint()` (the rest). */
  readonly toolVersion: string;
  readonly generator: string;
  /** The load options and the generation settings, as plain JSON data (no functions). */
  readonly options: unknown;
}

/** A sha256, in hex. */
export function generationCacheKey(inputs: GenerationCacheKeyInputs): string {
  return createHash('sha256').update(JSON.stringify({ cacheFormat: CACHE_FORMAT_VERSION, kind: ENTRY_KIND, ...inputs })).digest('hex');
}

export function hashInput(path: string, text: string): CachedInput {
  return { path, sha256: sha256Hex(text) };
}

/** Whether every input still reads as the same text, by the loader's own reading rules. */
export async function inputsUnchanged(inputs: ReadonlyArray<CachedInput>, maxFileBytes: number): Promise<boolean> {
  if (inputs.length === 0) return false;
  const current = await Promise.all(inputs.map((input) => readSourceText(input.path, maxFileBytes)));
  return current.every((read, index) => read.ok && sha256Hex(read.text) === inputs[index]?.sha256);
}

export function serializeGeneration(key: string, value: CachedGeneration): string {
  return sealEntry({ kind: ENTRY_KIND, key, ...value });
}

/** Undefined for anything but an intact generation entry of this format written under `key`. */
export function parseGeneration(key: string, text: string): CachedGeneration | undefined {
  try {
    const payload = openEntry(key, text);
    if (payload === undefined || payload['kind'] !== ENTRY_KIND) return undefined;
    const { ok, sources } = payload;
    const files = readFiles(payload['files']);
    const diagnostics = readDiagnostics(payload['diagnostics']);
    const packages = readPackages(payload['packages']);
    const inputs = readInputs(payload['inputs']);
    const handlerStubs = payload['handlerStubs'] === undefined ? undefined : readFiles(payload['handlerStubs']);
    if (typeof ok !== 'boolean' || files === undefined || diagnostics === undefined || packages === undefined || inputs === undefined) return undefined;
    if (!isStringArray(sources) || (payload['handlerStubs'] !== undefined && handlerStubs === undefined)) return undefined;
    return { inputs, ok, files, diagnostics, packages, sources, ...(handlerStubs === undefined ? {} : { handlerStubs }) };
  } catch {
    return undefined;
  }
}

/** Rebuilt item by item and field by field, so nothing but the expected fields comes out of the file. */
function readList<T>(value: unknown, readItem: (item: Record<string, unknown>) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: T[] = [];
  for (const item of value as ReadonlyArray<unknown>) {
    const read = isRecord(item) ? readItem(item) : undefined;
    if (read === undefined) return undefined;
    items.push(read);
  }
  return items;
}

function readFiles(value: unknown): CachedFile[] | undefined {
  return readList(value, ({ path, contents }) => (typeof path === 'string' && typeof contents === 'string' ? { path, contents } : undefined));
}

function readInputs(value: unknown): CachedInput[] | undefined {
  return readList(value, ({ path, sha256 }) => (typeof path === 'string' && typeof sha256 === 'string' ? { path, sha256 } : undefined));
}

function readPackages(value: unknown): CachedPackage[] | undefined {
  return readList(value, ({ name, range, dev, reason }) =>
    typeof name === 'string' && typeof range === 'string' && typeof dev === 'boolean' && typeof reason === 'string' ? { name, range, dev, reason } : undefined,
  );
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && (value as ReadonlyArray<unknown>).every((item) => typeof item === 'string');
}

