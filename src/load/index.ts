/**
 * Stage 1, load: reads an AsyncAPI document (YAML or JSON, split over files by `$ref`), checks
 * what the parser does not (files, text, syntax, version, remote references, size), runs
 * @asyncapi/parser, and reports every problem with a file:line:col.
 */
import path from 'node:path';
import { loadCacheKey, type CachedLoad, type LoadCache } from '../cache/index.js';
import { toolVersion } from '../cache/tool-version.js';
import { hasErrors, type Diagnostic, type Locator } from '../diagnostics.js';
import { dedupeAndSort } from './diagnostic-list.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LINES } from './document-size.js';
import { resolveLeftoverRefs } from './leftover-refs.js';
import { createLocator } from './locator.js';
import { convertParserDiagnostics, type ParserDiagnostic } from './parser-diagnostics.js';
import {
  documentTooLarge,
  emptyDocument,
  invalidWithoutReason,
  parserCrash,
  refLeftUnresolved,
  remoteRefRefused,
  startOf,
} from './problems.js';
import { readSourceText } from './read-source.js';
import { scanRefs, type RefSite } from './ref-scan.js';
import { refCycles } from './ref-cycles.js';
import type { SourceFile } from './source-file.js';
import { SourceFiles } from './source-files.js';
import { checkAsyncApiVersion } from './version-check.js';
import { isWithinFolder } from '../paths.js';

export { formatDiagnostic } from './format.js';

export interface LoadOptions {
  /** Allow http(s) `$ref`s to be fetched. Default false: they are refused with a located error. */
  readonly allowRemoteRefs?: boolean;
  /** Refuse files bigger than this many bytes without reading them. Default 64 MiB. */
  readonly maxFileBytes?: number;
  /**
   * Refuse documents (all their files together) longer than this many lines, counting commas as
   * lines in minified JSON: the parser would take minutes. Default 150,000.
   */
  readonly maxLines?: number;
  /**
   * Earlier results, looked up by a hash of the tool version, these options and every file read:
   * a hit skips @asyncapi/parser. Not used for a document whose remote `$ref`s are fetched.
   */
  readonly cache?: LoadCache;
}

export interface LoadedDocument {
  /** The resolved document from @asyncapi/parser: `parsed.document.json()` — $refs replaced by target objects (cycles real), x-parser-* annotations. */
  readonly json: Record<string, unknown>;
  /** AsyncAPI version string as written. */
  readonly asyncapiVersion: string;
  /** Absolute path of the main file. */
  readonly sourceFile: string;
  /** Every file that was read (main + referenced), absolute paths, sorted. */
  readonly files: ReadonlyArray<string>;
  /** Maps a JSON pointer of the resolved document to file:line:col, following $refs across files. */
  readonly locate: Locator;
}

export interface LoadResult {
  /** Absent when there are errors. */
  readonly document?: LoadedDocument;
  /** Sorted by file, line, column; errors and warnings, infos and hints as the parser rates them. */
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  /** Set when `options.cache` was used: true when the result came from it and the parser did not run. */
  readonly cached?: boolean;
}

/**
 * A load read up to the point where the parser would run: every file is read and checked, and
 * the cache key (with a cache) is known, so a caller can look up work it keeps under that key
 * before paying for the parse.
 */
export type PreparedLoad =
  | { readonly done: true; readonly result: LoadResult }
  | {
      readonly done: false;
      /** The key of this load in `options.cache`; absent without a cache, or for a document that fetches remote refs. */
      readonly cacheKey?: string;
      /** Every file read (main + referenced): absolute path and the text the load used, sorted by path. */
      readonly inputs: ReadonlyArray<{ readonly path: string; readonly text: string }>;
      /** The rest of the load: the cache lookup, else the parser. Call it once. */
      finish(): Promise<LoadResult>;
      /**
       * After `finish`: whether the parser read files or fetched documents beyond `inputs` (refs
       * inside a file the load could not scan). Such a result is not cached: no key covers them.
       */
      readBeyondInputs(): boolean;
    };

