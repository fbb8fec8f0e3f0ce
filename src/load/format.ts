/** The one-line text form of a diagnostic: `file:line:col severity code message`, then an indented hint. */
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';

export function formatDiagnostic(diagnostic: Diagnostic, cwd: string): string {
  const where = diagnostic.location === undefined
    ? ''
    : `${displayFile(diagnostic.location.file, cwd)}:${diagnostic.location.line}:${diagnostic.location.column} `;
  const line = `${where}${diagnostic.severity} ${diagnostic.code} ${diagnostic.message}`;
  return diagnostic.hint === undefined ? line : `${line}\n    hint: ${diagnostic.hint}`;
}

/** Relative to `cwd` when the file is inside it; otherwise absolute (URLs as they are). */
function displayFile(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const relative = path.relative(cwd, file);
  const inside = relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
  return inside ? relative : file;
}
