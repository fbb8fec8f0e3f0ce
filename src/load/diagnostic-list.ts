/** The final shape of a diagnostic list: identical entries removed, ordered by file, line, column. */
import type { Diagnostic } from '../diagnostics.js';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2, hint: 3 } as const;

export function dedupeAndSort(diagnostics: ReadonlyArray<Diagnostic>): Diagnostic[] {
  const byIdentity = new Map<string, Diagnostic>();
  for (const diagnostic of diagnostics) {
    const { location: l } = diagnostic;
    const identity = JSON.stringify([diagnostic.severity, diagnostic.code, diagnostic.message, l?.file, l?.line, l?.column, diagnostic.pointer, diagnostic.hint]);
    if (!byIdentity.has(identity)) byIdentity.set(identity, diagnostic);
  }
  return [...byIdentity.values()].sort(compareDiagnostics);
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareText(a.location?.file ?? '', b.location?.file ?? '') ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
