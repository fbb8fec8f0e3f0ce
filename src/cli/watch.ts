/**
 * `generate --watch`: generate, then regenerate whenever the document, a file
 * it references (the set follows the refs as they change), the config file or
 * a custom template changes. Saves are debounced; an invalid intermediate save
 * prints its diagnostics and the watch goes on.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics.js';
import { MANIFEST_FILE } from '../emit/manifest.js';
import { describeError, jobCache, type GenerateFlags, printJobRun, runJob, type JobRun } from './generate-command.js';
import { EXIT_SUCCESS, EXIT_USAGE, type CliIO } from './io.js';
import { planJobs, type GenerationJob, type PlannedJobs } from './jobs.js';
import { ProgressLine } from './progress.js';
import { watchEnded, watchStarted } from './watching.js';
import { paint, printDiagnostics } from './report.js';

const DEBOUNCE_MS = 60;



/** What a job's regeneration depends on. */
interface WatchedJob {
  readonly job: GenerationJob;
  /** Files whose change regenerates this job: the document, its sources, the config. */
  files: ReadonlySet<string>;
  /** Folders where every AsyncAPI-like file (YAML, JSON) counts: a `$ref` target may appear there later. */
  documentFolders: ReadonlySet<string>;
  /** Custom template folders, where every template, partial or helpers file counts. */
  templateFolders: ReadonlySet<string>;
}

const DOCUMENT_NAME = /\.(ya?ml|json)$/i;
const TEMPLATE_NAME = /(\.hbs|^helpers\.m?js)$/;
const FOLDER_CHECK_MS = 1000;

function concerns(entry: WatchedJob, changed: string): boolean {
  if (entry.files.has(changed)) return true;
  // A watched folder that was replaced is reported as the folder itself.
  if (entry.documentFolders.has(changed) || entry.templateFolders.has(changed)) return true;
  const folder = path.dirname(changed);
  const name = path.basename(changed);
  if (entry.documentFolders.has(folder) && DOCUMENT_NAME.test(name) && name !== MANIFEST_FILE) return true;
  return entry.templateFolders.has(folder) && TEMPLATE_NAME.test(name);
}

/**
 * Watches folders rather than files: editors often save by renaming a new
 * file over the old one, and a referenced file may not exist yet. A folder
 * that is replaced (or appears) is noticed by a periodic check of its identity.
 */
class FolderWatchers {
  readonly #watchers = new Map<string, { readonly watcher: FSWatcher; readonly identity: string }>();
  #folders = new Set<string>();
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly onChange: (file: string) => void, private readonly wanted: (file: string) => boolean) {
    this.#timer = setInterval(() => this.#checkFolders(), FOLDER_CHECK_MS);
    this.#timer.unref();
  }

  update(folders: ReadonlySet<string>): void {
    this.#folders = new Set(folders);
    for (const [folder, { watcher }] of this.#watchers) {
      if (!this.#folders.has(folder)) {
        watcher.close();
        this.#watchers.delete(folder);
      }
    }
    for (const folder of this.#folders) if (!this.#watchers.has(folder)) this.#watch(folder);
  }

  #watch(folder: string): void {
    const identity = identityOf(folder);
    if (identity === undefined) return;
    try {
      const watcher = watch(folder, (_event, name) => {
        const file = name === null ? undefined : path.join(folder, name.toString());
        if (file !== undefined && this.wanted(file)) this.onChange(file);
      });
      watcher.on('error', () => this.#forget(folder));
      this.#watchers.set(folder, { watcher, identity });
    } catch {
      // Gone between the check and the watch: the periodic check tries again.
    }
  }

  #forget(folder: string): void {
    this.#watchers.get(folder)?.watcher.close();
    this.#watchers.delete(folder);
  }

  #checkFolders(): void {
    for (const folder of this.#folders) {
      const current = identityOf(folder);
      const known = this.#watchers.get(folder);
      if (current === known?.identity) continue;
      this.#forget(folder);
      if (current === undefined) continue;
      this.#watch(folder);
      this.onChange(folder);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const { watcher } of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }
}

