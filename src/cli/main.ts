/**
 * The command line: `asyncapi-gen generate|validate`. `run` takes the
 * arguments and the process's streams and returns the exit code; only
 * `bin/asyncapi-gen.js` touches `process`.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { UserError, hasErrors } from '../diagnostics.js';
import { generate, generatorVersion, type GenerateResult } from '../generate/pipeline.js';
import { createFileCache, defaultCacheDir } from '../cache/index.js';
import { runGenerate, unreadableSpec, type GenerateFlags } from './generate-command.js';
import { EXIT_INTERNAL, EXIT_INVALID, EXIT_SUCCESS, EXIT_USAGE, type CliIO } from './io.js';
import { jsonDiagnostics, printDiagnostics, summarizeDiagnostics, type JsonReport } from './report.js';
import type { InitFlags } from './init-command.js';

interface CommonFlags {
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly allowRemoteRefs?: boolean;
  /** commander's `--no-cache`: false when given. */
  readonly cache?: boolean;
}

interface GenerateCommandFlags extends GenerateFlags {
  readonly watch?: boolean;
}

function commaList(value: string, previous: ReadonlyArray<string> | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((item) => item.trim()).filter((item) => item !== '')];
}

function repeatable(value: string, previous: ReadonlyArray<string> | undefined): string[] {
  return [...(previous ?? []), value];
}

function emitJson(io: CliIO, report: JsonReport): void {
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
}

async function runValidate(io: CliIO, spec: string, flags: CommonFlags): Promise<number> {
  const started = performance.now();
  const specPath = path.resolve(io.cwd, spec);
  // Generation-time checks (names, schemas) count as validation too.
  const result: GenerateResult = await generate({
    spec: specPath,
    allowRemoteRefs: flags.allowRemoteRefs ?? false,
    ...(flags.cache === false ? {} : { cache: createFileCache(defaultCacheDir(specPath)) }),
  });
  const diagnostics = result.diagnostics;
  const unreadable = unreadableSpec(diagnostics, specPath) !== undefined;
  const exitCode = unreadable ? EXIT_USAGE : result.ok && !hasErrors(diagnostics) ? EXIT_SUCCESS : EXIT_INVALID;
  if (flags.json === true) {
    emitJson(io, {
      command: 'validate',
      ok: exitCode === EXIT_SUCCESS,
      exitCode,
      spec: specPath,
      diagnostics: jsonDiagnostics(diagnostics, io.cwd),
      files: [],
      packages: result.packages,
      sources: result.sources,
      durationMs: Math.round(performance.now() - started),
    });
    return exitCode;
  }
  printDiagnostics(io, diagnostics, flags.verbose === true);
  const name = path.relative(io.cwd, specPath) || specPath;
  io.stderr(exitCode === EXIT_SUCCESS ? `${name} is valid (${summarizeDiagnostics(diagnostics)}).\n` : `${name} is not valid (${summarizeDiagnostics(diagnostics)}).\n`);
  return exitCode;
}

function buildProgram(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('asyncapi-gen')
    .description('Generate strictly typed TypeScript from AsyncAPI 2.x/3.x documents')
    .version(generatorVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command('generate')
    .description('generate TypeScript from an AsyncAPI document, or run the jobs of the asyncapi-gen config file')
    .argument('[spec]', 'the AsyncAPI document (YAML or JSON); without it, the jobs of the config file run')
    .option('-o, --output <dir>', 'the folder to write the generated code to')
    .option('-t, --transport <list>', 'transports to write, comma-separated (nats,mqtt,amqp,kafka,ws,redis); default: the protocols of the servers', commaList)
    .option('--templates <dir>', 'custom templates that replace built-in ones by file name (see `templates eject`)')
    .option('--handlers <dir>', 'scaffold a service: a handler stub per operation the App receives, in <dir>, written when missing (never overwritten); adds service.ts to the output')
    .option('--validate <mode>', 'default validation of the generated code: both, send, receive or none')
    .option('-c, --config <file>', 'the config file (default: asyncapi-gen.config.* or package.json "asyncapi-gen", searched upward)')
    .option('--no-config', 'do not look for a config file')
    .option('--job <name>', 'run only this job of the config file (repeatable)', repeatable)
    .option('--check', 'compare the output folder with what would be generated; exit 1 on a difference; write nothing')
    .option('--dry-run', 'print what would be written and removed; write nothing')
    .option('--force', 'overwrite generated files edited by hand, and files asyncapi-gen did not generate')
    .option('-w, --watch', 'regenerate when the document, its referenced files, the config or the templates change')
    .option('--no-cache', 'do not use the parse cache')
    .option('--allow-remote-refs', 'allow $refs to http(s) URLs to be fetched')
    .option('--json', 'print one machine-readable JSON report on stdout')
    .option('--verbose', 'also print info and hint diagnostics, and every file written')
    .action(async (spec: string | undefined, flags: GenerateCommandFlags) =>
      setExitCode(flags.watch === true ? await (await import('./watch.js')).runWatch(io, spec, flags) : await runGenerate(io, spec, flags)));

  program
    .command('validate')
    .description('check an AsyncAPI document and print its diagnostics, without generating')
    .argument('<spec>', 'the AsyncAPI document (YAML or JSON)')
    .option('--allow-remote-refs', 'allow $refs to http(s) URLs to be fetched')
    .option('--no-cache', 'do not use the parse cache')
    .option('--json', 'print one machine-readable JSON report on stdout')
    .option('--verbose', 'also print info and hint diagnostics')
    .action(async (spec: string, flags: CommonFlags) => setExitCode(await runValidate(io, spec, flags)));
  program
    .command('init')
    .description('create a runnable, tested service project from an AsyncAPI document')
    .argument('<dir>', 'the folder to create (it must be empty unless --force)')
    .requiredOption('--spec <file|url>', 'the AsyncAPI document: a file, or an http(s) URL to download')
    .option('-t, --transport <name>', 'the transport the service runs over (nats, mqtt, amqp, kafka, ws, redis); default: the document\'s first server protocol')
    .option('--generator-package <spec>', 'the devDependency spec of asyncapi-gen in the project (a version range, or a tarball path from npm pack); default: this version')
    .option('--force', 'write into a folder that is not empty')
    .option('-y, --yes', 'ask nothing; take the defaults')
    .action(async (dir: string, flags: InitFlags) => setExitCode(await (await import('./init-command.js')).runInit(io, dir, flags)));

  const templates = program.command('templates').description('work with the Handlebars templates');
  templates
    .command('eject')
    .description('copy the built-in templates and partials into a folder, to start custom templates')
    .argument('<dir>', 'the folder to copy them to')
    .option('--force', 'overwrite files already there')
    .action(async (dir: string, flags: { readonly force?: boolean }) => setExitCode(await (await import('./templates-command.js')).runTemplatesEject(io, dir, flags)));
  return program;
}

export { isWriteInProgress } from '../emit/transaction.js';
export { UserError } from '../diagnostics.js';
export { isWatching } from './watching.js';

/** Runs the CLI with `argv` (without the node and script entries); resolves to the exit code. */
export async function run(argv: ReadonlyArray<string>, io: CliIO): Promise<number> {
  let exitCode = EXIT_SUCCESS;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_SUCCESS : EXIT_USAGE;
    }
    if (error instanceof UserError) {
      io.stderr(`error: ${error.message}\n`);
      printDiagnostics(io, error.diagnostics, true);
      return EXIT_USAGE;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`internal error in asyncapi-gen ${generatorVersion()}: ${detail}\nThis is a bug; please report it with the document that caused it.\n`);
    return EXIT_INTERNAL;
  }
}
