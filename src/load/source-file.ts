/**
 * One document file parsed with `yaml`, keeping node ranges so problems and JSON pointers can be
 * mapped back to line:column. JSON files are checked as strict JSON first (YAML accepts more).
 */
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { Diagnostic, SourceLocation } from '../diagnostics.js';
import { findJsonSyntaxError } from './json-syntax.js';
import { jsonSyntaxError, moreSyntaxErrors, yamlSyntaxError, yamlWarning } from './problems.js';
import { checkTree } from './tree-checks.js';

export interface SourceFile {
  /** Absolute path. */
  readonly path: string;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
}

export interface ParsedSource {
  /** Absent when the text is not usable (syntax errors, duplicate keys, alias bombs). */
  readonly source?: SourceFile;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

/** yaml's default bound on alias expansion (uses of an anchor times the aliases inside it). */
export const MAX_ALIAS_COUNT = 100;

export function parseSourceFile(path: string, text: string): ParsedSource {
  if (/\.json$/i.test(path)) {
    const jsonError = findJsonSyntaxError(text);
    if (jsonError !== undefined) {
      return { diagnostics: [jsonSyntaxError(jsonError.message, locationInText(path, text, jsonError.offset))] };
    }
  }
  const lineCounter = new LineCounter();
  // `uniqueKeys: false`: yaml's own duplicate check is quadratic in the size of a mapping, which
  // makes documents with thousands of components crawl; `checkTree` does it in linear time.
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const source: SourceFile = { path, document, lineCounter };
  const diagnostics: Diagnostic[] = [
    ...syntaxErrors(source, document.errors),
    ...document.warnings.map((warning) => yamlWarning(warning.message, locationAt(source, warning.pos[0]))),
  ];
  if (document.errors.length > 0) return { diagnostics };
  const treeProblems = checkTree(source, MAX_ALIAS_COUNT);
  diagnostics.push(...treeProblems);
  return treeProblems.some((d) => d.severity === 'error') ? { diagnostics } : { source, diagnostics };
}

/** One indentation mistake can make yaml report hundreds of errors: show the first few only. */
const MAX_SYNTAX_ERRORS = 5;

function syntaxErrors(source: SourceFile, errors: ReadonlyArray<YAMLError>): Diagnostic[] {
  const shown = errors.slice(0, MAX_SYNTAX_ERRORS).map((error) => yamlSyntaxError(describeYamlError(error), locationAt(source, error.pos[0])));
  const firstHidden = errors[MAX_SYNTAX_ERRORS];
  if (firstHidden !== undefined) {
    shown.push(moreSyntaxErrors(errors.length - MAX_SYNTAX_ERRORS, locationAt(source, firstHidden.pos[0])));
  }
  return shown;
}

function describeYamlError(error: YAMLError): string {
  // yaml catches its own stack overflow and reports it as a syntax error at the deepest point.
  if (/maximum call stack size exceeded/i.test(error.message)) return 'the document is nested too deeply to be read';
  return error.message;
}

/** 1-based location of a character offset of the file's text. */
export function locationAt(source: SourceFile, offset: number): SourceLocation {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.path, line: Math.max(line, 1), column: Math.max(col, 1) };
}

function locationInText(file: string, text: string, offset: number): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { file, line, column: offset - lineStart + 1 };
}
