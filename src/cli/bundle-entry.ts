/**
 * What `bin/asyncapi-gen.js` needs of the command line, in one module: the entry of the CLI
 * bundle (`scripts/bundle-cli.mjs`), and what the bin imports when there is no bundle.
 */
export { UserError, isWatching, isWriteInProgress, run } from './main.js';
export { warmUp } from './warm-up.js';
export { runningFromBundle } from '../cache/generator-fingerprint.js';

/** The code caches of the parser bundle, prettier and the precompiled validators this process loaded, by the file each belongs in. */
export async function codeCaches(): Promise<ReadonlyMap<string, Buffer>> {
  const { PARSER_BUNDLE_CACHE, bundleCodeCache } = await import('../load/vendor/parser-modules.js');
  const { precompiledCodeCaches } = await import('../load/meta-schemas/precompiled.js');
  const { prettierCodeCaches } = await import('../format/prettier.js');
  const caches = new Map([...precompiledCodeCaches(), ...prettierCodeCaches()]);
  const parserCache = bundleCodeCache();
  if (parserCache !== undefined) caches.set(PARSER_BUNDLE_CACHE, parserCache);
  return caches;
}
