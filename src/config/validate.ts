/**
 * The hand-written validator of a configuration: every problem is reported (not only the first),
 * each at its own line:column, and a valid configuration becomes jobs with absolute paths and
 * defaults applied. `schema/asyncapi-gen.config.schema.json` describes the same format; a test
 * keeps the two in agreement.
 */
import path from 'node:path';
import { UserError, type Diagnostic } from '../diagnostics.js';
import {
  badValidateMode,
  duplicateItem,
  duplicateName,
  duplicateOutput,
  emptyList,
  emptyString,
  jobFieldBesideJobs,
  missingKey,
  nestedOutput,
  noJob,
  unknownKey,
  unknownTransport,
  wrongType,
  type At,
} from './problems.js';
import { isRecord, type RawConfig } from './read.js';
import { closest } from './suggest.js';
import {
  JOB_KEYS,
  SELECTION_KEYS,
  TOP_LEVEL_KEYS,
  TRANSPORT_NAMES,
  VALIDATE_MODES,
  type LoadedConfig,
  type ResolvedJob,
  type ResolvedSelection,
  type TransportName,
  type ValidateMode,
} from './types.js';
import { isWithinFolder } from '../paths.js';

type Segments = ReadonlyArray<string | number>;

export interface CheckedConfig {
  /** Every problem found; the configuration is usable only when there is none. */
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  readonly jobs: ReadonlyArray<ResolvedJob>;
  readonly cache: boolean;
}

/** Validates and resolves; throws a UserError carrying every problem. */
export function validateConfig(raw: RawConfig): LoadedConfig {
  const checked = checkConfig(raw);
  if (checked.diagnostics.length > 0) {
    const count = checked.diagnostics.length;
    throw new UserError(`invalid configuration in ${raw.file} (${count} problem${count === 1 ? '' : 's'})`, inFileOrder(checked.diagnostics));
  }
  return { file: raw.file, jobs: checked.jobs, cache: checked.cache };
}

export function checkConfig(raw: RawConfig): CheckedConfig {
  return new Checker(raw).run();
}

/** A job whose output folder is known (its other settings may still be wrong), for the checks across jobs. */
interface JobEntry {
  /** Absent when one of its settings is wrong. */
  readonly resolved?: ResolvedJob;
  readonly name: string;
  readonly output: string;
  /** Where its output is written. */
  readonly at: At;
  /** Where its name is written, when it is not the default. */
  readonly nameAt?: At;
  /** `jobs[1]`, or `the configuration` for the single-job form. */
  readonly where: string;
}

