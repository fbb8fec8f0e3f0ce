/**
 * The files of one load, each read and parsed at most once. Created per `loadDocument` call (no
 * module-level cache, so a file edited between two loads is read again).
 */
import type { Diagnostic } from '../diagnostics.js';
import { estimateLines } from './document-size.js';
import { documentTooLarge } from './problems.js';
import { nodeFileSystem, readSourceText, type SourceFileSystem } from './read-source.js';
import { parseSourceFile, type SourceFile } from './source-file.js';

export type LoadedSource =
  | { readonly ok: true; readonly source: SourceFile; readonly diagnostics: ReadonlyArray<Diagnostic> }
  | { readonly ok: false; readonly diagnostics: ReadonlyArray<Diagnostic> };

export interface SourceLimits {
  readonly maxFileBytes: number;
  readonly maxLines: number;
}

export class SourceFiles {
  private readonly loads = new Map<string, Promise<LoadedSource>>();
  private readonly parsed = new Map<string, SourceFile>();
  private readonly texts = new Map<string, string>();
  private lines = 0;

  constructor(
    private readonly limits: SourceLimits,
    private readonly fileSystem: SourceFileSystem = nodeFileSystem,
  ) {}

  /**
   * Reads and parses `file` (an absolute path) once; later calls share the first result.
   * A referenced file that is not named as YAML or JSON (Markdown, .avsc, ...) may not be YAML at
   * all: its syntax errors are left to the parser, which decides what such a file means.
   */
  load(file: string, role: 'main' | 'referenced' = 'main'): Promise<LoadedSource> {
    let loading = this.loads.get(file);
    if (loading === undefined) {
      loading = this.readAndParse(file, role === 'main' || /\.(ya?ml|json)$/i.test(file));
      this.loads.set(file, loading);
    }
    return loading;
  }

  /** A file that has been loaded without errors, for synchronous lookups after the scan. */
  get(file: string): SourceFile | undefined {
    return this.parsed.get(file);
  }

  /** The text of a file as read, which is what the AsyncAPI parser gets. */
  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  /** Every file that was read, sorted. */
  readFiles(): string[] {
    return [...this.texts.keys()].sort();
  }

  /** The size estimate of all files read so far (see `document-size.ts`). */
  totalLines(): number {
    return this.lines;
  }

  private async readAndParse(file: string, reportSyntax: boolean): Promise<LoadedSource> {
    const read = await readSourceText(file, this.limits.maxFileBytes, this.fileSystem);
    if (!read.ok) return { ok: false, diagnostics: [read.diagnostic] };
    this.texts.set(file, read.text);
    const lines = estimateLines(read.text);
    this.lines += lines;
    // Checked before parsing: parsing tens of MB of YAML takes longer than refusing it.
    if (lines > this.limits.maxLines) {
      return { ok: false, diagnostics: [documentTooLarge(file, lines, this.limits.maxLines)] };
    }
    const parsed = parseSourceFile(file, read.text);
    if (parsed.source === undefined) return { ok: false, diagnostics: reportSyntax ? parsed.diagnostics : [] };
    this.parsed.set(file, parsed.source);
    return { ok: true, source: parsed.source, diagnostics: parsed.diagnostics };
  }
}
