/**
 * The built command line runs from its bundle (`dist/cli.bundle.cjs`, with V8 code caches) and,
 * with `ASYNCAPI_GEN_BUNDLE=0`, from the modules in `dist/`: the same outputs, reports and exit
 * codes either way, on a valid document, an invalid one and `--check`.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI_BUNDLE, CLI_BUNDLE_CACHE, loadCli } from '../../src/cli/load-cli.js';
import { PARSER_BUNDLE, PARSER_BUNDLE_CACHE } from '../../src/load/vendor/parser-modules.js';
import { fixturePath, PROJECT_ROOT } from '../support/generated.js';
import { snapshot, tempDir } from './helpers.js';

const execute = promisify(execFile);
const BIN = path.join(PROJECT_ROOT, 'bin', 'asyncapi-gen.js');

interface BinRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function bin(cwd: string, bundle: boolean, ...argv: string[]): Promise<BinRun> {
  return binWith(cwd, bundle, {}, ...argv);
}

async function binWith(cwd: string, bundle: boolean, env: Record<string, string>, ...argv: string[]): Promise<BinRun> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [BIN, ...argv], { cwd, env: { ...process.env, ...env, ASYNCAPI_GEN_BUNDLE: bundle ? '1' : '0', CI: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The report without the timing, which differs from run to run. */
function withoutTimings(text: string): string {
  return text.replace(/\d+ ms/g, 'N ms').replace(/"(\w+Ms)": \d+/g, '"$1": N');
}

describe('the command line bundle', () => {
  it('answers a repeated run from the output cache, keyed by the bundle that runs', async () => {
    const cwd = tempDir();
    const cacheDir = path.join(cwd, 'cache');
    const env = { ASYNCAPI_GEN_CACHE_DIR: cacheDir };
    const run = (bundle: boolean): Promise<BinRun> => binWith(cwd, bundle, env, 'generate', fixturePath('demo/streetlights.yaml'), '-o', 'out');
    const first = await run(true);
    const before = snapshot(path.join(cwd, 'out'));
    const second = await run(true);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(first.stderr).not.toContain('from the output cache');
    expect(second.stderr).toContain('from the output cache');
    expect(snapshot(path.join(cwd, 'out'))).toEqual(before);
    // The modules are other code than the bundle: their runs are keyed apart, never served the bundle's entry.
    const fromModules = await run(false);
    expect(fromModules.code).toBe(0);
    expect(fromModules.stderr).not.toContain('from the output cache');
    expect(snapshot(path.join(cwd, 'out'))).toEqual(before);
  }, 120_000);

  it('is built, with code caches, and is what the bin loads', async () => {
    for (const file of [CLI_BUNDLE, CLI_BUNDLE_CACHE, PARSER_BUNDLE, PARSER_BUNDLE_CACHE]) expect(existsSync(file), file).toBe(true);
    const loaded = await loadCli({ ...process.env, ASYNCAPI_GEN_BUNDLE: '1' });
    expect(loaded.source).toBe('bundle');
    expect((await loadCli({ ...process.env, ASYNCAPI_GEN_BUNDLE: '0' })).source).toBe('modules');
  });

  it('generates, reports and checks exactly as the modules do', async () => {
    const results = [];
    for (const bundle of [true, false]) {
      const cwd = tempDir();
      const generated = await bin(cwd, bundle, 'generate', fixturePath('demo/streetlights.yaml'), '-o', 'out', '--no-cache', '--json', '--transport', 'nats,mqtt');
      const checked = await bin(cwd, bundle, 'generate', fixturePath('demo/streetlights.yaml'), '-o', 'out', '--no-cache', '--check', '--transport', 'nats,mqtt');
      writeFileSync(path.join(cwd, 'broken.yaml'), 'asyncapi: 3.0.0\ninfo: { title: Broken, version: 1.0.0 }\nchannels:\n  a:\n    address: a\n    messages:\n      m:\n        payload: { type: 12 }\n');
      const invalid = await bin(cwd, bundle, 'generate', 'broken.yaml', '-o', 'broken-out', '--no-cache');
      results.push({ generated: { ...generated, stdout: withoutTimings(generated.stdout).replaceAll(cwd, '<cwd>') }, checked: { ...checked, stderr: withoutTimings(checked.stderr) }, invalid: { ...invalid, stderr: invalid.stderr.replaceAll(cwd, '<cwd>') }, files: snapshot(path.join(cwd, 'out')), brokenWritten: existsSync(path.join(cwd, 'broken-out')) });
    }
    const [fromBundle, fromModules] = results;
    expect(fromBundle?.generated.code).toBe(0);
    expect(fromBundle?.checked.code).toBe(0);
    expect(fromBundle?.invalid.code).toBe(1);
    expect(fromBundle?.invalid.stderr).toContain('broken.yaml:');
    expect(fromBundle?.brokenWritten).toBe(false);
    expect(Object.keys(fromBundle?.files ?? {})).toContain('transports/mqtt.ts');
    expect(fromBundle).toEqual(fromModules);
  }, 120_000);
});
