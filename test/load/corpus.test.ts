/**
 * The shared corpus of real AsyncAPI documents (`../shared/specs`, when present): loading never
 * throws, every diagnostic is located, and the documents meant to be rejected are.
 *
 * Sequential on purpose: the parser is CPU-bound (about 0.4 s per document, most of it spectral
 * compiling the AsyncAPI JSON Schema again for every document), so loads side by side do not help.
 * To stay near a minute on a busy machine the non-NEGATIVE documents share a time budget; the
 * summary says how many were checked. ASYNCAPI_GEN_CORPUS_FULL=1 checks them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { loadDocument } from '../../src/load/index.js';
import { REPO } from './helpers.js';

const CORPUS = path.resolve(REPO, '../shared/specs');
const MANIFEST = path.join(CORPUS, 'MANIFEST.tsv');
const FULL = process.env['ASYNCAPI_GEN_CORPUS_FULL'] === '1';
const BUDGET_MS = FULL ? Number.POSITIVE_INFINITY : 50_000;

interface CorpusDocument {
  readonly path: string;
  readonly negative: boolean;
}

function corpusDocuments(): CorpusDocument[] {
  const [header, ...rows] = fs.readFileSync(MANIFEST, 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split('\t');
  const cell = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? '';
  return rows
    .map((row) => row.split('\t'))
    .filter((cells) => cell(cells, 'asyncapi_version') !== '-')
    .map((cells) => ({ path: cell(cells, 'path'), negative: cell(cells, 'notable_features').includes('NEGATIVE') }));
}

function unlocated(document: string, diagnostics: ReadonlyArray<Diagnostic>): string[] {
  return diagnostics
    .filter(({ location: l }) => l === undefined || l.line < 1 || l.column < 1 || !(path.isAbsolute(l.file) || /^https?:\/\//.test(l.file)))
    .map((d) => `${document}: ${d.code}`);
}

describe.skipIf(!fs.existsSync(MANIFEST))('the shared corpus', () => {
  const documents = fs.existsSync(MANIFEST) ? corpusDocuments() : [];

  it('rejects every NEGATIVE document with a located error', { timeout: 60_000 }, async () => {
    const accepted: string[] = [];
    for (const document of documents.filter((d) => d.negative)) {
      const result = await loadDocument(path.join(CORPUS, document.path));
      const locatedError = result.diagnostics.some((d) => d.severity === 'error' && unlocated(document.path, [d]).length === 0);
      if (result.document !== undefined || !locatedError) accepted.push(document.path);
    }
    expect(accepted).toEqual([]);
  });

  it('loads every document without throwing, with every diagnostic located', { timeout: FULL ? 900_000 : 120_000 }, async () => {
    const started = Date.now();
    let clean = 0;
    let failing = 0;
    const problems: string[] = [];
    const ordered = [...documents.filter((d) => d.negative), ...documents.filter((d) => !d.negative)];
    for (const document of ordered) {
      if (!document.negative && Date.now() - started > BUDGET_MS) break;
      const result = await loadDocument(path.join(CORPUS, document.path));
      if (result.document === undefined) failing++;
      else clean++;
      problems.push(...unlocated(document.path, result.diagnostics));
      if ((result.document === undefined) !== result.diagnostics.some((d) => d.severity === 'error')) {
        problems.push(`${document.path}: a document is returned exactly when there is no error`);
      }
    }
    const checked = clean + failing;
    console.log(
      `corpus: checked ${checked} of ${documents.length} documents in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `${clean} load cleanly, ${failing} fail (${documents.filter((d) => d.negative).length} NEGATIVE among them)` +
        (checked < documents.length ? `; ${documents.length - checked} skipped by the time budget` : ''),
    );
    expect(problems).toEqual([]);
  });
});
