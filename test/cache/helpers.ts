import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { fixture } from '../load/helpers.js';

export { fixture };

const created: string[] = [];
afterAll(async () => {
  await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh folder under the temp folder, removed after the test file. */
export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `asyncapi-gen-cache-test-${label}-`));
  created.push(dir);
  return dir;
}

/** A copy of a fixture folder that a test may edit. */
export async function copyFixture(folder: string): Promise<string> {
  const dir = await tempDir(path.basename(folder));
  await cp(fixture(folder), dir, { recursive: true });
  return dir;
}

/** The entry files in a cache folder. */
export async function entryFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.json')).map((name) => path.join(dir, name));
}

/**
 * Asserts that `copy` is `original` with every object and array replaced by a new one, one for
 * one: the same keys in the same order, the same primitives, and an object met twice in the
 * original (shared or on a cycle) met as the same object twice in the copy.
 */
export function expectSameGraph(original: unknown, copy: unknown): void {
  const copyOf = new Map<object, object>();
  const originalOf = new Map<object, object>();
  const pending: Array<{ original: unknown; copy: unknown; pointer: string }> = [{ original, copy, pointer: '' }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { pointer } = item;
    if (typeof item.original !== 'object' || item.original === null) {
      expect(Object.is(item.copy, item.original), `${pointer}: ${String(item.copy)} is not ${String(item.original)}`).toBe(true);
      continue;
    }
    const originalObject = item.original;
    if (typeof item.copy !== 'object' || item.copy === null) throw new Error(`${pointer}: expected an object in the copy`);
    const copyObject = item.copy;
    expect(copyObject, `${pointer}: the copy must not reuse the original`).not.toBe(originalObject);
    const known = copyOf.get(originalObject);
    if (known !== undefined) {
      expect(known === copyObject, `${pointer}: a shared object was copied twice`).toBe(true);
      continue;
    }
    expect(originalOf.has(copyObject), `${pointer}: two different objects became one`).toBe(false);
    copyOf.set(originalObject, copyObject);
    originalOf.set(copyObject, originalObject);
    expect(Array.isArray(copyObject), `${pointer}: array-ness`).toBe(Array.isArray(originalObject));
    expect(Object.getPrototypeOf(copyObject), `${pointer}: prototype`).toBe(Object.getPrototypeOf(originalObject));
    expect(Object.keys(copyObject), `${pointer}: keys`).toEqual(Object.keys(originalObject));
    for (const key of Object.keys(originalObject)) {
      pending.push({ original: Reflect.get(originalObject, key), copy: Reflect.get(copyObject, key), pointer: `${pointer}/${key}` });
    }
  }
}

/** How many times an object or array is reached again after the first time (shared places and cycles). */
export function repeatedReferences(value: unknown): number {
  const seen = new Set<object>();
  let repeats = 0;
  const stack: unknown[] = [value];
  for (let item = stack.pop(); item !== undefined || stack.length > 0; item = stack.pop()) {
    if (typeof item !== 'object' || item === null) continue;
    if (seen.has(item)) {
      repeats++;
      continue;
    }
    seen.add(item);
    stack.push(...Object.values(item));
  }
  return repeats;
}
