/**
 * `asyncapi-gen generate`: run each job through the pipeline, then write its
 * output safely, compare it with the disk (`--check`), or show the plan
 * (`--dry-run`). Reports for people (stderr) or machines (`--json`, stdout).
 */
import path from 'node:path';
import { createFileCache, defaultCacheDir, type LoadCache } from '../cache/index.js';
import { UserError, hasErrors, type Diagnostic } from '../diagnostics.js';
import { MANIFEST_FILE } from '../emit/manifest.js';
import { planStubs, writeStubs } from '../emit/stubs.js';
import type { HandlersLocation } from '../scaffold/views.js';
import { checkOutput, writeOutput, type CheckReport, type WriteReport } from '../emit/output.js';
import { generate, generatorVersion, type PipelineResult } from '../generate/pipeline.js';
import { EXIT_INVALID, EXIT_SUCCESS, EXIT_USAGE, type CliIO } from './io.js';
import { planJobs, type GenerationJob, type JobFlags, type PlannedJobs } from './jobs.js';
import { ProgressLine } from './progress.js';
import { describePackages, jsonDiagnostics, printDiagnostics, summarizeDiagnostics, paint, type JsonJobReport, type JsonReport } from './report.js';
import { isWithinFolder } from '../paths.js';

export interface GenerateFlags extends JobFlags {
  readonly check?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
  readonly verbose?: boolean;
}

export type JobOutcome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'write'; readonly report: WriteReport }
  | { readonly kind: 'check'; readonly report: CheckReport }
  | { readonly kind: 'failed'; readonly message: string; readonly diagnostics?: ReadonlyArray<Diagnostic> };

/** What happened to the handler stubs of a scaffolded service (a job with `handlers`). */
export interface StubsOutcome {
  readonly handlersDir: string;
  /** Created by this run (or, with --check and --dry-run, that would be). */
  readonly created: ReadonlyArray<string>;
  /** Handler files whose operation left the document; left alone. */
  readonly orphaned: ReadonlyArray<string>;
}

export interface JobRun {
  readonly job: GenerationJob;
  readonly result: PipelineResult;
  readonly outcome: JobOutcome;
  readonly stubs?: StubsOutcome;
  readonly writeMs: number;
  readonly exitCode: number;
}

function exitCodeOf(outcome: JobOutcome): number {
  switch (outcome.kind) {
    case 'invalid':
      return EXIT_INVALID;
    case 'failed':
      return EXIT_USAGE;
    case 'check':
      return outcome.report.upToDate ? EXIT_SUCCESS : EXIT_INVALID;
    case 'write':
      return outcome.report.kind === 'written' || outcome.report.blockers.length === 0 ? EXIT_SUCCESS : EXIT_USAGE;
  }
}

/** The worst exit code wins: usage and I/O errors over invalid documents and drift. */
export function combinedExitCode(codes: ReadonlyArray<number>): number {
  if (codes.includes(EXIT_USAGE)) return EXIT_USAGE;
  if (codes.includes(EXIT_INVALID)) return EXIT_INVALID;
  return EXIT_SUCCESS;
}

