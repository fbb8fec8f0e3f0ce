/**
 * Formatting many files at once. Prettier is CPU-bound and single-threaded, and on large documents
 * it is most of a run, so when there is enough text the files are spread over this thread and
 * worker threads, one lane per core, largest files first onto the least loaded lane. Each file is
 * formatted whole, with the same options, so the output is the same bytes as on one thread.
 * (Formatting parts of one large file side by side was measured slower: each lane's prettier
 * starts cold, and the largest file is most of the work either way.)
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { formatTypeScript, PRETTIER_MODULES, PRETTIER_OPTIONS } from './prettier.js';

export interface ParallelOptions {
  /** Lanes (this thread and workers); default one per core, at most 4. */
  readonly lanes?: number;
  /** Below this many characters in all, starting workers (each loads prettier) costs more than it saves. */
  readonly thresholdChars?: number;
}

export const PARALLEL_THRESHOLD_CHARS = 400_000;
const MAX_LANES = 4;

/** Runs in each worker: formats what it is sent, in order, with the options it is sent. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const [{ format }, ...plugins] = workerData.modules.map((file) => require(file));
  parentPort.on('message', async ({ id, text, options }) => {
    try {
      parentPort.postMessage({ id, formatted: await format(text, { ...options, plugins }) });
    } catch (error) {
      parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
} catch (error) {
  parentPort.postMessage({ id: -1, error: 'cannot load prettier: ' + (error instanceof Error ? error.message : String(error)) });
}
`;

/** The files of prettier's standalone build and plugins, as this module resolves them. */
function prettierModuleFiles(): string[] {
  const resolve = createRequire(import.meta.url).resolve;
  return PRETTIER_MODULES.map((specifier) => resolve(specifier));
}

interface WorkerReply {
  readonly id: number;
  readonly formatted?: string;
  readonly error?: string;
}

/** Formats each text; the results are in the same order. Rejects with prettier's message for a text it cannot parse. */
export async function formatAll(texts: ReadonlyArray<string>, options: ParallelOptions = {}): Promise<string[]> {
  const laneCount = options.lanes ?? Math.min(availableParallelism(), MAX_LANES);
  const total = texts.reduce((sum, text) => sum + text.length, 0);
  if (laneCount < 2 || total < (options.thresholdChars ?? PARALLEL_THRESHOLD_CHARS)) return Promise.all(texts.map(formatTypeScript));
  const plan = assignLanes(texts, Math.min(laneCount, texts.length));
  const workers: Worker[] = [];
  try {
    const results: string[] = new Array<string>(texts.length);
    const onWorkers: Array<Promise<void>> = [];
    for (const ids of plan.slice(1)) {
      if (ids.length === 0) continue;
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { modules: prettierModuleFiles() } });
      workers.push(worker);
      onWorkers.push(formatOnWorker(worker, ids, texts, results));
    }
    const onThisThread = (async () => {
      for (const id of plan[0] ?? []) results[id] = await formatTypeScript(texts[id] ?? '');
    })();
    await Promise.all([onThisThread, ...onWorkers]);
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Largest first onto the lane with the fewest characters so far; lane 0 is this thread. */
function assignLanes(texts: ReadonlyArray<string>, laneCount: number): number[][] {
  const lanes = Array.from({ length: laneCount }, () => ({ ids: [] as number[], chars: 0 }));
  const bySize = texts.map((text, id) => ({ id, size: text.length })).sort((a, b) => b.size - a.size || a.id - b.id);
  for (const { id, size } of bySize) {
    const lightest = lanes.reduce((best, lane) => (lane.chars < best.chars ? lane : best));
    lightest.ids.push(id);
    lightest.chars += size;
  }
  return lanes.map((lane) => lane.ids);
}

function asReply(message: unknown): WorkerReply | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const id: unknown = Reflect.get(message, 'id');
  const formatted: unknown = Reflect.get(message, 'formatted');
  const error: unknown = Reflect.get(message, 'error');
  if (typeof id !== 'number') return undefined;
  return { id, ...(typeof formatted === 'string' ? { formatted } : {}), ...(typeof error === 'string' ? { error } : {}) };
}

function formatOnWorker(worker: Worker, ids: ReadonlyArray<number>, texts: ReadonlyArray<string>, results: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = ids.length;
    if (pending === 0) {
      resolve();
      return;
    }
    worker.on('message', (message: unknown) => {
      const reply = asReply(message);
      if (reply === undefined || reply.error !== undefined || reply.formatted === undefined) {
        reject(new Error(reply?.error ?? 'the formatting worker sent no result'));
        return;
      }
      results[reply.id] = reply.formatted;
      pending--;
      if (pending === 0) resolve();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (pending > 0) reject(new Error(`the formatting worker stopped (exit code ${code})`));
    });
    for (const id of ids) worker.postMessage({ id, text: texts[id], options: PRETTIER_OPTIONS });
  });
}