/** Never throws for a problem of the input: every one is a diagnostic. */
export async function loadDocument(specPath: string, options: LoadOptions = {}): Promise<LoadResult> {
  const prepared = await prepareLoad(specPath, options);
  return prepared.done ? prepared.result : prepared.finish();
}

/** The first half of `loadDocument`: reading, checking and the cache key. Never throws for a problem of the input. */
export async function prepareLoad(specPath: string, options: LoadOptions = {}): Promise<PreparedLoad> {
  const mainFile = path.resolve(specPath);
  const allowRemoteRefs = options.allowRemoteRefs ?? false;
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files = new SourceFiles({ maxFileBytes, maxLines });
  const lookup = (file: string): SourceFile | undefined => files.get(file);
  const done = (result: LoadResult): PreparedLoad => ({ done: true, result });

  const main = await files.load(mainFile);
  if (!main.ok) return done(failed(main.diagnostics));
  const diagnostics: Diagnostic[] = [...main.diagnostics];
  if (main.source.document.contents === null) return done(failed([...diagnostics, emptyDocument(mainFile)]));
  const version = checkAsyncApiVersion(main.source);
  if (!version.ok) return done(failed([...diagnostics, version.diagnostic]));

  const scan = await scanRefs(main.source, files);
  diagnostics.push(...scan.diagnostics);
  const remoteSites = scan.sites.filter((site) => site.target.kind === 'remote');
  diagnostics.push(...refsOutsideFolder(mainFile, scan.sites));
  diagnostics.push(...refCycles(scan.sites));
  if (!allowRemoteRefs) diagnostics.push(...remoteSites.map((site) => remoteRefRefused(site.ref, site.location)));
  if (files.totalLines() > maxLines) diagnostics.push(documentTooLarge(mainFile, files.totalLines(), maxLines));
  // Refused remote refs do not stop the parser: it reports the document's other problems too.
  if (hasErrors(diagnostics.filter((d) => d.code !== 'remote-ref-refused'))) return done(failed(diagnostics));

  // Remote content is not part of the key, so a document that fetches some is never cached.
  const cache = allowRemoteRefs && remoteSites.length > 0 ? undefined : options.cache;
  const inputs = files.readFiles().map((file) => ({ path: file, text: files.text(file) ?? '' }));
  const cacheKey = cache === undefined ? undefined : loadCacheKey({ toolVersion: toolVersion(), allowRemoteRefs, maxFileBytes, maxLines, files: inputs });

  let readBeyond = false;
  const finish = async (): Promise<LoadResult> => {
    const hit = cache === undefined || cacheKey === undefined ? undefined : await cachedLoad(cache, cacheKey);
    if (hit !== undefined) {
      if (hit.document === undefined) return { diagnostics: hit.diagnostics, cached: true };
      const { json, asyncapiVersion } = hit.document;
      const locate = createLocator(main.source, lookup);
      const document: LoadedDocument = { json, asyncapiVersion, sourceFile: mainFile, files: files.readFiles(), locate };
      return { document, diagnostics: hit.diagnostics, cached: true };
    }
    const remember = async (result: LoadResult): Promise<LoadResult> => {
      if (cache === undefined || cacheKey === undefined) return result;
      // The parser reads referenced files itself: one saved again meanwhile would file this result under the old contents.
      if (!readBeyond && (await unchangedOnDisk(files, maxFileBytes))) await storeLoad(cache, cacheKey, result);
      return { ...result, cached: false };
    };

    // A referenced file the load tried and could not read is covered: its appearing changes the key.
    const scannedFiles = new Set(scan.sites.flatMap((site) => (site.target.kind === 'file' ? [site.target.file] : [])));
    const parsed = await runParser(main.source, files.text(mainFile) ?? '', allowRemoteRefs, (file) => files.text(file), (href, decoded) => {
      if (!scannedFiles.has(href) && !scannedFiles.has(decoded)) readBeyond = true;
    });
    // A crash says nothing certain about the document, so it is not remembered.
    if (!parsed.ok) return { ...failed([...diagnostics, parsed.diagnostic]), ...(cache === undefined ? {} : { cached: false }) };
    diagnostics.push(
      ...convertParserDiagnostics(parsed.diagnostics, {
        mainFile,
        sites: scan.sites,
        lookup,
        remoteRefsRefused: !allowRemoteRefs,
      }),
    );
    if (parsed.json === undefined || hasErrors(diagnostics)) {
      return remember(failed(hasErrors(diagnostics) ? diagnostics : [...diagnostics, invalidWithoutReason(mainFile)]));
    }
    const locate = createLocator(main.source, lookup);
    const leftovers = resolveLeftoverRefs(parsed.json, main.source, lookup);
    diagnostics.push(...leftovers.unresolved.map((pointer) => refLeftUnresolved(pointer, locate(pointer) ?? startOf(mainFile))));
    return remember({
      document: {
        json: parsed.json,
        asyncapiVersion: version.version,
        sourceFile: mainFile,
        files: files.readFiles(),
        locate,
      },
      diagnostics: dedupeAndSort(diagnostics),
    });
  };
  return { done: false, ...(cacheKey === undefined ? {} : { cacheKey }), inputs, finish, readBeyondInputs: () => readBeyond };
}

