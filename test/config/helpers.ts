import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { UserError, type Diagnostic } from '../../src/diagnostics.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function fixture(...segments: string[]): string {
  return path.join(REPO, 'fixtures', 'config', ...segments);
}

/** `code@line:col` of each diagnostic, in the order given. */
export function summaries(diagnostics: ReadonlyArray<Diagnostic>): string[] {
  return diagnostics.map((d) => `${d.code}@${d.location === undefined ? '?' : `${d.location.line}:${d.location.column}`}`);
}

/** The UserError `promise` rejects with (fails the test if it resolves or throws something else). */
export async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UserError);
  if (!(error instanceof UserError)) throw new Error('expected a UserError');
  return error;
}

const made: string[] = [];

afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A fresh folder under the system temp folder (outside the repository, so no node_modules above
 * it), removed after the file's tests. Its real path: /tmp may be a symlink.
 */
export async function tempDir(): Promise<string> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'asyncapi-gen-config-')));
  made.push(dir);
  return dir;
}

/** Writes `files` (relative path -> text) under `root`, creating folders. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}
