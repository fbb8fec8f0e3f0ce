/**
 * Runtime expressions that point into a message (Runtime Expression,
 * https://www.asyncapi.com/docs/reference/specification/v3.0.0#runtimeExpression):
 * `$message.header#/a/b` and `$message.payload#/a/b`, parsed at generation time.
 */
import type { Diagnostic } from '../diagnostics.js';

export interface ParsedLocation {
  readonly source: 'header' | 'payload';
  readonly path: ReadonlyArray<string>;
}

export function parseMessageLocation(expression: string, pointer: string, diagnostics: Diagnostic[]): ParsedLocation | undefined {
  const match = /^\$message\.(header|payload)(?:#(.*))?$/.exec(expression.trim());
  const fragment = match?.[2] ?? '';
  if (match === null || (fragment !== '' && !fragment.startsWith('/'))) {
    diagnostics.push({
      severity: 'warning',
      code: 'runtime-expression',
      message: `'${expression}' is not a message location ($message.header#/name or $message.payload#/path); it is ignored`,
      pointer,
    });
    return undefined;
  }
  const path = fragment === ''
    ? []
    : fragment.slice(1).split('/').map((token) => decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~'));
  return { source: match[1] === 'header' ? 'header' : 'payload', path };
}
