/**
 * Validators for the AsyncAPI meta-schemas, compiled when asyncapi-gen is built
 * (`precompile.ts`) instead of by Spectral at the start of every process: compiling the 3.0
 * schema twice (as written and resolved) is about 0.6 s of a cold run; loading the compiled
 * code is about 0.03 s.
 *
 * One is used only for the very schema it was compiled from (same `$id`, same sha256 of its JSON;
 * the rulesets' few schemas without `$id`, such as the latest-version rule's `{ const: ... }`, by
 * their sha256 alone: compiling that one made Spectral set up a whole Ajv instance per document,
 * about 30 ms of a cold run) and under the same versions of spectral-functions, ajv, ajv-formats
 * and ajv-errors; anything else is compiled by Spectral as before. The code runs with Spectral's own `require`, so it uses
 * the same ajv runtime helpers and formats. A test compares the diagnostics with and without.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../paths.js';
import { runCommonJs, type CachedScript } from '../vendor/code-cache.js';
import type { SpectralModules } from '../vendor/parser-modules.js';

export const PRECOMPILED_DIR = path.join(PACKAGE_ROOT, 'dist', 'meta-schemas');
export const PRECOMPILED_INDEX = 'index.json';
export const PRECOMPILED_FORMAT = 3;

export interface PrecompiledEntry {
  readonly id: string;
  readonly dialect: string;
  readonly allErrors: boolean;
  readonly sha256: string;
  /** The schema's own keys, in order, joined by commas: a cheap first test before hashing one without `$id`. */
  readonly keys: string;
  /** CommonJS module (ajv standalone code), relative to the folder. */
  readonly file: string;
}

export interface PrecompiledIndex {
  readonly format: number;
  readonly versions: string;
  readonly entries: ReadonlyArray<PrecompiledEntry>;
}

export function precompiledKey(id: string, dialect: string, allErrors: boolean): string {
  return `${id} ${dialect} ${allErrors ? 'all' : 'first'}`;
}

export function topLevelKeys(schema: object): string {
  return Object.keys(schema).join(',');
}

export function schemaHash(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

let index: ReadonlyMap<string, PrecompiledEntry> | undefined;
/** The key lists of the precompiled schemas without `$id`: other schemas without one are not hashed. */
let anonymousKeys: ReadonlySet<string> = new Set();
let uses = 0;

/** How many validators this process took from the precompiled ones (for tests and diagnosis). */
export function precompiledUses(): number {
  return uses;
}

/**
 * The key of a schema without `$id` (the rulesets' small constant schemas, such as the latest
 * version's `{ const: ... }`): its hash stands for its identity. Only schemas with no `$ref`
 * are precompiled so (a reference would resolve against the document that compiled it).
 */
export function anonymousSchemaId(hash: string): string {
  return `${ANONYMOUS_ID_PREFIX}${hash}`;
}

export function isAnonymousSchemaId(id: string): boolean {
  return id.startsWith(ANONYMOUS_ID_PREFIX);
}

const ANONYMOUS_ID_PREFIX = 'sha256:';

/** The precompiled validator for exactly this schema, or undefined. Never throws. */
export function precompiledValidator(schema: object, dialect: string, allErrors: boolean, spectral: SpectralModules, dir = PRECOMPILED_DIR): unknown {
  try {
    if (index === undefined) {
      index = readIndex(dir, spectral.versions);
      anonymousKeys = new Set([...index.values()].filter((entry) => isAnonymousSchemaId(entry.id)).map((entry) => entry.keys));
    }
    if (index.size === 0) return undefined;
    const declaredId: unknown = Reflect.get(schema, '$id');
    // Document schemas reach here too, once each: most are told apart by their keys, unhashed.
    if (typeof declaredId !== 'string' && !anonymousKeys.has(topLevelKeys(schema))) return undefined;
    const hash = typeof declaredId === 'string' ? undefined : schemaHash(schema);
    const id = typeof declaredId === 'string' ? declaredId : anonymousSchemaId(hash ?? '');
    const entry = index.get(precompiledKey(id, dialect, allErrors));
    if (entry === undefined || (hash ?? schemaHash(schema)) !== entry.sha256) return undefined;
    // Our own build output, run as CommonJS with Spectral's require (its ajv, its ajv-formats),
    // with the code cache the build made for it.
    const file = path.join(dir, entry.file);
    const cacheFile = `${file}.cache`;
    const script = runCommonJs(file, cacheFile, spectral.require);
    const validator: unknown = script.exports;
    if (typeof validator !== 'function') return undefined;
    uses++;
    loadedScripts.set(cacheFile, script);
    return validator;
  } catch {
    return undefined;
  }
}

const loadedScripts = new Map<string, CachedScript>();

/** The code caches of the validators this process loaded, by the file each belongs in (for the build step that writes them). */
export function precompiledCodeCaches(): ReadonlyMap<string, Buffer> {
  return new Map([...loadedScripts].map(([cacheFile, script]) => [cacheFile, script.createCache()]));
}

function readIndex(dir: string, versions: string): ReadonlyMap<string, PrecompiledEntry> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(dir, PRECOMPILED_INDEX), 'utf8'));
    if (!isIndex(parsed) || parsed.format !== PRECOMPILED_FORMAT || parsed.versions !== versions) return new Map();
    return new Map(parsed.entries.map((entry) => [precompiledKey(entry.id, entry.dialect, entry.allErrors), entry]));
  } catch {
    return new Map();
  }
}

function isIndex(value: unknown): value is PrecompiledIndex {
  if (typeof value !== 'object' || value === null) return false;
  const entries: unknown = Reflect.get(value, 'entries');
  return (
    typeof Reflect.get(value, 'format') === 'number' &&
    typeof Reflect.get(value, 'versions') === 'string' &&
    Array.isArray(entries) &&
    (entries as ReadonlyArray<unknown>).every(
      (entry) =>
        typeof entry === 'object' &&
        entry !== null &&
        typeof Reflect.get(entry, 'id') === 'string' &&
        typeof Reflect.get(entry, 'dialect') === 'string' &&
        typeof Reflect.get(entry, 'allErrors') === 'boolean' &&
        typeof Reflect.get(entry, 'sha256') === 'string' &&
        typeof Reflect.get(entry, 'keys') === 'string' &&
        typeof Reflect.get(entry, 'file') === 'string' &&
        /^[\w.-]+$/.test(String(Reflect.get(entry, 'file'))),
    )
  );
}
