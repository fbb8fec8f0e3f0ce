/**
 * Writes a plan so that the folder holds either the whole previous output or
 * the whole new one. Every new file is staged (and flushed) first, so a
 * failure there touches nothing; a journal then records the swap, each
 * replaced file is moved to a backup before its new version is moved in, and
 * removing the journal is the commit. A failure during the swap rolls back at
 * once; a process killed during it leaves the journal, and the next run rolls
 * it back (`recoverInterrupted`) before anything else. SIGINT and SIGTERM
 * during the swap wait until it is over. A lock file keeps two runs apart.
 */
import path from 'node:path';
import { isMissingFile, nodeFileSystem, type EmitFileSystem } from './fs.js';
import { LOCK_FILE, MANIFEST_FILE, TRANSACTION_DIR, isSafeRelativePath } from './manifest.js';
import { checkedTarget } from './paths.js';
import type { OutputPlan } from './plan.js';
import { resolveInside } from './write.js';

const JOURNAL = 'journal.json';
const STAGED = 'new';
const BACKUP = 'backup';

interface JournalEntry {
  readonly path: string;
  readonly kind: 'put' | 'remove';
  /** Whether a file was at `path` before the swap. */
  readonly existed: boolean;
}

export interface WriteOutcome {
  readonly written: ReadonlyArray<string>;
  readonly removed: ReadonlyArray<string>;
}

export interface TransactionOptions {
  readonly fs?: EmitFileSystem;
  /** Defers SIGINT/SIGTERM during the swap (default true; off in tests that run in-process). */
  readonly deferSignals?: boolean;
}

export async function applyPlan(plan: OutputPlan, options: TransactionOptions = {}): Promise<WriteOutcome> {
  const fs = options.fs ?? nodeFileSystem;
  const root = plan.outputDir;
  const transaction = path.join(root, TRANSACTION_DIR);
  await recoverInterrupted(root, fs);
  const puts = new Set([...plan.add, ...plan.change]);
  // The manifest goes last, so that it never names a file that is not in place.
  const staged = plan.files.filter((file) => puts.has(file.path)).sort((a, b) => Number(a.path === MANIFEST_FILE) - Number(b.path === MANIFEST_FILE));
  const entries: JournalEntry[] = [
    ...plan.remove.map((file): JournalEntry => ({ path: file, kind: 'remove', existed: true })),
    ...staged.map((file): JournalEntry => ({ path: file.path, kind: 'put', existed: plan.change.includes(file.path) })),
  ];
  if (entries.length === 0) return { written: [], removed: [] };

  await fs.mkdir(root);
  try {
    for (const file of staged) {
      const target = resolveInside(path.join(transaction, STAGED), file.path);
      await fs.mkdir(path.dirname(target));
      await fs.writeFile(target, file.contents);
    }
    await fs.writeFile(path.join(transaction, `${JOURNAL}.tmp`), JSON.stringify(entries));
  } catch (error) {
    await fs.remove(transaction);
    throw error;
  }

  const release = options.deferSignals === false ? () => undefined : deferSignals();
  try {
    await fs.rename(path.join(transaction, `${JOURNAL}.tmp`), path.join(transaction, JOURNAL));
    try {
      for (const entry of entries) await swap(fs, root, entry);
    } catch (error) {
      await rollBack(fs, root, entries);
      throw error;
    }
    await fs.remove(path.join(transaction, JOURNAL));
    await fs.remove(transaction);
    await removeEmptyFolders(fs, root, plan.remove);
  } finally {
    release();
  }
  return { written: staged.map((file) => file.path), removed: plan.remove };
}

async function swap(fs: EmitFileSystem, root: string, entry: JournalEntry): Promise<void> {
  const target = await checkedTarget(fs, root, entry.path);
  if (entry.existed) {
    const backup = resolveInside(path.join(root, TRANSACTION_DIR, BACKUP), entry.path);
    await fs.mkdir(path.dirname(backup));
    await fs.rename(target, backup);
  }
  if (entry.kind === 'put') {
    await fs.mkdir(path.dirname(target));
    await fs.rename(resolveInside(path.join(root, TRANSACTION_DIR, STAGED), entry.path), target);
  }
}

async function isRegularFile(fs: EmitFileSystem, file: string): Promise<boolean> {
  return (await fs.kind(file)) === 'file';
}

/** Puts every file touched by the journal back as it was before the swap. */
async function rollBack(fs: EmitFileSystem, root: string, entries: ReadonlyArray<JournalEntry>): Promise<void> {
  const transaction = path.join(root, TRANSACTION_DIR);
  for (const entry of [...entries].reverse()) {
    const target = await checkedTarget(fs, root, entry.path);
    const backup = resolveInside(path.join(transaction, BACKUP), entry.path);
    const stagedFile = resolveInside(path.join(transaction, STAGED), entry.path);
    if (entry.existed) {
      // No backup means the original was never moved: it is still in place.
      if (await isRegularFile(fs, backup)) {
        await fs.mkdir(path.dirname(target));
        await fs.rename(backup, target);
      }
    } else if (entry.kind === 'put' && !(await isRegularFile(fs, stagedFile))) {
      // The new file was moved in; there was nothing before it.
      await fs.remove(target);
    }
  }
  await fs.remove(path.join(transaction, JOURNAL));
  await fs.remove(transaction);
  await removeEmptyFolders(fs, root, entries.filter((entry) => !entry.existed).map((entry) => entry.path));
}

export type Recovery = 'nothing' | 'rolled-back' | 'discarded-staging';

