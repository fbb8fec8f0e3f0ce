/**
 * Prints how long `loadDocument` takes without the parse cache and with it, in this process and in
 * fresh processes (what repeated CLI runs see). A measurement to read, not a test: timings depend
 * on the machine and its load.
 *
 *   npx tsx scripts/cache-speed.ts [spec] [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SCRIPT), '..');
const DEFAULT_SPEC = path.join(REPO, 'fixtures', 'v3', 'lighting', 'asyncapi.yaml');

interface ChildTiming {
  readonly importMs: number;
  readonly loadMs: number;
  readonly cached: boolean | undefined;
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, spec, cacheDir] = args;
  if (spec === undefined || cacheDir === undefined) throw new Error('usage: --child <spec> <cache dir>');
  process.stdout.write(JSON.stringify(await measureInThisProcess(spec, cacheDir)));
} else {
  const runsFlag = args.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(args[runsFlag + 1]) : 5;
  const positional = args.filter((arg, index) => !arg.startsWith('--') && (runsFlag < 0 || index !== runsFlag + 1));
  await compare(path.resolve(positional[0] ?? DEFAULT_SPEC), Number.isInteger(runs) && runs > 0 ? runs : 5);
}

/** One load in a process that has loaded nothing yet: module import, then the load. */
async function measureInThisProcess(spec: string, cacheDir: string): Promise<ChildTiming> {
  const started = performance.now();
  const { loadDocument } = await import('../src/load/index.js');
  const { createFileCache } = await import('../src/cache/index.js');
  const imported = performance.now();
  const result = await loadDocument(spec, { cache: createFileCache(cacheDir) });
  if (result.document === undefined) throw new Error(`${spec} did not load`);
  return { importMs: imported - started, loadMs: performance.now() - imported, cached: result.cached };
}

function inFreshProcess(spec: string, cacheDir: string): ChildTiming {
  const child = spawnSync(process.execPath, [...process.execArgv, SCRIPT, '--child', spec, cacheDir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  const timing: unknown = JSON.parse(child.stdout);
  if (!isChildTiming(timing)) throw new Error(`unexpected child output: ${child.stdout}`);
  return timing;
}

async function compare(spec: string, runs: number): Promise<void> {
  const { loadDocument } = await import('../src/load/index.js');
  const { createFileCache } = await import('../src/cache/index.js');
  console.log(`spec: ${path.relative(process.cwd(), spec) || spec}  (${runs} runs each, median; ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(2)})`);

  const freshDir = await mkdtemp(path.join(os.tmpdir(), 'asyncapi-gen-cache-speed-'));
  const processDir = await mkdtemp(path.join(os.tmpdir(), 'asyncapi-gen-cache-speed-'));
  try {
    // Fresh processes first, while this process has not loaded the parser (no shared disk cache effects either way).
    const cold: ChildTiming[] = [];
    for (let run = 0; run < runs; run++) {
      await rm(freshDir, { recursive: true, force: true });
      cold.push(inFreshProcess(spec, freshDir));
    }
    const warm: ChildTiming[] = [];
    for (let run = 0; run < runs; run++) warm.push(inFreshProcess(spec, freshDir));
    expectCached(cold, false);
    expectCached(warm, true);

    const uncached: number[] = [];
    const hits: number[] = [];
    const cache = createFileCache(processDir);
    await loadDocument(spec, { cache });
    for (let run = 0; run < runs; run++) uncached.push(await timed(() => loadDocument(spec)));
    for (let run = 0; run < runs; run++) {
      hits.push(
        await timed(async () => {
          const result = await loadDocument(spec, { cache });
          if (result.cached !== true) throw new Error('expected a cache hit');
        }),
      );
    }

    const total = (timing: ChildTiming): number => timing.importMs + timing.loadMs;
    const rows: Array<[string, number, number]> = [
      ['fresh process, empty cache (import + load)', median(cold.map(total)), median(cold.map((t) => t.loadMs))],
      ['fresh process, cache hit   (import + load)', median(warm.map(total)), median(warm.map((t) => t.loadMs))],
    ];
    console.log('\n                                              total ms   of which load ms');
    for (const [label, totalMs, loadMs] of rows) console.log(`${label.padEnd(46)}${format(totalMs)}${format(loadMs)}`);
    console.log('\nsame process, parser already loaded           load ms');
    console.log(`${'  no cache (parser runs)'.padEnd(46)}${format(median(uncached))}`);
    console.log(`${'  cache hit'.padEnd(46)}${format(median(hits))}`);
    console.log(
      `\nspeed-up: ${(median(cold.map(total)) / median(warm.map(total))).toFixed(1)}x for a fresh process, ` +
        `${(median(uncached) / median(hits)).toFixed(1)}x for a repeated load in one process (watch mode)`,
    );
  } finally {
    await rm(freshDir, { recursive: true, force: true });
    await rm(processDir, { recursive: true, force: true });
  }
}

function expectCached(timings: ReadonlyArray<ChildTiming>, cached: boolean): void {
  if (timings.some((timing) => timing.cached !== cached)) throw new Error(`expected every run to be cached: ${cached}`);
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

function median(values: ReadonlyArray<number>): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function format(ms: number): string {
  return ms.toFixed(0).padStart(10);
}

function isChildTiming(value: unknown): value is ChildTiming {
  if (typeof value !== 'object' || value === null) return false;
  const importMs: unknown = Reflect.get(value, 'importMs');
  const loadMs: unknown = Reflect.get(value, 'loadMs');
  const cached: unknown = Reflect.get(value, 'cached');
  return typeof importMs === 'number' && typeof loadMs === 'number' && (cached === undefined || typeof cached === 'boolean');
}