function identityOf(folder: string): string | undefined {
  try {
    const stats = statSync(folder);
    return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function watchedJob(job: GenerationJob, run: JobRun | undefined, previous: WatchedJob | undefined, configFile: string | undefined): WatchedJob {
  const files = new Set<string>([job.spec]);
  if (configFile !== undefined) files.add(configFile);
  const sources = run?.result.sources ?? [];
  // A document that failed to load names no sources: keep watching what it referenced before.
  for (const source of sources.length > 0 ? sources : [...(previous?.files ?? [])]) files.add(source);
  const documentFolders = new Set([...files].filter((file) => file !== configFile).map((file) => path.dirname(file)));
  const templateFolders = new Set<string>();
  if (job.templates !== undefined) {
    templateFolders.add(job.templates);
    templateFolders.add(path.join(job.templates, 'partials'));
  }
  return { job, files, documentFolders, templateFolders };
}

export async function runWatch(io: CliIO, spec: string | undefined, flags: GenerateFlags): Promise<number> {
  if (flags.check === true || flags.dryRun === true) {
    io.stderr('error: --watch cannot be combined with --check or --dry-run\n');
    return EXIT_USAGE;
  }
  let planned: PlannedJobs = await planJobs(io.cwd, spec, flags);
  let watched: WatchedJob[] = [];
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const watchers = new FolderWatchers((file) => {
    changed.add(file);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const batch = [...changed];
      changed.clear();
      running = running.then(() => regenerate(batch));
    }, DEBOUNCE_MS);
  }, (file) => file === planned.configFile || watched.some((entry) => concerns(entry, file)));

  const runJobs = async (jobs: ReadonlyArray<WatchedJob>): Promise<void> => {
    for (const entry of jobs) {
      let run: JobRun | undefined;
      try {
        const progress = new ProgressLine(io, path.relative(io.cwd, entry.job.spec) || entry.job.spec);
        try {
          run = await runJob(entry.job, flags, jobCache(entry.job, planned.cache), progress);
        } finally {
          progress.end();
        }
        printJobRun(io, run, flags, planned.jobs.length > 1);
      } catch (error) {
        io.stderr(`${paint(io, 'red', 'error')}: ${describeError(error)}\n`);
        if (error instanceof UserError) printDiagnostics(io, error.diagnostics, true);
      }
      Object.assign(entry, watchedJob(entry.job, run, entry, planned.configFile));
    }
  };
  const refreshWatchers = (): void => {
    watchers.update(new Set(watched.flatMap((entry) => [...entry.files].map((file) => path.dirname(file)).concat([...entry.documentFolders, ...entry.templateFolders]))));
  };

  const regenerate = async (batch: ReadonlyArray<string>): Promise<void> => {
    const names = batch.map((file) => path.relative(io.cwd, file) || file).join(', ');
    io.stderr(`${paint(io, 'cyan', 'changed')}: ${names}\n`);
    let affected: WatchedJob[];
    if (planned.configFile !== undefined && batch.includes(planned.configFile)) {
      try {
        planned = await planJobs(io.cwd, spec, flags);
      } catch (error) {
        io.stderr(`${paint(io, 'red', 'error')}: ${describeError(error)}; still watching with the previous configuration\n`);
        if (error instanceof UserError) printDiagnostics(io, error.diagnostics, true);
        return;
      }
      watched = planned.jobs.map((job) => watchedJob(job, undefined, undefined, planned.configFile));
      affected = watched;
    } else {
      affected = watched.filter((entry) => batch.some((file) => concerns(entry, file)));
    }
    await runJobs(affected);
    refreshWatchers();
  };

  watched = planned.jobs.map((job) => watchedJob(job, undefined, undefined, planned.configFile));
  watchStarted();
  try {
    await watchUntilStopped();
  } finally {
    watchEnded();
  }
  return EXIT_SUCCESS;

  async function watchUntilStopped(): Promise<void> {
    await runJobs(watched);
    refreshWatchers();
    const count = new Set(watched.flatMap((entry) => [...entry.files])).size;
    io.stderr(`Watching ${count} file${count === 1 ? '' : 's'} for changes (Ctrl+C to stop).\n`);

    await new Promise<void>((resolve) => {
      if (io.signal === undefined) return;
      if (io.signal.aborted) return resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (timer !== undefined) clearTimeout(timer);
    watchers.close();
    await running;
  }
}
