/**
 * Converts the AsyncAPI parser's (spectral's) diagnostics to ours: 1-based locations in the file
 * named by `source`, severities by name, and `$ref` errors moved to the `$ref` that caused them
 * (spectral often locates those in the wrong file or at 1:1).
 */
import path from 'node:path';
import type { Diagnostic, Severity, SourceLocation } from '../diagnostics.js';
import { formatJsonPointer, parseJsonPointer } from './json-pointer.js';
import { parserCrash, remoteRefRefused, startOf } from './problems.js';
import type { RefSite } from './ref-scan.js';
import type { RefTarget } from './ref.js';
import { locationAt, type SourceFile } from './source-file.js';
import { nodeAt, startOffset } from './yaml-nodes.js';

/** The fields of a spectral diagnostic that we use. */
export interface ParserDiagnostic {
  readonly code: string | number;
  readonly message: string;
  readonly path: ReadonlyArray<string | number>;
  readonly severity: number;
  readonly source?: string | null;
  readonly range?: { readonly start: { readonly line: number; readonly character: number } };
}

export interface ConversionContext {
  readonly mainFile: string;
  readonly sites: ReadonlyArray<RefSite>;
  readonly lookup: (file: string) => SourceFile | undefined;
  /** Remote `$ref`s were refused: what the parser says about remote documents is noise then. */
  readonly remoteRefsRefused: boolean;
}

const SEVERITIES: ReadonlyArray<Severity> = ['error', 'warning', 'info', 'hint'];

export function convertParserDiagnostics(raw: ReadonlyArray<ParserDiagnostic>, context: ConversionContext): Diagnostic[] {
  const converted: Diagnostic[] = [];
  let refusedNoise = false;
  for (const diagnostic of raw) {
    if (context.remoteRefsRefused && isAboutRemoteDocument(diagnostic)) {
      refusedNoise = true;
      continue;
    }
    converted.push(...convertOne(diagnostic, context));
  }
  const refusedSites = context.sites.filter((site) => site.target.kind === 'remote');
  if (refusedNoise && refusedSites.length === 0) {
    // The parser met a remote document our scan did not see: still fail, at the top of the file.
    converted.push(remoteRefRefused('(an http(s) reference)', startOf(context.mainFile)));
  }
  return converted;
}

function convertOne(diagnostic: ParserDiagnostic, context: ConversionContext): Diagnostic[] {
  const code = String(diagnostic.code);
  if (code === 'uncaught-error') {
    return [parserCrash(context.mainFile, withoutStack(diagnostic.message))];
  }
  const file = sourceFileOf(diagnostic, context.mainFile);
  const hint = code === 'invalid-ref' ? refHint(diagnostic.message) : undefined;
  const make = (location: SourceLocation, pointerFile: string, pointerPath: ReadonlyArray<string | number>): Diagnostic => ({
    severity: SEVERITIES[diagnostic.severity] ?? 'error',
    code,
    message: diagnostic.message,
    location,
    // A path inside the main file is also a pointer of the resolved document; one inside another file is not.
    ...(pointerFile === context.mainFile && pointerPath.length > 0 ? { pointer: formatJsonPointer(pointerPath) } : {}),
    ...(hint === undefined ? {} : { hint }),
  });
  if (code === 'invalid-ref') {
    const sites = sitesBehind(diagnostic, context.sites);
    if (sites.length > 0) return sites.map((site) => make(site.location, site.file, site.path));
    return [make(locateByPath(diagnostic, file, context) ?? rangeLocation(diagnostic, file), file, diagnostic.path)];
  }
  return [make(rangeLocation(diagnostic, file), file, diagnostic.path)];
}

function sourceFileOf(diagnostic: ParserDiagnostic, mainFile: string): string {
  const source = diagnostic.source;
  if (source === undefined || source === null || source === '') return mainFile;
  return isUrl(source) ? source : path.resolve(source);
}

function rangeLocation(diagnostic: ParserDiagnostic, file: string): SourceLocation {
  // Spectral ranges are 0-based; a diagnostic without one is about the whole file.
  const start = diagnostic.range?.start ?? { line: 0, character: 0 };
  return { file, line: start.line + 1, column: start.character + 1 };
}

/** Where `path` is in the diagnostic's own file, when the file was read and the path exists. */
function locateByPath(diagnostic: ParserDiagnostic, file: string, context: ConversionContext): SourceLocation | undefined {
  const source = context.lookup(file);
  if (source === undefined) return undefined;
  const node = nodeAt(source.document, source.document.contents ?? undefined, diagnostic.path.map(String));
  return node === undefined ? undefined : locationAt(source, startOffset(node));
}

/**
 * The `$ref`s a resolver error is about, recognised from its message:
 * `'#/a' does not exist @ '<file or url>'`, `'#/a' does not exist` (a local reference), or a
 * message naming the target (`ENOENT: ... open '<file>'`, `request to <url> failed`).
 */
function sitesBehind(diagnostic: ParserDiagnostic, sites: ReadonlyArray<RefSite>): RefSite[] {
  const missing = /^'([^']*)' does not exist(?: @ '([^']*)')?/.exec(diagnostic.message);
  if (missing !== null) {
    const pointer = parseJsonPointer(missing[1] ?? '');
    const where = missing[2];
    const matching = sites.filter(
      (site) =>
        pointer !== undefined &&
        samePointer(targetPointer(site.target), pointer) &&
        (where === undefined ? site.ref.startsWith('#') : targetName(site.target) === where),
    );
    const atPath = matching.filter((site) => samePointer([...site.path, '$ref'], diagnostic.path.map(String)));
    return atPath.length > 0 ? atPath : matching;
  }
  return sites.filter((site) => {
    const name = targetName(site.target);
    return name !== undefined && site.ref.split('#')[0] !== '' && diagnostic.message.includes(name);
  });
}

function targetName(target: RefTarget): string | undefined {
  if (target.kind === 'file') return target.file;
  if (target.kind === 'remote') return target.url;
  return undefined;
}

function targetPointer(target: RefTarget): ReadonlyArray<string> | undefined {
  return target.kind === 'unsupported' ? undefined : target.pointer;
}

function samePointer(a: ReadonlyArray<string> | undefined, b: ReadonlyArray<string>): boolean {
  return a !== undefined && a.length === b.length && a.every((segment, index) => segment === b[index]);
}

function refHint(message: string): string | undefined {
  if (/ENOENT/.test(message)) {
    return 'A relative $ref is resolved against the folder of the file that contains it, not the working directory.';
  }
  if (/does not exist/.test(message)) return 'Check the JSON pointer after `#` (it is case-sensitive; `/` in a key is written `~1`).';
  return undefined;
}

function isAboutRemoteDocument(diagnostic: ParserDiagnostic): boolean {
  const source = diagnostic.source ?? '';
  if (isUrl(source)) return true;
  return String(diagnostic.code) === 'invalid-ref' && /https?:\/\//i.test(diagnostic.message);
}

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function withoutStack(message: string): string {
  const stackAt = message.indexOf(', stack: ');
  return stackAt === -1 ? message : message.slice(0, stackAt);
}
