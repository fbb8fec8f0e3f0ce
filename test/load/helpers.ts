import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/diagnostics.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function fixture(...segments: string[]): string {
  return path.join(REPO, 'fixtures', ...segments);
}

export function errorsOf(diagnostics: ReadonlyArray<Diagnostic>): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

/** `code@file:line:col` of each error, file relative to the repository, for compact assertions. */
export function errorSummaries(diagnostics: ReadonlyArray<Diagnostic>): string[] {
  return errorsOf(diagnostics).map((d) => {
    const l = d.location;
    return `${d.code}@${l === undefined ? '?' : `${path.relative(REPO, l.file)}:${l.line}:${l.column}`}`;
  });
}

/** Follows a JSON pointer through plain data (the resolved document). */
export function at(value: unknown, pointer: string): unknown {
  let current = value;
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null) return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

/** Every `$ref` key left anywhere in a (possibly cyclic) value, as pointers. */
export function refsLeftIn(value: unknown): string[] {
  const found: string[] = [];
  const seen = new Set<object>();
  const stack: Array<{ value: unknown; pointer: string }> = [{ value, pointer: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    for (const [key, child] of Object.entries(current)) {
      if (key === '$ref') found.push(item.pointer);
      stack.push({ value: child, pointer: `${item.pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` });
    }
  }
  return found;
}

/** Whether following `pointer` again and again from `start` comes back to an object already met. */
export function cyclesThrough(start: unknown, pointer: string, maxSteps = 5): boolean {
  const met = new Set<unknown>();
  let current = start;
  for (let step = 0; step <= maxSteps; step++) {
    if (typeof current !== 'object' || current === null) return false;
    if (met.has(current)) return true;
    met.add(current);
    current = at(current, pointer);
  }
  return false;
}
