/**
 * Conformance over the shared corpus of real AsyncAPI documents written by others
 * (`../shared/specs`, see its README.md). For every document of MANIFEST.tsv:
 * - NEGATIVE documents are rejected with located errors, never with an exception;
 * - every other document generates code that type-checks under the strict flags (NodeNext), or
 *   is rejected with located errors and listed in KNOWN_GAPS with the reason. A listed document
 *   that now passes fails the test too, so the list only shrinks.
 * Generation runs sequentially in this process; type-checks run in batches in the background.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { generate } from '../../src/generate/pipeline.js';
import { GENERATED_ROOT } from '../support/generated.js';
import {
  CORPUS_ROOT,
  corpusAvailable,
  outputFolderName,
  readCorpusDocuments,
  typecheckOutputs,
  writeOutput,
  type CorpusDocument,
  type WrittenOutput,
} from './corpus.js';
import { KNOWN_GAPS, type GapKind } from './known-gaps.js';

const OUTPUT_ROOT = path.join(GENERATED_ROOT, 'corpus');
// Each tsc run re-checks the libraries (a few seconds), so batches are large.
const TYPECHECK_BATCH_SIZE = 36;
const SUITE_TIMEOUT_MS = 20 * 60_000;

type Outcome =
  | { readonly kind: 'generated'; readonly errors: ReadonlyArray<Diagnostic>; readonly typecheck: string }
  | { readonly kind: 'rejected'; readonly errors: ReadonlyArray<Diagnostic> }
  | { readonly kind: 'threw'; readonly error: string };

const available = corpusAvailable();
if (!available) {
  console.warn(
    [
      '',
      '!'.repeat(100),
      `!!! CORPUS CONFORMANCE SKIPPED: ${CORPUS_ROOT} is missing.`,
      '!!! The real-world AsyncAPI documents are not checked in this run.',
      '!'.repeat(100),
      '',
    ].join('\n'),
  );
}
const documents: ReadonlyArray<CorpusDocument> = available ? readCorpusDocuments() : [];
const outcomes = new Map<string, Outcome>();
let elapsedSeconds = 0;

function isLocated(diagnostic: Diagnostic): boolean {
  const location = diagnostic.location;
  return location !== undefined && location.file !== '' && location.line >= 1 && location.column >= 1;
}

function describeErrors(errors: ReadonlyArray<Diagnostic>): string {
  return errors
    .slice(0, 8)
    .map((d) => `  ${d.code} ${d.location === undefined ? '(no location)' : `${path.relative(CORPUS_ROOT, d.location.file)}:${d.location.line}:${d.location.column}`} ${d.message}`)
    .join('\n');
}

/** Generates every document, in order, while finished batches are type-checked in the background. */
async function runCorpus(): Promise<void> {
  rmSync(OUTPUT_ROOT, { recursive: true, force: true });
  mkdirSync(OUTPUT_ROOT, { recursive: true });
  const generated = new Map<string, { errors: ReadonlyArray<Diagnostic>; document: CorpusDocument }>();
  let batch: WrittenOutput[] = [];
  let typechecks: Promise<void> = Promise.resolve();
  const flush = (): void => {
    const outputs = batch;
    batch = [];
    if (outputs.length === 0) return;
    // Chained, not parallel: generation already keeps one of the two cores busy.
    typechecks = typechecks.then(async () => {
      const complaints = await typecheckOutputs(OUTPUT_ROOT, `batch-${outputs[0]?.folder ?? ''}`, outputs);
      for (const { folder } of outputs) {
        const entry = generated.get(folder);
        if (entry !== undefined) outcomes.set(entry.document.path, { kind: 'generated', errors: entry.errors, typecheck: complaints.get(folder) ?? '' });
      }
    });
  };

  for (const [index, document] of documents.entries()) {
    try {
      const result = await generate({ spec: path.join(CORPUS_ROOT, document.path) });
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (!result.ok) {
        outcomes.set(document.path, { kind: 'rejected', errors });
        continue;
      }
      const written = await writeOutput(OUTPUT_ROOT, outputFolderName(index, document.path), result.files);
      generated.set(written.folder, { errors, document });
      batch.push(written);
      if (batch.length >= TYPECHECK_BATCH_SIZE) flush();
    } catch (error) {
      outcomes.set(document.path, { kind: 'threw', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }
  flush();
  await typechecks;
}

describe.runIf(available)('corpus conformance (../shared/specs)', () => {
  beforeAll(async () => {
    const started = performance.now();
    await runCorpus();
    elapsedSeconds = Math.round((performance.now() - started) / 1000);
  }, SUITE_TIMEOUT_MS);

  afterAll(() => {
    const gapsByKind = new Map<GapKind, number>();
    let passed = 0;
    let rejectedNegatives = 0;
    let failures = 0;
    for (const document of documents) {
      const outcome = outcomes.get(document.path);
      const gap = KNOWN_GAPS[document.path];
      if (document.negative) {
        if (outcome?.kind === 'rejected' && outcome.errors.some(isLocated)) rejectedNegatives++;
        else failures++;
      } else if (outcome?.kind === 'generated' && outcome.typecheck === '' && gap === undefined) {
        passed++;
      } else if (outcome?.kind === 'rejected' && gap !== undefined) {
        gapsByKind.set(gap.kind, (gapsByKind.get(gap.kind) ?? 0) + 1);
      } else {
        failures++;
      }
    }
    const gaps = [...gapsByKind.values()].reduce((sum, count) => sum + count, 0);
    const gapDetail = [...gapsByKind.entries()].map(([kind, count]) => `${kind} ${count}`).join(', ');
    console.log(
      `corpus: ${documents.length} documents in ${elapsedSeconds} s: ${passed} generated + type-checked, ` +
        `${gaps} known gaps (${gapDetail || 'none'}), ${rejectedNegatives} negative rejected, ${failures} failing`,
    );
  });

  it('lists in KNOWN_GAPS only documents of the corpus that are not NEGATIVE', () => {
    const byPath = new Map(documents.map((document) => [document.path, document]));
    const stale = Object.keys(KNOWN_GAPS).filter((key) => byPath.get(key) === undefined || byPath.get(key)?.negative === true);
    expect(stale, 'KNOWN_GAPS entries that are not non-NEGATIVE corpus documents').toEqual([]);
  });

  it.each(documents.filter((document) => document.negative).map((document) => [document.path, document] as const))(
    'rejects NEGATIVE %s with located errors',
    (_, document) => {
      const outcome = outcomes.get(document.path);
      if (outcome?.kind === 'threw') expect.fail(`generation threw:\n${outcome.error}`);
      expect(outcome?.kind, 'a NEGATIVE document must be rejected').toBe('rejected');
      if (outcome?.kind !== 'rejected') return;
      expect(outcome.errors.length, 'at least one error').toBeGreaterThan(0);
      expect(outcome.errors.filter((d) => !isLocated(d)), `errors without a location:\n${describeErrors(outcome.errors)}`).toEqual([]);
    },
  );

  it.each(documents.filter((document) => !document.negative).map((document) => [document.path, document] as const))(
    'generates type-checked code for %s, or it is a known gap',
    (_, document) => {
      const outcome = outcomes.get(document.path);
      const gap = KNOWN_GAPS[document.path];
      if (outcome === undefined) expect.fail('no outcome recorded');
      if (outcome.kind === 'threw') expect.fail(`generation threw:\n${outcome.error}`);
      if (outcome.kind === 'generated') {
        expect(outcome.errors, 'ok with error diagnostics').toEqual([]);
        expect(outcome.typecheck, 'the generated code must type-check (strict, NodeNext)').toBe('');
        expect(gap, 'this document passes now: remove it from KNOWN_GAPS').toBeUndefined();
        return;
      }
      if (gap === undefined) expect.fail(`rejected, and not in KNOWN_GAPS:\n${describeErrors(outcome.errors)}`);
      expect(outcome.errors.filter((d) => !isLocated(d)), `errors without a location:\n${describeErrors(outcome.errors)}`).toEqual([]);
      expect(outcome.errors.map((d) => d.code), `KNOWN_GAPS says it fails with ${gap.code} (${gap.reason})`).toContain(gap.code);
    },
  );
});
