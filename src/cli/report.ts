/** Human and machine reports of a run. */
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { GeneratedFile } from '../generate/pipeline.js';
import type { PackageRequirement } from '../generate/packages.js';
import { formatDiagnostic } from '../load/format.js';
import type { CliIO } from './io.js';

const COLORS = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m', hint: '\u001b[90m' } as const;
const PAINTS = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m', grey: '\u001b[90m' } as const;
const RESET = '\u001b[0m';

/** `text` in `color` when the output may be coloured (a TTY without NO_COLOR). */
export function paint(io: CliIO, color: keyof typeof PAINTS, text: string): string {
  return io.color ? `${PAINTS[color]}${text}${RESET}` : text;
}

export function visibleDiagnostics(diagnostics: ReadonlyArray<Diagnostic>, verbose: boolean): Diagnostic[] {
  return diagnostics.filter((d) => verbose || d.severity === 'error' || d.severity === 'warning');
}

export function printDiagnostics(io: CliIO, diagnostics: ReadonlyArray<Diagnostic>, verbose: boolean): void {
  for (const diagnostic of visibleDiagnostics(diagnostics, verbose)) {
    const line = formatDiagnostic(diagnostic, io.cwd);
    io.stderr(`${io.color ? `${COLORS[diagnostic.severity]}${line}${RESET}` : line}\n`);
  }
}

export function summarizeDiagnostics(diagnostics: ReadonlyArray<Diagnostic>): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

export function describePackages(packages: ReadonlyArray<PackageRequirement>): string {
  if (packages.length === 0) return 'The generated code needs no npm packages.';
  return [
    'The generated code needs these npm packages:',
    ...packages.map((p) => `  ${p.name}@${p.range}${p.dev ? ' (dev)' : ''}  ${p.reason}`),
    `  npm install ${packages.filter((p) => !p.dev).map((p) => `${p.name}@'${p.range}'`).join(' ')}`.trimEnd(),
    `  npm install --save-dev ${packages.filter((p) => p.dev).map((p) => `${p.name}@'${p.range}'`).join(' ')}`.trimEnd(),
  ].filter((line) => !/^\s+npm install( --save-dev)?$/.test(line)).join('\n');
}

export interface JsonDiagnostic {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly pointer?: string;
  readonly hint?: string;
}

export interface JsonFile {
  readonly path: string;
  readonly bytes: number;
  /** What the run did (or, with --check and --dry-run, would do) to the file. */
  readonly change?: 'added' | 'changed' | 'removed' | 'unchanged';
}

/** One generation job of a `generate` run. */
export interface JsonJobReport {
  readonly name: string;
  readonly spec: string;
  readonly output: string;
  readonly ok: boolean;
  readonly exitCode: number;
  /** `written`, `planned` (--dry-run), `refused`, `up-to-date` or `drift` (--check), `invalid`, `failed`. */
  readonly status: 'written' | 'planned' | 'refused' | 'up-to-date' | 'drift' | 'invalid' | 'failed';
  readonly diagnostics: ReadonlyArray<JsonDiagnostic>;
  readonly files: ReadonlyArray<JsonFile>;
  /** Stale generated files removed (or, with --check and --dry-run, that would be). */
  readonly removed: ReadonlyArray<string>;
  /** With --check: every file that differs, with a short unified diff. */
  readonly drift: ReadonlyArray<{ readonly path: string; readonly change: 'added' | 'changed' | 'removed'; readonly diff: ReadonlyArray<string> }>;
  readonly packages: ReadonlyArray<PackageRequirement>;
  readonly sources: ReadonlyArray<string>;
  /** Whether the parse came from the cache. */
  readonly cached: boolean;
  /** Whether the whole generation came from the output cache (nothing was parsed, rendered or formatted). */
  readonly reused: boolean;
  /** Jobs with `handlers`: stubs created (or that would be) and handler files no operation uses. */
  readonly handlers?: { readonly folder: string; readonly created: ReadonlyArray<string>; readonly orphaned: ReadonlyArray<string> };
  readonly timings: { readonly loadMs: number; readonly generateMs: number; readonly writeMs: number };
}

export interface JsonReport {
  readonly command: string;
  readonly ok: boolean;
  readonly exitCode: number;
  /** The configuration file the jobs came from. */
  readonly config?: string;
  /** The document (of the only job, for `generate`). */
  readonly spec: string;
  readonly output?: string;
  readonly diagnostics: ReadonlyArray<JsonDiagnostic>;
  readonly files: ReadonlyArray<JsonFile>;
  readonly packages: ReadonlyArray<PackageRequirement>;
  readonly sources: ReadonlyArray<string>;
  /** `generate` only: one report per job. */
  readonly jobs?: ReadonlyArray<JsonJobReport>;
  readonly durationMs: number;
}

export function jsonDiagnostics(diagnostics: ReadonlyArray<Diagnostic>, cwd: string): JsonDiagnostic[] {
  return diagnostics.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.location === undefined
      ? {}
      : { file: path.relative(cwd, d.location.file) || d.location.file, line: d.location.line, column: d.location.column }),
    ...(d.pointer === undefined ? {} : { pointer: d.pointer }),
    ...(d.hint === undefined ? {} : { hint: d.hint }),
  }));
}

export function jsonFiles(files: ReadonlyArray<GeneratedFile>): JsonReport['files'] {
  return files.map((file) => ({ path: file.path, bytes: Buffer.byteLength(file.contents, 'utf8') }));
}
