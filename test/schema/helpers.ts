/** Shared set-up for the schema compiler tests: a default name claimer and a generated-module sandbox. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { JsonSchema } from '../../src/model/ir.js';
import { type CompiledSchemas, compileSchemas } from '../../src/schema/index.js';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runtimeCore = path.join(projectRoot, 'src/runtime/core');

export interface RootSpec {
  readonly schema: JsonSchema;
  readonly name: string;
  readonly origin?: string;
}

/** A claimer like the real one: unique names, `Name2` on collision, calls recorded. */
export function nameClaimer(): { claim: (hint: string, origin: string) => string; calls: Array<[string, string]> } {
  const taken = new Set<string>();
  const calls: Array<[string, string]> = [];
  return {
    calls,
    claim: (hint, origin) => {
      calls.push([hint, origin]);
      let name = hint;
      for (let n = 2; taken.has(name); n++) name = `${hint}${n}`;
      taken.add(name);
      return name;
    },
  };
}

export function compile(roots: ReadonlyArray<RootSpec>, components: Record<string, object> = {}): CompiledSchemas {
  const componentSchemaNames = new Map<object, string>(Object.entries(components).map(([key, schema]) => [schema, key]));
  return compileSchemas({
    roots: roots.map((root) => ({ schema: root.schema, nameHint: root.name, origin: root.origin ?? `/test/${root.name}` })),
    componentSchemaNames,
    claimName: nameClaimer().claim,
  });
}

/** Writes the generated modules plus the runtime core into a fresh temporary folder. */
export function writeOutput(compiled: CompiledSchemas, extraFiles: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncapi-gen-schema-'));
  fs.mkdirSync(path.join(dir, 'core'));
  for (const file of ['validation.ts', 'formats.ts']) {
    fs.copyFileSync(path.join(runtimeCore, file), path.join(dir, 'core', file));
  }
  fs.writeFileSync(path.join(dir, 'types.ts'), compiled.typeDeclarations);
  fs.writeFileSync(path.join(dir, 'validators.ts'), compiled.validatorModule);
  for (const [name, text] of Object.entries(extraFiles)) fs.writeFileSync(path.join(dir, name), text);
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  return dir;
}

/** Type-checks a generated folder under the strictest flags a user might have; returns tsc's output. */
export function typeCheck(dir: string): { ok: boolean; output: string } {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noImplicitReturns: true,
      noPropertyAccessFromIndexSignature: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    include: ['./**/*.ts'],
  };
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  try {
    const output = execFileSync(path.join(projectRoot, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8' });
    return { ok: true, output };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

/** Transpiles every `.ts` file of a generated folder to `.js` next to it. */
export function transpile(dir: string, extraFiles: ReadonlyArray<string> = []): void {
  const files = ['core/validation.ts', 'core/formats.ts', 'types.ts', 'validators.ts', ...extraFiles];
  for (const file of files) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    });
    fs.writeFileSync(path.join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
}

export type ValidatorModule = Record<string, (value: unknown) => unknown>;

/** Compiles schemas, writes and transpiles the output, and imports the generated validators. */
export async function loadValidators(compiled: CompiledSchemas): Promise<ValidatorModule> {
  const dir = writeOutput(compiled);
  transpile(dir);
  return (await import(pathToFileURL(path.join(dir, 'validators.js')).href)) as ValidatorModule;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
