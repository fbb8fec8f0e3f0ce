/**
 * Configurations written as code: `.mjs` is imported as it is; `.ts` is compiled with the
 * `typescript` package of the config's own project (Node 20 cannot import TypeScript) to a
 * temporary `.mjs` next to it, so its relative imports and packages resolve the same, then imported.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError, type Diagnostic } from '../diagnostics.js';
import {
  configFunctionFailed,
  configImportFailed,
  configTempFileFailed,
  noDefaultExport,
  typescriptMissing,
  typescriptSyntaxError,
} from './problems.js';
import { errorCode, readConfigText } from './read.js';

/** The part of the `typescript` package used here (it is not a dependency of asyncapi-gen, so its types are not either). */
interface TypeScriptApi {
  transpileModule(
    input: string,
    options: { compilerOptions: Record<string, unknown>; fileName: string; reportDiagnostics: boolean },
  ): { outputText: string; diagnostics?: ReadonlyArray<TypeScriptDiagnostic> };
}

interface TypeScriptDiagnostic {
  /** 1 is an error. */
  readonly category: number;
  readonly start?: number;
  readonly messageText: string | { readonly messageText: string };
}

/** Each import of the same `.mjs` gets its own URL, so an edited file is read again in a long-running process. */
let importCounter = 0;

/** Imports `file` (.mjs) and returns its default export, called (and awaited) when it is a function. */
export async function importModuleConfig(file: string): Promise<unknown> {
  return exportedConfig(file, await importFile(file, `${pathToFileURL(file).href}?config=${Date.now()}-${++importCounter}`, file));
}

/** Compiles `file` (.ts) to a temporary .mjs beside it, imports that, and removes it again. */
export async function importTypeScriptConfig(file: string): Promise<unknown> {
  const typescript = loadTypeScript(file);
  const text = await readConfigText(file);
  const output = transpile(typescript, file, text);
  const parsed = path.parse(file);
  const temporary = path.join(parsed.dir, `.${parsed.name}.${randomUUID()}.mjs`);
  try {
    await fs.writeFile(temporary, output, { encoding: 'utf8', flag: 'wx' });
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new UserError(`cannot load the configuration file ${file}`, [configTempFileFailed(file, describeError(error))]);
  }
  try {
    return await exportedConfig(file, await importFile(temporary, pathToFileURL(temporary).href, file));
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

function loadTypeScript(file: string): TypeScriptApi {
  const require = createRequire(file);
  let loaded: unknown;
  try {
    loaded = require(require.resolve('typescript'));
  } catch (error) {
    const reason = errorCode(error) === 'MODULE_NOT_FOUND' ? 'not installed' : describeError(error);
    throw new UserError(`cannot load the configuration file ${file}: the typescript package is missing`, [typescriptMissing(file, reason)]);
  }
  if (!isTypeScriptApi(loaded)) {
    throw new UserError(`cannot load the configuration file ${file}`, [
      typescriptMissing(file, 'the package found under that name has no transpileModule function'),
    ]);
  }
  return loaded;
}

function isTypeScriptApi(value: unknown): value is TypeScriptApi {
  return typeof value === 'object' && value !== null && 'transpileModule' in value && typeof value.transpileModule === 'function';
}

function transpile(typescript: TypeScriptApi, file: string, text: string): string {
  const result = typescript.transpileModule(text, {
    // String option values are accepted by transpileModule (it converts them like a tsconfig.json).
    compilerOptions: { module: 'esnext', target: 'es2022', sourceMap: false, inlineSourceMap: false, declaration: false },
    fileName: file,
    reportDiagnostics: true,
  });
  const errors = (result.diagnostics ?? []).filter((d) => d.category === 1);
  if (errors.length > 0) {
    throw new UserError(
      `the configuration file ${file} cannot be compiled`,
      errors.map((d) => typescriptSyntaxError(messageOf(d), locationInText(file, text, d.start ?? 0))),
    );
  }
  return result.outputText;
}

function messageOf(diagnostic: TypeScriptDiagnostic): string {
  return typeof diagnostic.messageText === 'string' ? diagnostic.messageText : diagnostic.messageText.messageText;
}

function locationInText(file: string, text: string, offset: number): { file: string; line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { file, line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** Imports a module; errors name `configFile` (not the temporary file it was compiled to). */
async function importFile(modulePath: string, url: string, configFile: string): Promise<unknown> {
  try {
    const namespace: unknown = await import(url);
    return namespace;
  } catch (error) {
    const reason = describeError(error).split(url).join(configFile).split(pathToFileURL(modulePath).href).join(configFile).split(modulePath).join(configFile);
    throw new UserError(`cannot load the configuration file ${configFile}`, [configImportFailed(configFile, reason, importHint(error, modulePath, configFile))]);
  }
}

function importHint(error: unknown, modulePath: string, configFile: string): string | undefined {
  const code = errorCode(error);
  const message = describeError(error);
  if (code === 'ERR_MODULE_NOT_FOUND' && /'asyncapi-gen'/.test(message)) {
    return "Install asyncapi-gen in this project (npm install --save-dev asyncapi-gen), or drop the import: defineConfig only helps editors, `export default { ... }` works the same.";
  }
  // Node does not say where a module's syntax error is (a .ts config's were reported when compiling).
  if (error instanceof SyntaxError && modulePath === configFile) {
    return `If the file itself has a syntax error, \`node --check ${configFile}\` shows where.`;
  }
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return 'A .ts configuration is compiled on its own: it may import JavaScript modules and packages, not other .ts files.';
  }
  return undefined;
}

async function exportedConfig(file: string, namespace: unknown): Promise<unknown> {
  if (typeof namespace !== 'object' || namespace === null || !('default' in namespace) || namespace.default === undefined) {
    throw new UserError(`the configuration file ${file} has no default export`, [noDefaultExport(file)]);
  }
  const exported: unknown = namespace.default;
  if (typeof exported !== 'function') return exported;
  try {
    const made: unknown = await Reflect.apply(exported, undefined, []);
    return made;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const diagnostic: Diagnostic = configFunctionFailed(file, describeError(error));
    throw new UserError(`the configuration file ${file} failed`, [diagnostic]);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
