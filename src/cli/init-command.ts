/**
 * `asyncapi-gen init <dir> --spec <file|url>`: creates a runnable, tested
 * service project from a document. Everything is built in a staging folder
 * beside the target and moved into place at the end, so a failure leaves no
 * half-made project.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm, rmdir, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { transportForProtocol } from '../generate/protocols.js';
import { generatorVersion } from '../generate/pipeline.js';
import { loadDocument } from '../load/index.js';
import { loadConfig } from '../config/index.js';
import {
  GITIGNORE,
  SCAFFOLD_TRANSPORTS,
  configJson,
  mainTs,
  packageJson,
  readme,
  serviceTestTs,
  tsconfigJson,
  type ProjectSettings,
} from '../scaffold/project.js';
import { printJobRun, runJob, unreadableSpec } from './generate-command.js';
import { createMemoryCache } from '../cache/index.js';
import { fetchSpecTree } from '../scaffold/fetch-spec.js';
import { EXIT_INVALID, EXIT_SUCCESS, EXIT_USAGE, type CliIO } from './io.js';
import { printDiagnostics } from './report.js';
import { isWithinFolder } from '../paths.js';

export interface InitFlags {
  readonly spec?: string;
  readonly transport?: string;
  readonly force?: boolean;
  readonly yes?: boolean;
  readonly generatorPackage?: string;
}

const SPEC_FOLDER = 'asyncapi';

function packageNameFor(dir: string): string {
  const name = path.basename(dir).toLowerCase().replace(/[^a-z0-9._~-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return name === '' ? 'service' : name.slice(0, 214);
}

function isUrl(spec: string): boolean {
  return /^https?:\/\//i.test(spec);
}

function serverTransports(json: Record<string, unknown>): string[] {
  const servers = json['servers'];
  if (typeof servers !== 'object' || servers === null) return [];
  const names: string[] = [];
  for (const server of Object.values(servers)) {
    const protocol = typeof server === 'object' && server !== null && 'protocol' in server && typeof server.protocol === 'string' ? server.protocol : undefined;
    const transport = protocol === undefined ? undefined : transportForProtocol(protocol);
    if (transport !== undefined && !names.includes(transport.name)) names.push(transport.name);
  }
  return names;
}

function titleOf(json: Record<string, unknown>): string {
  const info = json['info'];
  const title = typeof info === 'object' && info !== null && 'title' in info ? info.title : undefined;
  return typeof title === 'string' ? title : 'an AsyncAPI document';
}

async function chooseTransport(io: CliIO, flags: InitFlags, offered: ReadonlyArray<string>): Promise<string> {
  if (flags.transport !== undefined) {
    if (!SCAFFOLD_TRANSPORTS.includes(flags.transport)) throw new UserError(`--transport must be one of ${SCAFFOLD_TRANSPORTS.join(', ')}, not '${flags.transport}'`);
    return flags.transport;
  }
  const fallback = offered[0] ?? 'nats';
  if (offered.length > 1 && flags.yes !== true && io.ask !== undefined) {
    return io.ask(`Which transport should the service run over? (${offered.join(', ')})`, offered, fallback);
  }
  return fallback;
}

/** Copies the document and the files it references into `<project>/asyncapi/`, or refers to it where it is. */
async function placeSpec(mainFile: string, sources: ReadonlyArray<string>, staging: string, target: string): Promise<string> {
  const home = path.dirname(mainFile);
  const inside = sources.every((source) => isWithinFolder(source, home));
  if (!inside) return path.relative(target, mainFile).split(path.sep).join('/');
  for (const source of sources) {
    const destination = path.join(staging, SPEC_FOLDER, path.relative(home, source));
    await mkdir(path.dirname(destination), { recursive: true });
    await copyFile(source, destination);
  }
  return `${SPEC_FOLDER}/${path.basename(mainFile)}`;
}