function importPath(from: string, to: string): string {
  const relative = path.relative(from, to).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function handlersLocation(output: string, handlers: string): HandlersLocation {
  return { fromOutput: importPath(output, handlers), fromHandlers: importPath(handlers, output) };
}

/** Problems of reading the document itself (not of its contents): I/O errors, exit 2. */
const UNREADABLE_INPUT: ReadonlySet<string> = new Set(['file-not-found', 'not-a-file', 'file-unreadable']);

/** The error saying the document itself could not be read, if that is what went wrong. */
export function unreadableSpec(diagnostics: ReadonlyArray<Diagnostic>, spec: string): Diagnostic | undefined {
  return diagnostics.find((d) => d.severity === 'error' && UNREADABLE_INPUT.has(d.code) && d.location?.file === spec);
}

const NO_RESULT: PipelineResult = { ok: false, files: [], diagnostics: [], packages: [], sources: [], timings: { loadMs: 0, generateMs: 0 } };

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The parse cache of a job: the file cache beside its document, unless turned off. */
export function jobCache(job: GenerationJob, enabled: boolean): LoadCache | undefined {
  return enabled ? createFileCache(defaultCacheDir(job.spec)) : undefined;
}

export async function runJob(job: GenerationJob, flags: GenerateFlags, cache: LoadCache | undefined, progress?: ProgressLine): Promise<JobRun> {
  let result: PipelineResult;
  try {
    result = await generate({
      ...(progress === undefined ? {} : { onProgress: progress.update }),
      spec: job.spec,
      allowRemoteRefs: job.allowRemoteRefs,
      validate: job.validate,
      include: job.include,
      exclude: job.exclude,
      ...(job.transports === undefined ? {} : { transports: job.transports }),
      ...(job.templates === undefined ? {} : { templatesDir: job.templates }),
      ...(job.handlers === undefined ? {} : { handlers: handlersLocation(job.output, job.handlers) }),
      ...(cache === undefined ? {} : { cache }),
    });
  } catch (error) {
    // A broken template, an unknown transport: this job fails, the other jobs still run.
    if (!(error instanceof UserError)) throw error;
    const outcome: JobOutcome = { kind: 'failed', message: error.message, diagnostics: error.diagnostics };
    return { job, result: NO_RESULT, outcome, writeMs: 0, exitCode: exitCodeOf(outcome) };
  }
  const started = performance.now();
  let outcome: JobOutcome;
  const unreadable = unreadableSpec(result.diagnostics, job.spec);
  if (unreadable !== undefined) {
    outcome = { kind: 'failed', message: `cannot read ${job.spec}: ${unreadable.message}` };
  } else if (!result.ok || hasErrors(result.diagnostics)) {
    outcome = { kind: 'invalid' };
  } else if (job.handlers !== undefined && isWithinFolder(job.handlers, job.output)) {
    outcome = { kind: 'failed', message: `the handlers folder ${job.handlers} is inside the output folder ${job.output}; put it beside it (the output folder is asyncapi-gen's)` };
  } else {
    try {
      outcome = flags.check === true
        ? { kind: 'check', report: await checkOutput(job.output, result.files, { version: generatorVersion() }) }
        : {
            kind: 'write',
            report: await writeOutput(job.output, result.files, { version: generatorVersion(), force: flags.force === true, dryRun: flags.dryRun === true }),
          };
    } catch (error) {
      outcome = { kind: 'failed', message: `${flags.check === true || flags.dryRun === true ? 'cannot read' : 'cannot write'} ${job.output}: ${describeError(error)}` };
    }
  }
  let stubs: StubsOutcome | undefined;
  if (job.handlers !== undefined && result.handlerStubs !== undefined && (outcome.kind === 'check' || (outcome.kind === 'write' && outcome.report.kind !== 'refused'))) {
    try {
      const plan = await planStubs(job.handlers, result.handlerStubs);
      const writes = outcome.kind === 'write' && outcome.report.kind === 'written';
      const created = writes ? await writeStubs(plan) : plan.missing.map((stub) => stub.path);
      stubs = { handlersDir: job.handlers, created, orphaned: plan.orphaned };
      // A missing handler is drift: the generated service.ts imports it.
      if (outcome.kind === 'check' && created.length > 0) outcome = { kind: 'check', report: { ...outcome.report, upToDate: false } };
    } catch (error) {
      outcome = { kind: 'failed', message: `cannot write the handlers in ${job.handlers}: ${describeError(error)}` };
    }
  }
  return { job, result, outcome, ...(stubs === undefined ? {} : { stubs }), writeMs: Math.round(performance.now() - started), exitCode: exitCodeOf(outcome) };
}

export async function runGenerate(io: CliIO, spec: string | undefined, flags: GenerateFlags): Promise<number> {
  if (flags.check === true && flags.dryRun === true) {
    io.stderr('error: --check and --dry-run cannot be combined (--check already writes nothing)\n');
    return EXIT_USAGE;
  }
  const started = performance.now();
  let planned: PlannedJobs;
  try {
    planned = await planJobs(io.cwd, spec, flags);
  } catch (error) {
    if (!(error instanceof UserError) || flags.json !== true) throw error;
    io.stdout(`${JSON.stringify(usageReport(io, error, flags, Math.round(performance.now() - started)), null, 2)}\n`);
    return EXIT_USAGE;
  }
  if (flags.json !== true) for (const warning of planned.warnings) io.stderr(`${paint(io, 'yellow', 'warning')}: ${warning}\n`);
  const runs: JobRun[] = [];
  for (const job of planned.jobs) {
    const progress = flags.json === true ? undefined : new ProgressLine(io, path.relative(io.cwd, job.spec) || job.spec);
    let run: JobRun;
    try {
      run = await runJob(job, flags, jobCache(job, planned.cache), progress);
    } finally {
      progress?.end();
    }
    runs.push(run);
    if (flags.json !== true) printJobRun(io, run, flags, planned.jobs.length > 1);
  }
  const exitCode = combinedExitCode(runs.map((run) => run.exitCode));
  if (flags.json === true) io.stdout(`${JSON.stringify(jsonReport(io, runs, flags, exitCode, Math.round(performance.now() - started), planned.configFile), null, 2)}\n`);
  return exitCode;
}

function relative(io: CliIO, file: string): string {
  return path.relative(io.cwd, file) || '.';
}

/** `2 added, 1 changed, ...` over the generated files (the manifest is bookkeeping, not counted). */
function countsOf(report: WriteReport | CheckReport): string {
  const plan = report.plan;
  const count = (files: ReadonlyArray<string>): number => files.filter((file) => file !== MANIFEST_FILE).length;
  const parts = [
    [count(plan.add), 'added'],
    [count(plan.change), 'changed'],
    [count(plan.remove), 'removed'],
    [count(plan.unchanged), 'unchanged'],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ') || 'only the manifest';
}

function fileLines(io: CliIO, report: WriteReport | CheckReport): string[] {
  const plan = report.plan;
  const mark = (sign: string, color: 'green' | 'yellow' | 'red', file: string): string => `  ${paint(io, color, sign)} ${file}`;
  return [
    ...plan.add.map((file) => mark('+', 'green', file)),
    ...plan.change.map((file) => mark('~', 'yellow', file)),
    ...plan.remove.map((file) => mark('-', 'red', file)),
  ];
}

function printStubs(io: CliIO, run: JobRun, label: string, verb: 'created' | 'would create'): void {
  const stubs = run.stubs;
  if (stubs === undefined) return;
  const folder = relative(io, stubs.handlersDir);
  for (const file of stubs.created) io.stderr(`${label}${verb} handler ${folder}/${file}\n`);
  for (const file of stubs.orphaned) {
    io.stderr(`${label}${paint(io, 'yellow', 'warning')}: ${folder}/${file} handles no operation of the document now; it was left alone (delete it if it is not needed)\n`);
  }
}

export function printJobRun(io: CliIO, run: JobRun, flags: GenerateFlags, named: boolean): void {
  const { job, result, outcome } = run;
  const writing = outcome.kind === 'write' && outcome.report.kind === 'written';
  const label = named ? `[${job.name}] ` : '';
  const spec = relative(io, job.spec);
  const output = relative(io, job.output);
  const timing = `${result.timings.loadMs + result.timings.generateMs + run.writeMs} ms${result.reused === true ? ', from the output cache' : result.cached === true ? ', parse cached' : ''}`;
  printDiagnostics(io, result.diagnostics, flags.verbose === true);
  switch (outcome.kind) {
    case 'invalid':
      io.stderr(`${label}${spec} is not valid (${summarizeDiagnostics(result.diagnostics)}); nothing was written.\n`);
      return;
    case 'failed':
      io.stderr(`${label}${paint(io, 'red', 'error')}: ${outcome.message}\n`);
      if (outcome.diagnostics !== undefined) printDiagnostics(io, outcome.diagnostics, true);
      return;
    case 'check': {
      const report = outcome.report;
      printStubs(io, run, label, 'would create');
      if (report.upToDate) {
        io.stderr(`${label}${output} is up to date with ${spec} (${result.files.length} files; ${timing}).\n`);
        return;
      }
      if (report.plan.interrupted) io.stderr(`${label}${output} holds an interrupted write; \`asyncapi-gen generate\` rolls it back.\n`);
      io.stderr(`${label}${paint(io, 'red', 'drift')}: ${output} differs from what ${spec} generates (${countsOf(report)}); run \`asyncapi-gen generate\` to update it.\n`);
      for (const drift of report.drift) {
        const sign = drift.change === 'added' ? '+' : drift.change === 'removed' ? '-' : '~';
        io.stderr(`  ${sign} ${drift.path} (${drift.change === 'added' ? 'would be added' : drift.change === 'removed' ? 'would be removed' : 'differs'})\n`);
        for (const line of drift.diff) {
          const color = line.startsWith('+') ? 'green' : line.startsWith('-') ? 'red' : line.startsWith('@@') ? 'cyan' : undefined;
          io.stderr(`      ${color === undefined ? line : paint(io, color, line)}\n`);
        }
      }
      return;
    }
    case 'write': {
      const report = outcome.report;
      if (report.kind === 'planned') {
        io.stderr(`${label}Dry run: ${result.files.length} files for ${output} (${countsOf(report) || 'nothing to do'}); nothing was written.\n`);
        for (const line of fileLines(io, report)) io.stderr(`${line}\n`);
        printStubs(io, run, '  ', 'would create');
        if (report.plan.interrupted) io.stderr(`  an interrupted write would be rolled back first\n`);
        for (const blocker of report.blockers) io.stderr(`  ${paint(io, 'red', 'would be refused')}: ${blocker}\n`);
        return;
      }
      if (report.kind === 'refused') {
        io.stderr(`${label}${paint(io, 'red', 'error')}: refusing to write ${output}: ${report.blockers.join('; ')}. Nothing was written; pass --force to overwrite.\n`);
        return;
      }
      if (report.recovery === 'rolled-back') io.stderr(`${label}rolled back an interrupted earlier write in ${output}.\n`);
      const changes = report.outcome.written.filter((file) => file !== MANIFEST_FILE).length + report.outcome.removed.length;
      io.stderr(
        `${label}Generated ${result.files.length} files in ${output} (${changes === 0 ? 'up to date, nothing written' : countsOf(report)}; ${timing}; ${summarizeDiagnostics(result.diagnostics)}).\n`,
      );
      if (flags.verbose === true) for (const line of fileLines(io, report)) io.stderr(`${line}\n`);
      printStubs(io, run, label, writing ? 'created' : 'would create');
      // The packages matter when files appear (a first run, a new transport), not on every regeneration.
      if (report.plan.add.some((file) => file !== MANIFEST_FILE)) io.stderr(`${describePackages(result.packages)}\n`);
    }
  }
}

function jsonJob(io: CliIO, run: JobRun): JsonJobReport {
  const { job, result, outcome } = run;
  const plan = outcome.kind === 'write' || outcome.kind === 'check' ? outcome.report.plan : undefined;
  const changeOf = (file: string): 'added' | 'changed' | 'removed' | 'unchanged' =>
    plan === undefined ? 'unchanged' : plan.add.includes(file) ? 'added' : plan.change.includes(file) ? 'changed' : 'unchanged';
  return {
    name: job.name,
    spec: job.spec,
    output: job.output,
    ok: run.exitCode === EXIT_SUCCESS,
    exitCode: run.exitCode,
    status: outcome.kind === 'invalid' ? 'invalid'
      : outcome.kind === 'failed' ? 'failed'
      : outcome.kind === 'check' ? (outcome.report.upToDate ? 'up-to-date' : 'drift')
      : outcome.report.kind,
    diagnostics: [
      ...jsonDiagnostics(result.diagnostics, io.cwd),
      ...(outcome.kind === 'failed' ? [...jsonDiagnostics(outcome.diagnostics ?? [], io.cwd), { severity: 'error', code: 'job-failed', message: outcome.message }] : []),
      ...(outcome.kind === 'write' && outcome.report.kind !== 'written'
        ? outcome.report.blockers.map((message) => ({ severity: 'error', code: 'write-refused', message }))
        : []),
    ],
    files: outcome.kind === 'invalid' ? [] : result.files.map((file) => ({ path: file.path, bytes: Buffer.byteLength(file.contents, 'utf8'), change: changeOf(file.path) })),
    removed: plan?.remove ?? [],
    drift: outcome.kind === 'check' ? outcome.report.drift : [],
    packages: result.packages,
    sources: result.sources,
    cached: result.cached ?? false,
    reused: result.reused ?? false,
    ...(run.stubs === undefined ? {} : { handlers: { folder: run.stubs.handlersDir, created: run.stubs.created, orphaned: run.stubs.orphaned } }),
    timings: { ...result.timings, writeMs: run.writeMs },
  };
}

function jsonReport(io: CliIO, runs: ReadonlyArray<JobRun>, flags: GenerateFlags, exitCode: number, durationMs: number, configFile: string | undefined): JsonReport {
  const jobs = runs.map((run) => jsonJob(io, run));
  const only = jobs.length === 1 ? jobs[0] : undefined;
  return {
    command: commandLabel(flags),
    ok: exitCode === EXIT_SUCCESS,
    exitCode,
    ...(configFile === undefined ? {} : { config: configFile }),
    spec: only?.spec ?? '',
    ...(only === undefined ? {} : { output: only.output }),
    diagnostics: jobs.flatMap((job) => job.diagnostics),
    files: jobs.flatMap((job) => (job.status === 'written' || job.status === 'up-to-date' || job.status === 'drift' || job.status === 'planned' ? job.files : [])),
    packages: only?.packages ?? [],
    sources: [...new Set(jobs.flatMap((job) => job.sources))],
    jobs,
    durationMs,
  };
}

/** The report of a run that stopped before the first job: a bad config, bad flags. */
function usageReport(io: CliIO, error: UserError, flags: GenerateFlags, durationMs: number): JsonReport {
  return {
    command: commandLabel(flags),
    ok: false,
    exitCode: EXIT_USAGE,
    spec: '',
    diagnostics: [...jsonDiagnostics(error.diagnostics, io.cwd), { severity: 'error', code: 'usage', message: error.message }],
    files: [],
    packages: [],
    sources: [],
    jobs: [],
    durationMs,
  };
}

function commandLabel(flags: GenerateFlags): string {
  return flags.check === true ? 'generate --check' : flags.dryRun === true ? 'generate --dry-run' : 'generate';
}