async function readJournal(fs: EmitFileSystem, transaction: string): Promise<JournalEntry[] | undefined> {
  let text: Buffer;
  try {
    text = await fs.readFile(path.join(transaction, JOURNAL));
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
  return parseJournal(text.toString('utf8'), transaction);
}

/**
 * Undoes a write that was killed half-way, so that the folder holds the
 * previous output again. Rolling back is idempotent: a recovery that is
 * itself killed is finished by the next one.
 */
export async function recoverInterrupted(outputDir: string, fs: EmitFileSystem = nodeFileSystem): Promise<Recovery> {
  const root = path.resolve(outputDir);
  const transaction = path.join(root, TRANSACTION_DIR);
  if ((await fs.list(transaction)) === undefined) return 'nothing';
  const entries = await readJournal(fs, transaction);
  if (entries === undefined) {
    // Killed while staging (or after the commit): the output itself is complete.
    await fs.remove(transaction);
    return 'discarded-staging';
  }
  await rollBack(fs, root, entries);
  return 'rolled-back';
}

/**
 * A read-only view of the folder as a recovery would leave it: files of an
 * interrupted swap read from their backups, files it added read as absent.
 * Lets `--check` and `--dry-run` plan without repairing anything.
 */
export async function rolledBackView(outputDir: string, fs: EmitFileSystem = nodeFileSystem): Promise<EmitFileSystem> {
  const root = path.resolve(outputDir);
  const transaction = path.join(root, TRANSACTION_DIR);
  if ((await fs.list(transaction)) === undefined) return fs;
  const entries = (await readJournal(fs, transaction)) ?? [];
  const redirected = new Map<string, string | undefined>();
  for (const entry of entries) {
    const target = resolveInside(root, entry.path);
    const backup = resolveInside(path.join(transaction, BACKUP), entry.path);
    const stagedFile = resolveInside(path.join(transaction, STAGED), entry.path);
    if (entry.existed && (await isRegularFile(fs, backup))) redirected.set(target, backup);
    else if (!entry.existed && entry.kind === 'put' && !(await isRegularFile(fs, stagedFile))) redirected.set(target, undefined);
  }
  const missing = (file: string): Error => Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return {
    ...fs,
    readFile: async (file) => {
      if (!redirected.has(file)) return fs.readFile(file);
      const source = redirected.get(file);
      if (source === undefined) throw missing(file);
      return fs.readFile(source);
    },
    kind: async (file) => {
      if (!redirected.has(file)) return fs.kind(file);
      return redirected.get(file) === undefined ? 'missing' : 'file';
    },
  };
}

function parseJournal(text: string, transaction: string): JournalEntry[] {
  const damaged = (): Error => new Error(`the journal of an interrupted write in ${transaction} is damaged; restore the output folder from version control (or delete it) and delete ${transaction}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged();
  }
  const valid = Array.isArray(value) && value.every((entry: unknown) =>
    typeof entry === 'object' && entry !== null &&
    'path' in entry && typeof entry.path === 'string' && (isSafeRelativePath(entry.path) || entry.path === MANIFEST_FILE) &&
    'kind' in entry && (entry.kind === 'put' || entry.kind === 'remove') &&
    'existed' in entry && typeof entry.existed === 'boolean');
  if (!valid) throw damaged();
  return value as JournalEntry[];
}

/** Removes the folders that removing `files` left empty, deepest first, never the output folder itself. */
async function removeEmptyFolders(fs: EmitFileSystem, root: string, files: ReadonlyArray<string>): Promise<void> {
  const folders = new Set<string>();
  for (const file of files) {
    for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) folders.add(dir);
  }
  const deepestFirst = [...folders].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const folder of deepestFirst) {
    const target = resolveInside(root, folder);
    if ((await fs.kind(target)) === 'directory') await fs.removeEmptyDir(target);
  }
}

export class OutputLockedError extends Error {
  override readonly name = 'OutputLockedError';
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

/**
 * Takes the folder's lock: another live asyncapi-gen writing the same folder
 * makes this run fail rather than interleave with it; a lock left by a dead
 * process is taken over. Returns the release function.
 */
export async function lockOutput(outputDir: string, fs: EmitFileSystem = nodeFileSystem): Promise<() => Promise<void>> {
  const root = path.resolve(outputDir);
  const lockFile = path.join(root, LOCK_FILE);
  const createdFolder = (await fs.kind(root)) === 'missing';
  await fs.mkdir(root);
  const release = async (): Promise<void> => {
    await fs.remove(lockFile);
    if (createdFolder) await fs.removeEmptyDir(root);
  };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (await fs.createExclusive(lockFile, `${process.pid}\n`)) return release;
    let holder = Number.NaN;
    try {
      holder = Number.parseInt((await fs.readFile(lockFile)).toString('utf8'), 10);
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
    // Our own pid counts as alive: another run in this process (watch mode, the API) holds it.
    if (Number.isInteger(holder) && holder > 0 && processIsAlive(holder)) {
      throw new OutputLockedError(`another asyncapi-gen (process ${holder}) is writing ${root}; wait for it to finish (or delete ${lockFile} if that process is not asyncapi-gen)`);
    }
    await fs.remove(lockFile);
  }
  throw new OutputLockedError(`cannot take the lock ${lockFile}`);
}

let swapsInProgress = 0;

/** True while a swap is moving files: a signal handler must then leave the process alone. */
export function isWriteInProgress(): boolean {
  return swapsInProgress > 0;
}

/** Holds SIGINT and SIGTERM until `release` is called, then delivers the first one that came. */
function deferSignals(): () => void {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  let received: NodeJS.Signals | undefined;
  swapsInProgress += 1;
  const hold = (signal: NodeJS.Signals): void => {
    received ??= signal;
  };
  for (const signal of signals) process.on(signal, hold);
  return () => {
    swapsInProgress -= 1;
    for (const signal of signals) process.off(signal, hold);
    if (received !== undefined) process.kill(process.pid, received);
  };
}
