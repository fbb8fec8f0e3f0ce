/**
 * Stage 6: generated TypeScript is formatted by prettier with pinned options,
 * so the same input gives the same bytes whatever the user's own config says.
 */
import { format } from 'prettier';

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

export async function formatTypeScript(source: string): Promise<string> {
  return format(source, PRETTIER_OPTIONS);
}
