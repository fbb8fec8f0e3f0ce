/**
 * Test support: generate a fixture into `test/.generated/<name>` (inside the
 * project, so the generated code resolves @types/node), type-check it with the
 * strict flags users compile with, and import it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate, type GenerateResult } from '../../src/generate/pipeline.js';
import { writeFiles } from '../../src/emit/write.js';

const run = promisify(execFile);

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GENERATED_ROOT = path.join(PROJECT_ROOT, 'test', '.generated');
export const TSC = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');

export function fixturePath(relative: string): string {
  return path.join(PROJECT_ROOT, 'fixtures', relative);
}

export interface GeneratedOutput {
  readonly dir: string;
  readonly result: GenerateResult;
}

/** Generates `spec` into a fresh `test/.generated/<name>` folder. */
export async function generateInto(name: string, spec: string, options: { readonly transports?: ReadonlyArray<string> } = {}): Promise<GeneratedOutput> {
  const dir = path.join(GENERATED_ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  const result = await generate({ spec, ...options });
  if (!result.ok) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
    throw new Error(`generation failed for ${spec}:\n${errors.join('\n')}`);
  }
  mkdirSync(dir, { recursive: true });
  await writeFiles(dir, result.files);
  return { dir, result };
}

/**
 * Writes `document` (YAML text) to a temporary file, generates it into `test/.generated/<name>`
 * (memory transport only) and imports the App module and the memory transport, typed as the
 * caller expects them.
 */
export async function generateModules<Generated, Memory>(name: string, document: string): Promise<{ generated: Generated; memory: Memory }> {
  const spec = path.join(mkdtempSync(path.join(os.tmpdir(), `asyncapi-gen-${name}-`)), `${name}.yaml`);
  writeFileSync(spec, document);
  const { dir } = await generateInto(name, spec, { transports: [] });
  return {
    generated: (await import(pathToFileURL(path.join(dir, 'index.ts')).href)) as Generated,
    memory: (await import(pathToFileURL(path.join(dir, 'transports', 'memory.ts')).href)) as Memory,
  };
}

export type ModuleResolution = 'NodeNext' | 'Bundler';

/** The flags the issue promises generated code compiles under. */
export function strictCompilerOptions(moduleResolution: ModuleResolution): Record<string, unknown> {
  return {
    target: 'ES2022',
    lib: ['ES2023'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(PROJECT_ROOT, 'node_modules', '@types')],
    ...(moduleResolution === 'NodeNext'
      ? { module: 'NodeNext', moduleResolution: 'NodeNext' }
      : { module: 'ESNext', moduleResolution: 'Bundler' }),
  };
}

/** Runs tsc over every .ts file of `dir`; resolves to tsc's output ('' when clean). */
export async function typecheck(dir: string, moduleResolution: ModuleResolution): Promise<string> {
  const config = path.join(dir, `tsconfig.${moduleResolution.toLowerCase()}.json`);
  writeFileSync(config, JSON.stringify({ compilerOptions: strictCompilerOptions(moduleResolution), include: ['./**/*.ts'] }, null, 2));
  try {
    await run(TSC, ['-p', config], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    return '';
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; message: string };
    return `${output.stdout ?? ''}${output.stderr ?? ''}` || output.message;
  }
}

/** Copies a scenario file of ours into a generated folder, so it is type-checked and run against it. */
export function addScenario(dir: string, scenario: string): string {
  const target = path.join(dir, path.basename(scenario));
  copyFileSync(path.join(PROJECT_ROOT, 'test', 'scenarios', scenario), target);
  return target;
}
