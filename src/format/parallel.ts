/**
 * Formatting many texts at once. Prettier is CPU-bound and single-threaded, and on large documents
 * it is most of a run, so when there is enough text the texts (large files arrive cut in pieces,
 * `chunks.ts`) are shared among this thread and worker threads, one lane per core: each worker
 * takes the largest text left when it is free, this thread the smallest. Each text is formatted
 * whole with the same options, so the output is the same bytes as on one thread.
 *
 * Most of prettier's time on a cold thread is its code not yet optimised by the JIT (a 0.57 MB file
 * took 1.1 s on a fresh thread and 0.5 s after formatting 0.14 MB of similar code). So a run that
 * expects much output for prettier (custom templates and a large document, `generate/pipeline.ts`)
 * starts its workers early (`startFormattingWorkers`, while this thread parses), and each worker formats a sample of generated code (written by the build,
 * `cli/warm-up.ts`) before it takes real work. (On this 2-core machine two busy threads run at
 * about 0.6 of the speed of one, so the warm-up matters more than the second lane.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { VENDOR_DIR } from '../paths.js';
import { formatTypeScript, PRETTIER_MODULES, PRETTIER_OPTIONS } from './prettier.js';

export interface ParallelOptions {
  /** Lanes (this thread and workers); default one per core, at most 4. */
  readonly lanes?: number;
  /** Below this many characters in all, starting workers (each loads prettier) costs more than it saves. */
  readonly thresholdChars?: number;
}

export const PARALLEL_THRESHOLD_CHARS = 400_000;
const MAX_LANES = 4;
/** Generated code a worker formats before real work, written by the build; absent, workers start cold. */
export const FORMAT_WARM_UP_FILE = path.join(VENDOR_DIR, 'format-warm-up.json');

/** Runs in each worker: warms up on the sample, then formats what it is sent, in order, with the options it is sent. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const [{ format }, ...plugins] = workerData.modules.map((file) => require(file));
  const warmedUp = (async () => {
    for (const text of workerData.warmUp ?? []) {
      try {
        await format(text, { ...workerData.options, plugins });
      } catch {}
    }
  })();
  parentPort.on('message', async ({ id, text, options }) => {
    await warmedUp;
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

/** Workers started ahead of `formatAll`, which takes them. */
let started: Worker[] = [];

function defaultLaneCount(): number {
  return Math.min(availableParallelism(), MAX_LANES);
}

function warmUpSample(): string[] | undefined {
  try {
    const sample: unknown = JSON.parse(readFileSync(FORMAT_WARM_UP_FILE, 'utf8'));
    return Array.isArray(sample) && sample.every((text) => typeof text === 'string') ? sample : undefined;
  } catch {
    return undefined;
  }
}

function newWorker(warmUp: ReadonlyArray<string> | undefined): Worker {
  const resolve = createRequire(import.meta.url).resolve;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { modules: PRETTIER_MODULES.map((specifier) => resolve(specifier)), options: PRETTIER_OPTIONS, ...(warmUp === undefined ? {} : { warmUp }) },
  });
  // A started worker never keeps the process alive: a run that ends before formatting just exits.
  worker.unref();
  // Listened to from the start: a worker that fails while nobody formats (loading prettier, warming
  // up) must neither crash the process with an unhandled 'error' nor be handed work later.
  worker.on('error', () => stoppedWorkers.add(worker));
  worker.once('exit', () => stoppedWorkers.add(worker));
  return worker;
}

/** Workers that failed or exited; `formatAll` never hands them work. */
const stoppedWorkers = new WeakSet<Worker>();

/**
 * Starts the workers a large formatting job will use (one per core but this one), so that they
 * load prettier and warm up while this thread does other work. The next `formatAll` takes them;
 * `stopFormattingWorkers` ends them when there will be none.
 */
export function startFormattingWorkers(lanes = defaultLaneCount()): void {
  if (started.length > 0 || lanes < 2) return;
  const warmUp = warmUpSample();
  started = Array.from({ length: lanes - 1 }, () => newWorker(warmUp));
}

