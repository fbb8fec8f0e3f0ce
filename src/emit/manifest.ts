/**
 * The manifest an output folder holds: which files asyncapi-gen generated
 * there, with the hash of what it wrote. It is what lets a regeneration
 * remove stale files, leave other files alone and notice hand edits.
 */
import { createHash } from 'node:crypto';

export const MANIFEST_FILE = '.asyncapi-gen-manifest.json';
/** Staging area of a write in progress; never part of the output. */
export const TRANSACTION_DIR = '.asyncapi-gen-transaction';
/** Held while a run writes the folder, so that two runs never interleave. */
export const LOCK_FILE = '.asyncapi-gen-lock';

export interface Manifest {
  readonly generator: 'asyncapi-gen';
  readonly version: string;
  /** Relative path (with `/`) -> sha256 of the contents, sorted by path. */
  readonly files: Readonly<Record<string, string>>;
}

export function contentHash(contents: string | Buffer): string {
  return createHash('sha256').update(contents).digest('hex');
}

export function buildManifest(version: string, files: ReadonlyArray<{ readonly path: string; readonly contents: string }>): Manifest {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { generator: 'asyncapi-gen', version, files: Object.fromEntries(sorted.map((file) => [file.path, contentHash(file.contents)])) };
}

/** Deterministic text: no dates, so that an unchanged output gives an unchanged manifest. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export type ManifestRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'valid'; readonly manifest: Manifest }
  | { readonly kind: 'invalid'; readonly reason: string };

const SHA256 = /^[0-9a-f]{64}$/;

export function parseManifest(text: string): ManifestRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `it is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid', reason: 'it is not a JSON object' };
  const record = value as Record<string, unknown>;
  if (record['generator'] !== 'asyncapi-gen') return { kind: 'invalid', reason: `"generator" is not "asyncapi-gen"` };
  if (typeof record['version'] !== 'string') return { kind: 'invalid', reason: '"version" is not a string' };
  const files = record['files'];
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return { kind: 'invalid', reason: '"files" is not an object' };
  const entries = Object.entries(files as Record<string, unknown>);
  for (const [file, hash] of entries) {
    if (typeof hash !== 'string' || !SHA256.test(hash)) return { kind: 'invalid', reason: `the hash of "${file}" is not a sha256` };
    if (!isSafeRelativePath(file)) return { kind: 'invalid', reason: `"${file}" is not a path inside the output folder` };
  }
  return { kind: 'valid', manifest: { generator: 'asyncapi-gen', version: record['version'], files: Object.fromEntries(entries as Array<[string, string]>) } };
}

/** A relative `/`-separated path that stays inside its folder and names none of our own bookkeeping files. */
export function isSafeRelativePath(file: string): boolean {
  if (file === '' || file.startsWith('/') || file.includes('\\') || file.includes('\0') || /^[a-zA-Z]:/.test(file)) return false;
  const segments = file.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return false;
  return segments[0] !== MANIFEST_FILE && segments[0] !== TRANSACTION_DIR && segments[0] !== LOCK_FILE;
}