export async function runInit(io: CliIO, dir: string, flags: InitFlags): Promise<number> {
  if (flags.spec === undefined) {
    io.stderr('error: init needs --spec <file|url>: the AsyncAPI document the service implements\n');
    return EXIT_USAGE;
  }
  const target = path.resolve(io.cwd, dir);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    io.stderr(`error: ${path.relative(io.cwd, target) || target} is a file; init creates a folder\n`);
    return EXIT_USAGE;
  }
  if (existsSync(target) && readdirSync(target).length > 0 && flags.force !== true) {
    io.stderr(`error: ${path.relative(io.cwd, target) || '.'} is not empty; nothing was created (pass --force to write into it)\n`);
    return EXIT_USAGE;
  }
  const staging = path.join(path.dirname(target), `.${path.basename(target)}.asyncapi-gen-init-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const downloaded = isUrl(flags.spec) ? await fetchSpecTree(flags.spec, path.join(staging, SPEC_FOLDER)) : undefined;
    const mainFile = downloaded ?? path.resolve(io.cwd, flags.spec);
    // When the document stays where it is (refs leaving its folder), the generation below reuses this parse.
    const cache = createMemoryCache();
    const loaded = await loadDocument(mainFile, { cache });
    if (loaded.document === undefined) {
      printDiagnostics(io, loaded.diagnostics, false);
      const unreadable = unreadableSpec(loaded.diagnostics, mainFile) !== undefined;
      io.stderr(`${flags.spec} ${unreadable ? 'cannot be read' : 'is not valid'}; nothing was created.\n`);
      return unreadable ? EXIT_USAGE : EXIT_INVALID;
    }
    const outside = downloaded === undefined ? undefined : loaded.document.files.find((file) => !isWithinFolder(file, path.dirname(downloaded)));
    if (outside !== undefined) throw new UserError(`${flags.spec} made the loader read ${outside}, outside the downloaded files; nothing was created`);
    const spec = downloaded === undefined
      ? await placeSpec(mainFile, loaded.document.files, staging, target)
      : path.relative(staging, downloaded).split(path.sep).join('/');
    const offered = serverTransports(loaded.document.json);
    const transport = await chooseTransport(io, flags, offered);
    const base: Omit<ProjectSettings, 'packages' | 'handledOperations'> = {
      packageName: packageNameFor(target),
      title: titleOf(loaded.document.json),
      transport,
      documentHasServer: offered.includes(transport),
      spec,
      generatorPackage: generatorPackageSpec(flags.generatorPackage, io.cwd, target),
    };
    await writeFile(path.join(staging, 'asyncapi-gen.config.json'), configJson({ ...base, packages: [], handledOperations: [] }));
    const config = await loadConfig(path.join(staging, 'asyncapi-gen.config.json'));
    const job = config.jobs[0];
    if (job === undefined) throw new Error('the written configuration has no job');
    const run = await runJob(job, {}, cache);
    printDiagnostics(io, run.result.diagnostics, false);
    if (run.exitCode !== EXIT_SUCCESS) {
      printJobRun(io, run, {}, false);
      io.stderr('nothing was created.\n');
      return run.exitCode;
    }
    const handledOperations = (run.result.handlerStubs ?? []).map((stub) => stub.path.replace(/\.ts$/, ''));
    const settings: ProjectSettings = { ...base, packages: run.result.packages, handledOperations };
    await mkdir(path.join(staging, 'test'), { recursive: true });
    await writeFile(path.join(staging, 'package.json'), packageJson(settings));
    await writeFile(path.join(staging, 'tsconfig.json'), tsconfigJson());
    await writeFile(path.join(staging, 'src', 'main.ts'), mainTs(settings));
    await writeFile(path.join(staging, 'test', 'service.test.ts'), serviceTestTs());
    await writeFile(path.join(staging, 'README.md'), readme(settings));
    await writeFile(path.join(staging, '.gitignore'), GITIGNORE);
    const kept = await moveIntoPlace(staging, target);
    const shown = path.relative(io.cwd, target) || '.';
    for (const file of kept) io.stderr(`kept your ${file} (init --force never overwrites files outside src/generated/)\n`);
    io.stderr(`Created ${shown}: a service over ${transport.toUpperCase()} for ${settings.title.replace(/[\r\n]+/g, ' ')} with ${handledOperations.length} handler${handledOperations.length === 1 ? '' : 's'} in src/handlers/.\n  cd ${shown} && npm install && npm test && npm start\n`);
    return EXIT_SUCCESS;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Moves the staged project into `target`. Into a folder with files (`--force`), the generated
 * code replaces `src/generated/` as a whole; every other file already there is the user's and is
 * kept. Returns the files kept.
 */
async function moveIntoPlace(staging: string, target: string): Promise<string[]> {
  if (!existsSync(target)) {
    await rename(staging, target);
    return [];
  }
  if (readdirSync(target).length === 0) {
    await rmdir(target);
    await rename(staging, target);
    return [];
  }
  const kept: string[] = [];
  await rm(path.join(target, GENERATED_FOLDER), { recursive: true, force: true });
  const walk = async (relative: string): Promise<void> => {
    for (const entry of readdirSync(path.join(staging, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        await walk(child);
        continue;
      }
      const destination = path.join(target, child);
      if (existsSync(destination)) {
        kept.push(child.split(path.sep).join('/'));
        continue;
      }
      await mkdir(path.dirname(destination), { recursive: true });
      await copyFile(path.join(staging, child), destination);
    }
  };
  await walk('');
  return kept;
}

const GENERATED_FOLDER = path.join('src', 'generated');

/**
 * The devDependency spec of asyncapi-gen: this exact version by default (a range would let a
 * newer generator change the output, and `npm run check` report drift); a tarball or folder path
 * is made relative to the project, where npm resolves it.
 */
function generatorPackageSpec(given: string | undefined, cwd: string, target: string): string {
  if (given === undefined) return generatorVersion();
  const local = given.startsWith('file:') ? given.slice('file:'.length) : /^(\.{1,2}[\\/]|[\\/]|[a-zA-Z]:[\\/])|\.tgz$/.test(given) ? given : undefined;
  if (local === undefined) return given;
  const absolute = path.resolve(cwd, local);
  if (!existsSync(absolute)) throw new UserError(`--generator-package ${given}: ${absolute} does not exist`);
  const relative = path.relative(target, absolute).split(path.sep).join('/');
  return `file:${relative.startsWith('.') ? relative : `./${relative}`}`;
}
