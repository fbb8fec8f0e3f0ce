/** Factories for every diagnostic about a configuration file, so each code, message and hint is written once. */
import path from 'node:path';
import type { Diagnostic, SourceLocation } from '../diagnostics.js';
import { CONFIG_FILE_NAMES, PACKAGE_JSON_KEY } from './types.js';

export function startOf(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

function error(code: string, message: string, location: SourceLocation, extra: { pointer?: string; hint?: string } = {}): Diagnostic {
  return { severity: 'error', code, message, location, ...extra };
}

function didYouMean(suggestion: string | undefined): { hint?: string } {
  return suggestion === undefined ? {} : { hint: `Did you mean '${suggestion}'?` };
}

// --- Finding and reading the file -----------------------------------------------------------

export function configNotFound(file: string): Diagnostic {
  return error('config-not-found', `configuration file not found: ${file}`, startOf(file), {
    hint: 'Check the path; a relative path is resolved against the current working directory.',
  });
}

export function configUnreadable(file: string, reason: string): Diagnostic {
  return error('config-unreadable', `cannot read the configuration file ${file}: ${reason}`, startOf(file));
}

export function severalConfigFiles(files: ReadonlyArray<string>): Diagnostic {
  return error(
    'config-several-files',
    `found several configuration files in one folder: ${files.join(', ')}`,
    startOf(files[0] ?? ''),
    { hint: 'Keep only one of them, or choose one with --config <file>.' },
  );
}

export function unsupportedConfigFormat(file: string): Diagnostic {
  return error('config-unsupported-format', `cannot read ${file} as a configuration file: unknown file extension`, startOf(file), {
    hint: `Use one of ${CONFIG_FILE_NAMES.join(', ')}, or the "${PACKAGE_JSON_KEY}" key of package.json.`,
  });
}

export function noPackageJsonKey(file: string): Diagnostic {
  return error('config-not-found', `${file} has no "${PACKAGE_JSON_KEY}" key, so it holds no configuration`, startOf(file), {
    hint: `Add "${PACKAGE_JSON_KEY}": { "spec": "...", "output": "..." } to it, or use an asyncapi-gen.config.* file.`,
  });
}

// --- Loading a module config (.mjs, .ts) ----------------------------------------------------

export function typescriptMissing(file: string, reason: string): Diagnostic {
  return error(
    'config-typescript-missing',
    `cannot load ${file}: reading a TypeScript configuration needs the "typescript" package, which cannot be found from ${path.dirname(file)} (${reason})`,
    startOf(file),
    { hint: 'Install it there (npm install --save-dev typescript), or write the configuration as asyncapi-gen.config.mjs, .json or .yaml.' },
  );
}

export function typescriptSyntaxError(message: string, location: SourceLocation): Diagnostic {
  return error('config-syntax', `TypeScript syntax error: ${message}`, location);
}

export function configTempFileFailed(file: string, reason: string): Diagnostic {
  return error(
    'config-load-failed',
    `cannot load ${file}: the compiled configuration cannot be written next to it (${reason})`,
    startOf(file),
    { hint: 'The folder of a .ts configuration must be writable; otherwise write it as .mjs, .json or .yaml.' },
  );
}

export function configImportFailed(file: string, reason: string, hint: string | undefined): Diagnostic {
  return error('config-load-failed', `cannot load ${file}: ${reason}`, startOf(file), hint === undefined ? {} : { hint });
}

export function configFunctionFailed(file: string, reason: string): Diagnostic {
  return error('config-load-failed', `the function exported by ${file} failed: ${reason}`, startOf(file));
}

export function noDefaultExport(file: string): Diagnostic {
  return error('config-no-default-export', `${file} has no default export`, startOf(file), {
    hint: "Write `export default defineConfig({ spec: '...', output: '...' })` (defineConfig comes from 'asyncapi-gen').",
  });
}

// --- Validation ------------------------------------------------------------------------------

export interface At {
  readonly location: SourceLocation;
  /** JSON pointer of the value in the file (below the "asyncapi-gen" key for package.json). */
  readonly pointer: string;
  /** The value's path for people: `jobs[1].output`, or `the configuration` for the whole. */
  readonly name: string;
}

export function wrongType(at: At, expected: string, found: string): Diagnostic {
  return error('config-wrong-type', `${at.name} must be ${expected}, found ${found}`, at.location, { pointer: at.pointer });
}

export function emptyString(at: At): Diagnostic {
  return error('config-empty-string', `${at.name} must not be an empty string`, at.location, { pointer: at.pointer });
}

export function emptyList(at: At, hint: string): Diagnostic {
  return error('config-empty-list', `${at.name} must not be an empty list`, at.location, { pointer: at.pointer, hint });
}

export function unknownKey(at: At, key: string, where: string, suggestion: string | undefined, hint?: string): Diagnostic {
  return error('config-unknown-key', `unknown key '${key}' in ${where}`, at.location, {
    pointer: at.pointer,
    ...(hint === undefined ? didYouMean(suggestion) : { hint }),
  });
}

export function missingKey(at: At, key: string, explanation: string): Diagnostic {
  return error('config-missing-key', `${at.name} has no '${key}' (${explanation})`, at.location, { pointer: at.pointer });
}

export function unknownTransport(at: At, value: string, allowed: ReadonlyArray<string>, suggestion: string | undefined): Diagnostic {
  return error('config-unknown-transport', `${at.name}: unknown transport '${value}'`, at.location, {
    pointer: at.pointer,
    hint: allowedHint(allowed, suggestion),
  });
}

export function badValidateMode(at: At, value: string, allowed: ReadonlyArray<string>, suggestion: string | undefined): Diagnostic {
  return error('config-bad-validate', `${at.name} must be one of ${allowed.join(', ')}, found '${value}'`, at.location, {
    pointer: at.pointer,
    hint: allowedHint(allowed, suggestion),
  });
}

function allowedHint(allowed: ReadonlyArray<string>, suggestion: string | undefined): string {
  return suggestion === undefined ? `Use one of: ${allowed.join(', ')}.` : `Did you mean '${suggestion}'? Allowed: ${allowed.join(', ')}.`;
}

export function duplicateItem(at: At, value: string, first: At): Diagnostic {
  return error('config-duplicate-item', `${at.name}: '${value}' is already listed (${first.name})`, at.location, { pointer: at.pointer });
}

export function jobFieldBesideJobs(at: At, key: string): Diagnostic {
  return error(
    'config-jobs-and-job-fields',
    `'${key}' is given at the top level and 'jobs' is given too: use either one job at the top level or a list of 'jobs', not both`,
    at.location,
    { pointer: at.pointer, hint: `Move '${key}' into each job of 'jobs' that needs it.` },
  );
}

export function noJob(at: At): Diagnostic {
  return error('config-no-job', 'the configuration has no job: nothing to generate', at.location, {
    pointer: at.pointer,
    hint: "Give 'spec' and 'output' at the top level for one job, or a non-empty list of 'jobs'.",
  });
}

export function duplicateOutput(at: At, other: At, folder: string): Diagnostic {
  return error('config-duplicate-output', `${at.name} '${folder}' is the same folder as ${other.name}${onLine(other)}`, at.location, {
    pointer: at.pointer,
    hint: 'Give each job its own output folder: otherwise one job overwrites the files of the other.',
  });
}

export function nestedOutput(inner: At, outer: At, innerFolder: string, outerFolder: string): Diagnostic {
  return error('config-nested-output', `${inner.name} '${innerFolder}' is inside ${outer.name} '${outerFolder}'${onLine(outer)}`, inner.location, {
    pointer: inner.pointer,
    hint: "Output folders must not overlap: one job would write into the other's folder.",
  });
}

export function duplicateName(at: At, name: string, first: string, second: string): Diagnostic {
  return error('config-duplicate-name', `${first} and ${second} are both named '${name}'`, at.location, {
    pointer: at.pointer,
    hint: 'Job names must be unique: --job <name> picks jobs by name (a job without a name is named after its output folder).',
  });
}

/** ` (line 4)`: only when the file has real locations. */
function onLine(at: At): string {
  return at.location.line === 1 && at.location.column === 1 ? '' : ` (line ${at.location.line})`;
}
