/**
 * Stage 6: generated TypeScript is formatted by prettier with pinned options,
 * so the same input gives the same bytes whatever the user's own config says.
 * Prettier's standalone build with its Babel parser and ESTree printer: the
 * same formatting as the full package, without loading its configuration
 * resolution and plugin search, which a run with pinned options never uses.
 */
import * as babel from 'prettier/plugins/babel';
import * as estree from 'prettier/plugins/estree';
import { format } from 'prettier/standalone';

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

export async function formatTypeScript(source: string): Promise<string> {
  return format(source, { ...PRETTIER_OPTIONS, plugins: [babel, estree] });
}
