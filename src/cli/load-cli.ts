/**
 * How `bin/asyncapi-gen.js` gets the command line: from the CLI bundle made at build time
 * (`scripts/bundle-cli.mjs`: asyncapi-gen and the packages it runs, one file) with V8's code
 * cache, which starts in a fraction of the time of loading the modules one by one; else, or with
 * `ASYNCAPI_GEN_BUNDLE=0`, from the built modules in `dist/`. Both are the same code.
 */
import path from 'node:path';
import type * as Entry from './bundle-entry.js';
import { PACKAGE_ROOT } from '../paths.js';

export type CliModule = typeof Entry;

export const BUNDLE_ENV = 'ASYNCAPI_GEN_BUNDLE';
export const CLI_BUNDLE = path.join(PACKAGE_ROOT, 'dist', 'cli.bundle.cjs');
export const CLI_BUNDLE_CACHE = `${CLI_BUNDLE}.cache`;

export interface LoadedCli {
  readonly cli: CliModule;
  readonly source: 'bundle' | 'modules';
  /** The code caches of what this process loaded and ran (for the build step that writes them). */
  codeCaches(): Promise<ReadonlyMap<string, Buffer>>;
}

export async function loadCli(env: NodeJS.ProcessEnv = process.env): Promise<LoadedCli> {
  if (env[BUNDLE_ENV] !== '0') {
    const bundled = await fromBundle();
    if (bundled !== undefined) return bundled;
  }
  const cli = await import('./bundle-entry.js');
  return { cli, source: 'modules', codeCaches: () => cli.codeCaches() };
}

async function fromBundle(): Promise<LoadedCli | undefined> {
  const { runCommonJs } = await import('../load/vendor/code-cache.js');
  let script: ReturnType<typeof runCommonJs>;
  try {
    script = runCommonJs(CLI_BUNDLE, CLI_BUNDLE_CACHE);
  } catch {
    // No bundle (a build without it), or one that does not load here: the modules serve.
    return undefined;
  }
  const cli = script.exports;
  if (!isCliModule(cli)) return undefined;
  cli.runningFromBundle(script.sourceDigest);
  return {
    cli,
    source: 'bundle',
    codeCaches: async () => new Map([...(await cli.codeCaches()), [CLI_BUNDLE_CACHE, script.createCache()]]),
  };
}

function isCliModule(value: unknown): value is CliModule {
  if (typeof value !== 'object' || value === null) return false;
  return ['run', 'UserError', 'isWatching', 'isWriteInProgress', 'warmUp', 'codeCaches', 'runningFromBundle'].every((name) => typeof Reflect.get(value, name) === 'function');
}
