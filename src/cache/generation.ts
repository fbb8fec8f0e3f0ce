/**
 * The output cache: a whole generation (files, diagnostics, packages) kept under a key made of the
 * document's path, the load options, the generation settings and the versions and code of the
 * tool, together with a hash of every file the load read. A repeated run whose files all hash the
 * same skips the YAML parser, @asyncapi/parser, the templates and prettier: the set of files a load
 * reads follows from their contents, so equal contents mean an equal result.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics.js';
import { readSourceText } from '../load/read-source.js';
import { readDiagnostics, sha256Hex } from './entry.js';
import { CACHE_FORMAT_VERSION } from './load-cache.js';

/** A file the generation was made from, and the sha256 of its text as the load read it. */
export interface CachedInput {
  readonly path: string;
  readonly sha256: string;
}

const ENTRY_KIND = 'generation';

export interface CachedFile {
  readonly path: string;
  readonly contents: string;
}

export interface CachedPackage {
  readonly name: string;
  readonly range: string;
  readonly dev: boolean;
  readonly reason: string;
}

/** Everything `generate` returns apart from its timings, and what it was made from. */
export interface CachedGeneration {
  readonly inputs: ReadonlyArray<CachedInput>;
  readonly ok: boolean;
  readonly files: ReadonlyArray<CachedFile>;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  readonly packages: ReadonlyArray<CachedPackage>;
  readonly sources: ReadonlyArray<string>;
  readonly handlerStubs?: ReadonlyArray<CachedFile>;
}

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
  const payloadText = JSON.stringify({ kind: ENTRY_KIND, key, ...value });
  return JSON.stringify({ format: CACHE_FORMAT_VERSION, sha256: sha256Hex(payloadText), payload: payloadText });
}

/** Undefined for anything but an intact generation entry of this format written under `key`. */
export function parseGeneration(key: string, text: string): CachedGeneration | undefined {
  try {
    const entry: unknown = JSON.parse(text);
    if (!isRecord(entry) || entry['format'] !== CACHE_FORMAT_VERSION) return undefined;
    const payloadText = entry['payload'];
    if (typeof payloadText !== 'string' || entry['sha256'] !== sha256Hex(payloadText)) return undefined;
    const payload: unknown = JSON.parse(payloadText);
    if (!isRecord(payload) || payload['kind'] !== ENTRY_KIND || payload['key'] !== key) return undefined;
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

/** Rebuilt field by field, so nothing but paths and contents comes out of the file. */
function readFiles(value: unknown): CachedFile[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const files: CachedFile[] = [];
  for (const item of value as ReadonlyArray<unknown>) {
    if (!isRecord(item) || typeof item['path'] !== 'string' || typeof item['contents'] !== 'string') return undefined;
    files.push({ path: item['path'], contents: item['contents'] });
  }
  return files;
}

function readInputs(value: unknown): CachedInput[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const inputs: CachedInput[] = [];
  for (const item of value as ReadonlyArray<unknown>) {
    if (!isRecord(item) || typeof item['path'] !== 'string' || typeof item['sha256'] !== 'string') return undefined;
    inputs.push({ path: item['path'], sha256: item['sha256'] });
  }
  return inputs;
}

function readPackages(value: unknown): CachedPackage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const packages: CachedPackage[] = [];
  for (const item of value as ReadonlyArray<unknown>) {
    if (!isRecord(item)) return undefined;
    const { name, range, dev, reason } = item;
    if (typeof name !== 'string' || typeof range !== 'string' || typeof dev !== 'boolean' || typeof reason !== 'string') return undefined;
    packages.push({ name, range, dev, reason });
  }
  return packages;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && (value as ReadonlyArray<unknown>).every((item) => typeof item === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
