/**
 * Diagnostics: every problem found in a document or while generating, with where
 * it is. One type for all stages, printed as `file:line:col severity code message`.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface SourceLocation {
  /** Absolute path (or URL) of the file the problem is in. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable code, for example `parse-yaml`, `asyncapi-document-resolved`, `naming-collision`. */
  readonly code: string;
  readonly message: string;
  readonly location?: SourceLocation;
  /** JSON pointer in the resolved document, when the problem is about a node of it. */
  readonly pointer?: string;
  /** How to fix it, when we know. */
  readonly hint?: string;
}

/** A failure the user caused and can fix (bad input, bad options): printed without a stack trace. */
export class UserError extends Error {
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  constructor(message: string, diagnostics: ReadonlyArray<Diagnostic> = []) {
    super(message);
    this.name = 'UserError';
    this.diagnostics = diagnostics;
  }
}

export function hasErrors(diagnostics: ReadonlyArray<Diagnostic>): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Locates a JSON pointer of the resolved document in its source file, following `$ref`s. */
export type Locator = (pointer: string) => SourceLocation | undefined;