/** The started workers waiting for a `formatAll` (for tests and diagnostics). */
export function waitingFormattingWorkers(): ReadonlyArray<Worker> {
  return [...started];
}

/** Ends workers that `startFormattingWorkers` started and no `formatAll` took. */
export async function stopFormattingWorkers(): Promise<void> {
  const idle = started;
  started = [];
  await Promise.all(idle.map((worker) => worker.terminate()));
}

interface WorkerReply {
  readonly id: number;
  readonly formatted?: string;
  readonly error?: string;
}

/** Formats each text; the results are in the same order. Rejects with prettier's message for a text it cannot parse. */
export async function formatAll(texts: ReadonlyArray<string>, options: ParallelOptions = {}): Promise<string[]> {
  const laneCount = Math.min(options.lanes ?? defaultLaneCount(), texts.length);
  const total = texts.reduce((sum, text) => sum + text.length, 0);
  // Workers started ahead are ready and warm: worth using for every amount.
  const threshold = started.length > 0 ? 0 : options.thresholdChars ?? PARALLEL_THRESHOLD_CHARS;
  if (laneCount < 2 || total < threshold) {
    await stopFormattingWorkers();
    return Promise.all(texts.map(formatTypeScript));
  }
  const workers = started.splice(0, laneCount - 1).filter((worker) => !stoppedWorkers.has(worker));
  await stopFormattingWorkers();
  while (workers.length < laneCount - 1) workers.push(newWorker(undefined));
  const queue = texts.map((text, id) => ({ id, size: text.length })).sort((a, b) => b.size - a.size || a.id - b.id).map(({ id }) => id);
  const results: string[] = new Array<string>(texts.length);
  let failure: Error | undefined;
  try {
    const onThisThread = (async () => {
      // The smallest texts, from the end of the queue: this thread is colder than the workers. Between
      // texts it lets the event loop run, to hand the workers their next text.
      for (let id = queue.pop(); id !== undefined && failure === undefined; id = queue.pop()) {
        results[id] = await formatTypeScript(texts[id] ?? '');
        await new Promise((resolve) => setImmediate(resolve));
      }
    })().catch((error: unknown) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
    });
    await Promise.all([onThisThread, ...workers.map((worker) => drainOnWorker(worker, queue, texts, results, () => failure !== undefined))]).catch((error: unknown) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
    });
    if (failure !== undefined) throw failure;
    return results;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function asReply(message: unknown): WorkerReply | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const id: unknown = Reflect.get(message, 'id');
  const formatted: unknown = Reflect.get(message, 'formatted');
  const error: unknown = Reflect.get(message, 'error');
  if (typeof id !== 'number') return undefined;
  return { id, ...(typeof formatted === 'string' ? { formatted } : {}), ...(typeof error === 'string' ? { error } : {}) };
}

/**
 * Feeds the worker texts from the shared queue until the queue is empty or a lane failed. Two are
 * in flight, so the worker has the next at hand while this thread, busy formatting, reads no replies.
 */
function drainOnWorker(worker: Worker, queue: number[], texts: ReadonlyArray<string>, results: string[], failed: () => boolean): Promise<void> {
  const IN_FLIGHT = 2;
  return new Promise((resolve, reject) => {
    if (stoppedWorkers.has(worker)) {
      reject(new Error('the formatting worker has stopped'));
      return;
    }
    let pending = 0;
    const fill = (): void => {
      while (pending < IN_FLIGHT && !failed()) {
        const id = queue.shift();
        if (id === undefined) break;
        pending += 1;
        worker.postMessage({ id, text: texts[id], options: PRETTIER_OPTIONS });
      }
      if (pending === 0) resolve();
    };
    worker.on('message', (message: unknown) => {
      const reply = asReply(message);
      if (reply === undefined || reply.error !== undefined || reply.formatted === undefined) {
        reject(new Error(reply?.error ?? 'the formatting worker sent no result'));
        return;
      }
      results[reply.id] = reply.formatted;
      pending -= 1;
      fill();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (pending > 0) reject(new Error(`the formatting worker stopped (exit code ${code})`));
    });
    worker.ref();
    fill();
  });
}
