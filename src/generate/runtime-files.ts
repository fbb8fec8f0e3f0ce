/**
 * The runtime that generated code imports: real TypeScript from `src/runtime`,
 * copied into the output folder (core/ always, transports/ per protocol).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RUNTIME_DIR } from '../paths.js';

export interface RuntimeFile {
  /** Path relative to the output folder, with `/` separators. */
  readonly path: string;
  readonly contents: string;
}

function readRuntimeFolder(folder: string, only?: ReadonlySet<string>): RuntimeFile[] {
  const directory = path.join(RUNTIME_DIR, folder);
  return readdirSync(directory)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .filter((name) => only === undefined || only.has(name.slice(0, -3)))
    .sort()
    .map((name) => ({ path: `${folder}/${name}`, contents: readFileSync(path.join(directory, name), 'utf8') }));
}

/** The core runtime and the transports for the given protocols (`memory` is always included). */
export function runtimeFiles(transports: ReadonlyArray<string>): RuntimeFile[] {
  return [...readRuntimeFolder('core'), ...readRuntimeFolder('transports', new Set(['memory', ...transports]))];
}
