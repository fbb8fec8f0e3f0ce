/**
 * Which generation jobs a `generate` run does: the config file's jobs (found
 * upward from the working directory, or named with --config), or one job from
 * a spec given on the command line; command-line flags override either.
 */
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { findConfig, loadConfig } from '../config/index.js';
import type { LoadedConfig, ResolvedJob, ValidateMode } from '../config/types.js';
import { VALIDATE_MODES } from '../config/types.js';

export interface JobFlags {
  readonly output?: string;
  readonly transport?: ReadonlyArray<string>;
  readonly templates?: string;
  readonly handlers?: string;
  readonly validate?: string;
  /** A file, or false for `--no-config`. */
  readonly config?: string | false;
  readonly job?: ReadonlyArray<string>;
  readonly allowRemoteRefs?: boolean;
  /** commander's `--no-cache`: false when given. */
  readonly cache?: boolean;
}

/** A job of this run: a config job, or one from the command line; `--transport` names are checked by the generator. */
export type GenerationJob = Omit<ResolvedJob, 'transports'> & { readonly transports?: ReadonlyArray<string> };

export interface PlannedJobs {
  readonly jobs: ReadonlyArray<GenerationJob>;
  /** The configuration the jobs came from, when there is one. */
  readonly configFile: string | undefined;
  readonly cache: boolean;
  /** Things the run should say before it starts (a broken config it did without). */
  readonly warnings: ReadonlyArray<string>;
}

function validateMode(value: string | undefined): ValidateMode | undefined {
  if (value === undefined) return undefined;
  const mode = VALIDATE_MODES.find((candidate) => candidate === value);
  if (mode === undefined) throw new UserError(`--validate must be one of ${VALIDATE_MODES.join(', ')}, not '${value}'`);
  return mode;
}

function withFlags(job: GenerationJob, flags: JobFlags, cwd: string): GenerationJob {
  const mode = validateMode(flags.validate);
  return {
    ...job,
    ...(flags.output === undefined ? {} : { output: path.resolve(cwd, flags.output) }),
    ...(flags.transport === undefined ? {} : { transports: flags.transport }),
    ...(flags.templates === undefined ? {} : { templates: path.resolve(cwd, flags.templates) }),
    ...(flags.handlers === undefined ? {} : { handlers: path.resolve(cwd, flags.handlers) }),
    ...(mode === undefined ? {} : { validate: mode }),
    ...(flags.allowRemoteRefs === true ? { allowRemoteRefs: true } : {}),
  };
}

async function configFor(cwd: string, flags: JobFlags, warnings: string[], standalone: boolean): Promise<LoadedConfig | undefined> {
  if (flags.config === false) return undefined;
  if (flags.config !== undefined) return loadConfig(path.resolve(cwd, flags.config));
  const found = await findConfig(cwd);
  if (found === undefined) return undefined;
  try {
    return await loadConfig(found);
  } catch (error) {
    // A spec and -o make a complete job: a broken config found on the way up must not stop it.
    if (!standalone || !(error instanceof UserError)) throw error;
    warnings.push(`ignoring ${path.relative(cwd, found) || found}, which is not a valid configuration (${error.message}); pass --no-config to skip the search`);
    return undefined;
  }
}

export async function planJobs(cwd: string, spec: string | undefined, flags: JobFlags): Promise<PlannedJobs> {
  const warnings: string[] = [];
  const config = await configFor(cwd, flags, warnings, spec !== undefined && flags.output !== undefined);
  const cache = flags.cache !== false && (config?.cache ?? true);
  if (spec !== undefined) {
    const specPath = path.resolve(cwd, spec);
    const fromConfig = config?.jobs.find((job) => job.spec === specPath);
    if (flags.job !== undefined) throw new UserError('--job selects jobs of the config file; it cannot be combined with a spec argument');
    if (fromConfig === undefined && flags.output === undefined) {
      throw new UserError(`no output folder: pass -o <dir>${config === undefined ? '' : ` (no job of ${path.relative(cwd, config.file) || config.file} generates from ${spec})`}`);
    }
    const base: ResolvedJob = fromConfig ?? {
      name: path.relative(cwd, path.resolve(cwd, flags.output ?? '.')) || '.',
      spec: specPath,
      output: path.resolve(cwd, flags.output ?? '.'),
      validate: 'both',
      include: {},
      exclude: {},
      allowRemoteRefs: false,
    };
    return { jobs: [withFlags(base, flags, cwd)], configFile: fromConfig === undefined ? undefined : config?.file, cache, warnings };
  }
  if (config === undefined) {
    throw new UserError(`no AsyncAPI document given and no asyncapi-gen configuration found from ${cwd} upward; run \`asyncapi-gen generate <spec> -o <dir>\` or add asyncapi-gen.config.json (see the README)`);
  }
  let jobs = config.jobs;
  if (flags.job !== undefined) {
    const unknown = flags.job.filter((name) => !jobs.some((job) => job.name === name));
    if (unknown.length > 0) throw new UserError(`no job named ${unknown.map((name) => `'${name}'`).join(', ')} in ${config.file}; its jobs are ${jobs.map((job) => `'${job.name}'`).join(', ')}`);
    jobs = jobs.filter((job) => flags.job?.includes(job.name) === true);
  }
  if (flags.output !== undefined && jobs.length > 1) {
    throw new UserError(`-o sets one output folder, but ${config.file} has ${jobs.length} jobs; pick one with --job <name>`);
  }
  return { jobs: jobs.map((job) => withFlags(job, flags, cwd)), configFile: config.file, cache, warnings };
}
