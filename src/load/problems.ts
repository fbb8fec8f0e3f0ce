/**
 * Factories for every diagnostic the load stage makes itself, so each code, message and hint is
 * written once. Diagnostics relayed from the AsyncAPI parser are converted in `parser-diagnostics.ts`.
 */
import type { Diagnostic, SourceLocation } from '../diagnostics.js';
import { SUPPORTED_VERSIONS } from './versions.js';

export function startOf(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

const SUPPORTED_LIST = SUPPORTED_VERSIONS.join(', ');

export function fileNotFound(file: string): Diagnostic {
  return {
    severity: 'error',
    code: 'file-not-found',
    message: `file not found: ${file}`,
    location: startOf(file),
    hint: 'Check the path; a relative path is resolved against the current working directory.',
  };
}

export function notAFile(file: string): Diagnostic {
  return {
    severity: 'error',
    code: 'not-a-file',
    message: `${file} is a directory, not an AsyncAPI document`,
    location: startOf(file),
    hint: 'Pass the path of the main document file, for example asyncapi.yaml inside that folder.',
  };
}

export function refTargetIsADirectory(ref: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'not-a-file',
    message: `$ref "${ref}" points at a directory, not a file`,
    location,
    hint: 'A $ref names a file, optionally followed by #/a/json/pointer.',
  };
}

export function fileUnreadable(file: string, reason: string): Diagnostic {
  return {
    severity: 'error',
    code: 'file-unreadable',
    message: `cannot read ${file}: ${reason}`,
    location: startOf(file),
    hint: 'Check the file permissions.',
  };
}

export function fileTooLarge(file: string, bytes: number, maxBytes: number): Diagnostic {
  return {
    severity: 'error',
    code: 'document-too-large',
    message: `${file} is ${formatCount(bytes)} bytes; documents over ${formatCount(maxBytes)} bytes are refused`,
    location: startOf(file),
    hint: 'Split the document into files joined by $ref, or raise the limit (LoadOptions.maxFileBytes).',
  };
}

export function documentTooLarge(file: string, lines: number, maxLines: number): Diagnostic {
  return {
    severity: 'error',
    code: 'document-too-large',
    message:
      `the document has about ${formatCount(lines)} lines (counting every JSON comma as a line) in this file and the files it references; ` +
      `the limit is ${formatCount(maxLines)} because the AsyncAPI parser slows down faster than documents grow and would seem to hang`,
    location: startOf(file),
    hint: 'Remove what the code generator does not need, or raise the limit (LoadOptions.maxLines) and be patient.',
  };
}

export function emptyDocument(file: string): Diagnostic {
  return {
    severity: 'error',
    code: 'empty-document',
    message: 'the file is empty (or holds only comments)',
    location: startOf(file),
    hint: 'An AsyncAPI document starts with `asyncapi: 3.0.0`, then `info` with a title and a version.',
  };
}

export function notText(reason: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'not-text',
    message: `the file is not UTF-8 text (${reason})`,
    location,
    hint: 'AsyncAPI documents are YAML or JSON saved as UTF-8; check that this is the right file.',
  };
}

export function yamlSyntaxError(message: string, location: SourceLocation): Diagnostic {
  return { severity: 'error', code: 'parse-yaml', message: `YAML syntax error: ${message}`, location };
}

export function moreSyntaxErrors(count: number, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'parse-yaml',
    message: `${count} more YAML syntax errors from here on, often caused by the ones above`,
    location,
    hint: 'Fix the first errors and run again.',
  };
}

export function yamlWarning(message: string, location: SourceLocation): Diagnostic {
  return { severity: 'warning', code: 'parse-yaml', message, location };
}

export function jsonSyntaxError(message: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'parse-json',
    message: `JSON syntax error: ${message}`,
    location,
    hint: 'A file whose name ends in .json must be strict JSON (no comments, no trailing commas).',
  };
}

export function duplicateKey(key: string, location: SourceLocation, first: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'duplicate-key',
    message: `duplicate key "${key}" (first defined at line ${first.line}, column ${first.column})`,
    location,
    hint: 'Keys of a mapping must be unique: remove or rename one of them.',
  };
}

export function keyBreaksParser(key: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'unsupported-key',
    message: `the key "${key}" cannot be used: @asyncapi/parser treats it as a member of JavaScript objects and ${key === '__proto__' ? 'loses or misreads what is under it' : 'crashes'}`,
    location,
    hint: 'Rename it (for a payload property, choose another name and map it in your code).',
  };
}

export function tooManyAliases(location: SourceLocation, maxAliasCount: number): Diagnostic {
  return {
    severity: 'error',
    code: 'yaml-alias-limit',
    message: `YAML aliases expand to too many nodes (more than ${maxAliasCount} per anchor): this looks like a "billion laughs" document`,
    location,
    hint: 'Replace nested YAML anchors and aliases (&name / *name) with $ref.',
  };
}

export function notAnObject(found: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'not-an-object',
    message: `an AsyncAPI document must be a mapping (an object) at the top level, found ${found}`,
    location,
  };
}

export function missingVersion(location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'missing-asyncapi-version',
    message: 'the document has no `asyncapi` field, so it is not an AsyncAPI document (or its version is unknown)',
    location,
    hint: 'Add `asyncapi: 3.0.0` (or the 2.x version it was written for) as the first line.',
  };
}

export function versionOneNotSupported(version: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'unsupported-version',
    message: `AsyncAPI ${version} is not supported: AsyncAPI 1.x is not supported (supported versions: ${SUPPORTED_LIST})`,
    location,
    hint: 'Convert it with the AsyncAPI CLI: `asyncapi convert <file> --target-version=3.0.0` (or 2.6.0).',
  };
}

export function versionNotSupported(version: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'unsupported-version',
    message: `AsyncAPI ${version} is not supported (supported versions: ${SUPPORTED_LIST})`,
    location,
    hint: 'Set `asyncapi` to one of the supported versions the document is written for.',
  };
}

export function versionNotAString(written: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'unsupported-version',
    message: `\`asyncapi\` must be a version string such as "3.0.0", found ${written}`,
    location,
    hint: `Use one of: ${SUPPORTED_LIST} (quote it in YAML if needed, for example asyncapi: '3.0.0').`,
  };
}

export function remoteRefRefused(ref: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'remote-ref-refused',
    message: `remote $ref "${ref}" refused: fetching http(s) references is off by default`,
    location,
    hint: 'Run with --allow-remote-refs to fetch it, or download the file and $ref it by a relative path.',
  };
}

export function refLeftUnresolved(pointer: string, location: SourceLocation): Diagnostic {
  return {
    severity: 'warning',
    code: 'ref-left-unresolved',
    message: `the $ref at ${pointer} could not be replaced by its target (the parser left it in place, and its target could not be found)`,
    location,
    pointer,
    hint: 'Code for this node may be missing or loosely typed; a $ref that does not go through a cycle avoids this.',
  };
}

export function parserCrash(file: string, message: string): Diagnostic {
  return {
    severity: 'error',
    code: 'parser-crash',
    message: `the AsyncAPI parser failed unexpectedly: ${message}`,
    location: startOf(file),
    hint: 'This is probably a bug in @asyncapi/parser or asyncapi-gen; please report it with the document.',
  };
}

export function invalidWithoutReason(file: string): Diagnostic {
  return {
    severity: 'error',
    code: 'document-invalid',
    message: 'the AsyncAPI parser rejected the document without saying why',
    location: startOf(file),
    hint: 'Validate it with `asyncapi validate` for details; please report this with the document.',
  };
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
