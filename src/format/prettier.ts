/**
 * Stage 6: generated TypeScript is formatted by prettier with pinned options,
 * so the same input gives the same bytes whatever the user's own config says.
 * Prettier's standalone build with its Babel parser and ESTree printer: the
 * same formatting as the full package, without loading its configuration
 * resolution and plugin search, which a run with pinned options never uses.
 * They are loaded on first use with V8 code caches kept in `dist/vendor`
 * (made at build time), so a run that formats nothing never loads them.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Options, Plugin } from 'prettier';
import { VENDOR_DIR } from '../paths.js';
import { runCommonJs, type CachedScript } from '../load/vendor/code-cache.js';

export const PRETTIER_OPTIONS = {
  parser: 'babel-ts',
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: true,
  quoteProps: 'as-needed',
  trailingComma: 'all',
  bracketSpacing: true,
  arrowParens: 'always',
  endOfLine: 'lf',
} as const;

/** The modules a formatting worker loads: `format` from the first, the plugins from the rest. */
export const PRETTIER_MODULES = ['prettier/standalone', 'prettier/plugins/babel', 'prettier/plugins/estree'] as const;

interface Prettier {
  format(source: string, options: Options): Promise<string>;
}

let loaded: { readonly prettier: Prettier; readonly plugins: Plugin[]; readonly scripts: ReadonlyMap<string, CachedScript> } | undefined;

/** Where the code cache of one of prettier's files is kept: asyncapi-gen's dist, not node_modules. */
function cacheFileOf(specifier: string): string {
  return path.join(VENDOR_DIR, `${specifier.replace(/[^\w.-]+/g, '_')}.cache`);
}

function loadPrettier(): NonNullable<typeof loaded> {
  if (loaded === undefined) {
    const resolve = createRequire(import.meta.url).resolve;
    const scripts = new Map(PRETTIER_MODULES.map((specifier) => [cacheFileOf(specifier), runCommonJs(resolve(specifier), cacheFileOf(specifier))]));
    const [standalone, ...plugins] = [...scripts.values()].map((script) => script.exports);
    loaded = { prettier: standalone as Prettier, plugins: plugins as Plugin[], scripts };
  }
  return loaded;
}

/** The code caches of prettier's files as this process ran them, by the file each belongs in (for the build step). */
export function prettierCodeCaches(): ReadonlyMap<string, Buffer> {
  return new Map([...(loaded?.scripts ?? [])].map(([cacheFile, script]) => [cacheFile, script.createCache()]));
}

export async function formatTypeScript(source: string): Promise<string> {
  const { prettier, plugins } = loadPrettier();
  return prettier.format(source, { ...PRETTIER_OPTIONS, plugins });
}
