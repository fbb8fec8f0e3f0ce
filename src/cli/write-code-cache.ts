/**
 * Build step (`npm run build`, after the bundles are made): runs the common paths once
 * (`warm-up.ts`) in the CLI bundle, then writes the V8 code caches of the CLI bundle, the parser
 * bundle, prettier's files and the precompiled meta-schema validators. Made after the run, the
 * caches hold the code it compiled. Also writes the code formatting workers warm up on. Usage: `node dist/cli/write-code-cache.js`.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PRECOMPILED_DIR } from '../load/meta-schemas/precompiled.js';
import { VENDOR_DIR } from '../paths.js';
import { FORMAT_WARM_UP_FILE } from '../format/parallel.js';
import { PARSER_BUNDLE, PARSER_BUNDLE_CACHE } from '../load/vendor/parser-modules.js';
import { CLI_BUNDLE, CLI_BUNDLE_CACHE, loadCli } from './load-cli.js';

async function main(): Promise<void> {
  for (const file of [CLI_BUNDLE, PARSER_BUNDLE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/bundle-parser.mjs and scripts/bundle-cli.mjs first`);
  }
  // Made from scratch: nothing of an earlier build's caches is offered during the warm-up.
  rmSync(CLI_BUNDLE_CACHE, { force: true });
  rmSync(PARSER_BUNDLE_CACHE, { force: true });
  for (const folder of [PRECOMPILED_DIR, VENDOR_DIR]) {
    for (const name of readdirSync(folder)) if (name.endsWith('.cache')) rmSync(path.join(folder, name));
  }
  const loaded = await loadCli({ ...process.env, ASYNCAPI_GEN_BUNDLE: '1', ASYNCAPI_GEN_BUNDLED_PARSER: '1' });
  if (loaded.source !== 'bundle') throw new Error(`${CLI_BUNDLE} did not load as the CLI bundle`);
  const { formatSample } = await loaded.cli.warmUp();
  const caches = await loaded.codeCaches();
  for (const required of [CLI_BUNDLE_CACHE, PARSER_BUNDLE_CACHE]) {
    if (!caches.has(required)) throw new Error(`the warm-up made no code cache for ${required}`);
  }
  if (![...caches.keys()].some((file) => file.startsWith(PRECOMPILED_DIR))) throw new Error('the warm-up loaded no precompiled meta-schema validator');
  if (![...caches.keys()].some((file) => path.basename(file).startsWith('prettier_'))) throw new Error('the warm-up did not format with prettier');
  // Every cache goes next to the file it is for, never over a file of code.
  for (const file of caches.keys()) if (!file.endsWith('.cache')) throw new Error(`refusing to write a code cache to ${file}`);
  let bytes = 0;
  for (const [file, cache] of caches) {
    writeFileSync(file, cache);
    bytes += cache.length;
  }
  writeFileSync(FORMAT_WARM_UP_FILE, JSON.stringify(formatSample));
  process.stdout.write(`wrote ${caches.size} V8 code caches (${(bytes / 1024 / 1024).toFixed(1)} MB): the CLI bundle, the parser bundle, prettier's files and the precompiled validators\n`);
}

await main();