class Checker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly folder: string;

  constructor(private readonly raw: RawConfig) {
    this.folder = path.dirname(raw.file);
  }

  run(): CheckedConfig {
    const root = this.raw.value;
    const jobs: JobEntry[] = [];
    let cache = true;
    if (!isRecord(root)) {
      this.diagnostics.push(wrongType(this.at([], 'value'), 'an object (a mapping of settings)', describe(root)));
      return { diagnostics: this.diagnostics, jobs: [], cache };
    }
    const keys = presentKeys(root);
    for (const key of keys) {
      if (!includes(TOP_LEVEL_KEYS, key)) {
        this.diagnostics.push(unknownKey(this.at([key], 'key'), key, 'the configuration', closest(key, TOP_LEVEL_KEYS)));
      }
    }
    this.nonEmptyString(root, [], '$schema');
    if (this.boolean(root, [], 'cache') === false) cache = false;
    const jobFields = keys.filter((key) => includes(JOB_KEYS, key));
    if (root['jobs'] !== undefined) {
      for (const key of jobFields) this.diagnostics.push(jobFieldBesideJobs(this.at([key], 'key'), key));
      const list = root['jobs'];
      if (!Array.isArray(list)) {
        this.diagnostics.push(wrongType(this.at(['jobs'], 'value'), 'a list of jobs', describe(list)));
      } else if (list.length === 0) {
        this.diagnostics.push(noJob(this.at(['jobs'], 'value')));
      } else {
        list.forEach((item: unknown, index) => {
          const job = this.job(item, ['jobs', index]);
          if (job !== undefined) jobs.push(job);
        });
      }
    } else if (jobFields.length === 0) {
      this.diagnostics.push(noJob(this.at([], 'value')));
    } else {
      const job = this.job(root, []);
      if (job !== undefined) jobs.push(job);
    }
    this.checkOutputs(jobs);
    this.checkNames(jobs);
    return { diagnostics: this.diagnostics, jobs: jobs.flatMap((j) => j.resolved ?? []), cache };
  }

  /** One job: the top-level object (`segments` empty; its keys are checked by `run`) or an item of `jobs`. */
  private job(value: unknown, segments: Segments): JobEntry | undefined {
    if (!isRecord(value)) {
      this.diagnostics.push(wrongType(this.at(segments, 'value'), 'an object (a job with spec and output)', describe(value)));
      return undefined;
    }
    if (segments.length > 0) {
      for (const key of presentKeys(value)) {
        if (includes(JOB_KEYS, key)) continue;
        const topLevelOnly = includes(TOP_LEVEL_KEYS, key) ? `'${key}' is a setting of the whole configuration: move it to the top level.` : undefined;
        this.diagnostics.push(unknownKey(this.at([...segments, key], 'key'), key, nameOf(segments), closest(key, JOB_KEYS), topLevelOnly));
      }
    }
    const where = segments.length === 0 ? 'the configuration' : nameOf(segments);
    for (const [key, purpose] of [
      ['spec', 'the AsyncAPI document to generate from'],
      ['output', 'the folder to write the generated code to'],
    ] as const) {
      if (value[key] === undefined) this.diagnostics.push(missingKey({ ...this.at(segments, 'value'), name: where }, key, purpose));
    }
    const name = this.nonEmptyString(value, segments, 'name');
    const spec = this.nonEmptyString(value, segments, 'spec');
    const output = this.nonEmptyString(value, segments, 'output');
    const transports = this.transports(value, segments);
    const validate = this.validateMode(value, segments);
    const templates = this.nonEmptyString(value, segments, 'templates');
    const include = this.selection(value, segments, 'include');
    const exclude = this.selection(value, segments, 'exclude');
    const allowRemoteRefs = this.boolean(value, segments, 'allowRemoteRefs');
    const handlers = this.nonEmptyString(value, segments, 'handlers');
    if (output === undefined) return undefined;
    const outputPath = path.resolve(this.folder, output);
    const jobName = name ?? (path.relative(this.folder, outputPath) || '.');
    const resolved: ResolvedJob | undefined = spec === undefined ? undefined : {
      name: jobName,
      spec: path.resolve(this.folder, spec),
      output: outputPath,
      ...(transports === undefined ? {} : { transports }),
      validate: validate ?? 'both',
      ...(templates === undefined ? {} : { templates: path.resolve(this.folder, templates) }),
      include,
      exclude,
      allowRemoteRefs: allowRemoteRefs ?? false,
      ...(handlers === undefined ? {} : { handlers: path.resolve(this.folder, handlers) }),
    };
    return {
      ...(resolved === undefined ? {} : { resolved }),
      name: jobName,
      output: outputPath,
      at: this.at([...segments, 'output'], 'value'),
      where,
      ...(name === undefined ? {} : { nameAt: this.at([...segments, 'name'], 'value') }),
    };
  }

  /** Two jobs must not write to the same folder, nor one inside the other's. */
  private checkOutputs(jobs: ReadonlyArray<JobEntry>): void {
    for (const [later, second] of jobs.entries()) {
      for (const first of jobs.slice(0, later)) {
        if (first.output === second.output) {
          this.diagnostics.push(duplicateOutput(second.at, first.at, this.display(second.output)));
          break;
        }
        const [inner, outer] = isStrictlyInside(second.output, first.output) ? [second, first] : isStrictlyInside(first.output, second.output) ? [first, second] : [];
        if (inner !== undefined && outer !== undefined) {
          this.diagnostics.push(nestedOutput(inner.at, outer.at, this.display(inner.output), this.display(outer.output)));
        }
      }
    }
  }

  /** `--job <name>` picks jobs by name: two jobs must not share one (an output folder is the default name). */
  private checkNames(jobs: ReadonlyArray<JobEntry>): void {
    for (const [later, second] of jobs.entries()) {
      const first = jobs.slice(0, later).find((job) => job.name === second.name);
      // Two default names are equal only for equal outputs, which is reported already.
      if (first === undefined || first.output === second.output) continue;
      const written = second.nameAt ?? first.nameAt;
      if (written !== undefined) this.diagnostics.push(duplicateName(written, second.name, first.where, second.where));
    }
  }

  private transports(value: Record<string, unknown>, segments: Segments): TransportName[] | undefined {
    const list = value['transports'];
    if (list === undefined) return undefined;
    if (!Array.isArray(list)) {
      this.diagnostics.push(wrongType(this.at([...segments, 'transports'], 'value'), `a list of transports (${TRANSPORT_NAMES.join(', ')})`, describe(list)));
      return undefined;
    }
    const chosen: TransportName[] = [];
    const seen = new Map<string, At>();
    let ok = true;
    list.forEach((item: unknown, index) => {
      const at = this.at([...segments, 'transports', index], 'value');
      if (typeof item !== 'string') {
        this.diagnostics.push(wrongType(at, 'a transport name (a string)', describe(item)));
        ok = false;
      } else if (item !== 'memory' && !includes(TRANSPORT_NAMES, item)) {
        this.diagnostics.push(unknownTransport(at, item, TRANSPORT_NAMES, closest(item, TRANSPORT_NAMES)));
        ok = false;
      } else {
        const first = seen.get(item);
        if (first !== undefined) {
          this.diagnostics.push(duplicateItem(at, item, first));
          ok = false;
        }
        seen.set(item, first ?? at);
        // `memory` is always written: accepted, as `--transport memory` is, with nothing to add.
        if (item !== 'memory') chosen.push(item);
      }
    });
    return ok ? chosen : undefined;
  }

  private validateMode(value: Record<string, unknown>, segments: Segments): ValidateMode | undefined {
    const mode = value['validate'];
    if (mode === undefined) return undefined;
    const at = this.at([...segments, 'validate'], 'value');
    if (typeof mode !== 'string') {
      this.diagnostics.push(wrongType(at, `one of ${VALIDATE_MODES.join(', ')}`, describe(mode)));
      return undefined;
    }
    if (!includes(VALIDATE_MODES, mode)) {
      this.diagnostics.push(badValidateMode(at, mode, VALIDATE_MODES, closest(mode, VALIDATE_MODES)));
      return undefined;
    }
    return mode;
  }

  private selection(value: Record<string, unknown>, segments: Segments, key: 'include' | 'exclude'): ResolvedSelection {
    const selection = value[key];
    if (selection === undefined) return {};
    const here = [...segments, key];
    if (!isRecord(selection)) {
      this.diagnostics.push(wrongType(this.at(here, 'value'), 'an object with operations and/or channels (lists of glob patterns)', describe(selection)));
      return {};
    }
    for (const name of presentKeys(selection)) {
      if (!includes(SELECTION_KEYS, name)) {
        this.diagnostics.push(unknownKey(this.at([...here, name], 'key'), name, nameOf(here), closest(name, SELECTION_KEYS)));
      }
    }
    const resolved: { operations?: ReadonlyArray<string>; channels?: ReadonlyArray<string> } = {};
    for (const kind of SELECTION_KEYS) {
      const patterns = this.patterns(selection[kind], [...here, kind], key);
      if (patterns !== undefined) resolved[kind] = patterns;
    }
    return resolved;
  }

  private patterns(list: unknown, segments: Segments, key: 'include' | 'exclude'): string[] | undefined {
    if (list === undefined) return undefined;
    const at = this.at(segments, 'value');
    if (!Array.isArray(list)) {
      this.diagnostics.push(wrongType(at, 'a list of glob patterns (strings; * matches a run of characters, ? one character)', describe(list)));
      return undefined;
    }
    if (list.length === 0) {
      this.diagnostics.push(
        emptyList(at, key === 'include' ? 'An empty include list selects nothing: remove it to include every id.' : 'An empty exclude list leaves nothing out: remove it.'),
      );
      return undefined;
    }
    const patterns: string[] = [];
    list.forEach((item: unknown, index) => {
      const pattern = this.stringValue(item, [...segments, index]);
      if (pattern !== undefined) patterns.push(pattern);
    });
    return patterns.length === list.length ? patterns : undefined;
  }

  private nonEmptyString(value: Record<string, unknown>, segments: Segments, key: string): string | undefined {
    const item = value[key];
    return item === undefined ? undefined : this.stringValue(item, [...segments, key]);
  }

  private stringValue(item: unknown, segments: Segments): string | undefined {
    const at = this.at(segments, 'value');
    if (typeof item !== 'string') {
      this.diagnostics.push(wrongType(at, 'a string', describe(item)));
      return undefined;
    }
    if (item.trim() === '') {
      this.diagnostics.push(emptyString(at));
      return undefined;
    }
    return item;
  }

  private boolean(value: Record<string, unknown>, segments: Segments, key: string): boolean | undefined {
    const item = value[key];
    if (item === undefined) return undefined;
    if (typeof item !== 'boolean') {
      this.diagnostics.push(wrongType(this.at([...segments, key], 'value'), 'true or false', describe(item)));
      return undefined;
    }
    return item;
  }

  /** A folder for messages: relative to the config file's folder, or absolute when outside it. */
  private display(folder: string): string {
    const relative = path.relative(this.folder, folder);
    return relative === '' ? '.' : isWithinFolder(folder, this.folder) ? relative : folder;
  }

  private at(segments: Segments, part: 'key' | 'value'): At {
    return {
      location: this.raw.locate(segments, part),
      pointer: this.raw.pointerBase + segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join(''),
      name: segments.length === 0 ? 'the configuration' : nameOf(segments),
    };
  }
}

/** Sorted by line and column (stable: problems at one place keep the order they were found in). */
function inFileOrder(diagnostics: ReadonlyArray<Diagnostic>): Diagnostic[] {
  const key = (d: Diagnostic): number => (d.location?.line ?? 0) * 1_000_000 + (d.location?.column ?? 0);
  return [...diagnostics].sort((a, b) => key(a) - key(b));
}

/** `jobs[1].include.operations` */
function nameOf(segments: Segments): string {
  return segments.map((s, index) => (typeof s === 'number' ? `[${s}]` : index === 0 ? s : `.${s}`)).join('');
}

/** Keys whose value is not `undefined` (a module may write `templates: undefined` for "not set"). */
function presentKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

function includes<T extends string>(list: ReadonlyArray<T>, value: string): value is T {
  return (list as ReadonlyArray<string>).includes(value);
}

function isStrictlyInside(inner: string, outer: string): boolean {
  return path.relative(outer, inner) !== '' && isWithinFolder(inner, outer);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'bigint':
      return `the number ${String(value)}`;
    case 'boolean':
      return String(value);
    case 'function':
      return 'a function';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
