/**
 * The helpers every template may use. Views hold strings already escaped for
 * where they land; these helpers are for custom templates that print a raw
 * value of the view somewhere else (a comment, a string literal).
 */
import { commentText, jsonLiteral, propertyKey, stringLiteral } from './escape.js';

export type TemplateHelper = (...args: unknown[]) => unknown;

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export const BUILT_IN_HELPERS: Readonly<Record<string, TemplateHelper>> = {
  /** `{{join list ", "}}`: the list's items joined by the separator. */
  join: (list, separator) => (Array.isArray(list) ? list.map(String).join(typeof separator === 'string' ? separator : ', ') : ''),
  /** `{{stringLiteral value}}`: a single-quoted TypeScript string literal. */
  stringLiteral: (value) => stringLiteral(text(value)),
  /** `{{commentText value}}`: text safe inside a `/** ... *\/` comment. */
  commentText: (value) => commentText(text(value)),
  /** `{{jsonLiteral value}}`: a TypeScript literal of a JSON value. */
  jsonLiteral: (value) => jsonLiteral(value),
  /** `{{propertyKey value}}`: an object key, quoted when it is not an identifier. */
  propertyKey: (value) => propertyKey(text(value)),
};