/** A cache that fails to answer is a miss: the cache only ever saves time. */
async function cachedLoad(cache: LoadCache, key: string): Promise<CachedLoad | undefined> {
  try {
    return await cache.get(key);
  } catch {
    return undefined;
  }
}

async function storeLoad(cache: LoadCache, key: string, result: LoadResult): Promise<void> {
  const { document } = result;
  const value: CachedLoad = {
    diagnostics: result.diagnostics,
    ...(document === undefined ? {} : { document: { json: document.json, asyncapiVersion: document.asyncapiVersion } }),
  };
  try {
    await cache.set(key, value);
  } catch {
    // Not stored: the next load runs the parser again.
  }
}

async function unchangedOnDisk(files: SourceFiles, maxFileBytes: number): Promise<boolean> {
  for (const file of files.readFiles()) {
    const current = await readSourceText(file, maxFileBytes);
    if (!current.ok || current.text !== files.text(file)) return false;
  }
  return true;
}

type ParserRun =
  | {
      readonly ok: true;
      readonly json: Record<string, unknown> | undefined;
      readonly diagnostics: ReadonlyArray<ParserDiagnostic>;
    }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

async function runParser(
  main: SourceFile,
  text: string,
  allowRemoteRefs: boolean,
  readText: (file: string) => string | undefined,
  onReadBeyond: (href: string, decoded: string) => void,
): Promise<ParserRun> {
  // Imported on first use: loading @asyncapi/parser takes about a second, which a cache hit never needs.
  const { asyncApiParser } = await import('./asyncapi-parser.js');
  try {
    const output = await asyncApiParser(allowRemoteRefs, readText, onReadBeyond).parse(text, { source: main.path });
    const json: unknown = output.document?.json();
    return { ok: true, json: isRecord(json) ? json : undefined, diagnostics: output.diagnostics };
  } catch (error) {
    return { ok: false, diagnostic: parserCrash(main.path, error instanceof Error ? error.message : String(error)) };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failed(diagnostics: ReadonlyArray<Diagnostic>): LoadResult {
  return { diagnostics: dedupeAndSort(diagnostics) };
}

/** Local `$ref`s that leave the main document's folder tree are allowed, and said (with --verbose). */
function refsOutsideFolder(mainFile: string, sites: ReadonlyArray<RefSite>): Diagnostic[] {
  const home = path.dirname(mainFile);
  const reported = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const site of sites) {
    if (site.target.kind !== 'file') continue;
    if (isWithinFolder(site.target.file, home)) continue;
    if (reported.has(site.target.file)) continue;
    reported.add(site.target.file);
    diagnostics.push({
      severity: 'info',
      code: 'ref-outside-folder',
      message: `$ref "${site.ref}" reads ${site.target.file}, outside the document's folder ${home}`,
      location: site.location,
    });
  }
  return diagnostics;
}
