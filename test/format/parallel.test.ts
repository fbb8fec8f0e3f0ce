/**
 * Formatting: the parallel path gives the bytes the single-threaded one gives, in order, and fails
 * the same way; and the parser prettier uses (`babel-ts`, chosen for speed) formats every golden
 * file exactly as prettier's `typescript` parser would.
 */
import { readFileSync } from 'node:fs';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { FORMAT_WARM_UP_FILE, formatAll, startFormattingWorkers, stopFormattingWorkers, waitingFormattingWorkers } from '../../src/format/parallel.js';
import { formatTypeScript, PRETTIER_OPTIONS } from '../../src/format/prettier.js';
import { goldenFiles, unformatted } from './documents.js';

describe('formatAll', () => {
  const files = goldenFiles();

  it('gives, on worker threads, the bytes and the order of formatting each file here', { timeout: 120_000 }, async () => {
    expect(files.length).toBeGreaterThan(20);
    const texts = files.map((file) => unformatted(readFileSync(file, 'utf8')));
    const expected = await Promise.all(texts.map(formatTypeScript));
    for (const lanes of [2, 3]) {
      expect(await formatAll(texts, { lanes, thresholdChars: 0 })).toEqual(expected);
    }
    // Below the threshold, everything stays on this thread; the result is the same.
    expect(await formatAll(texts, { lanes: 2 })).toEqual(expected);
  });

  it('uses workers started ahead, warmed up on the build\'s sample, for any amount of text; unused ones stop', { timeout: 120_000 }, async () => {
    const sample: unknown = JSON.parse(readFileSync(FORMAT_WARM_UP_FILE, 'utf8'));
    expect(Array.isArray(sample) && sample.length === 3 && sample.every((text) => typeof text === 'string' && text.includes('export'))).toBe(true);
    const texts = files.slice(0, 6).map((file) => unformatted(readFileSync(file, 'utf8')));
    const expected = await Promise.all(texts.map(formatTypeScript));
    startFormattingWorkers(2);
    expect(waitingFormattingWorkers()).toHaveLength(1);
    // Far below the threshold, yet formatted with the started worker too: the same bytes, in order.
    expect(await formatAll(texts, { lanes: 2 })).toEqual(expected);
    expect(waitingFormattingWorkers()).toHaveLength(0);
    startFormattingWorkers(3);
    expect(waitingFormattingWorkers()).toHaveLength(2);
    await stopFormattingWorkers();
    expect(waitingFormattingWorkers()).toHaveLength(0);
    expect(await formatAll(texts, { lanes: 3, thresholdChars: 0 })).toEqual(expected);
    startFormattingWorkers(2);
    await expect(formatAll(['export const a = 1;', 'export const = ;'], { lanes: 2 })).rejects.toThrow(/Unexpected token|expected/i);
  });

  it('does not hand work to a started worker that has stopped meanwhile, and nothing crashes', { timeout: 60_000 }, async () => {
    const texts = files.slice(0, 4).map((file) => unformatted(readFileSync(file, 'utf8')));
    const expected = await Promise.all(texts.map(formatTypeScript));
    startFormattingWorkers(2);
    // What happens when a worker cannot load prettier or runs out of memory while warming up.
    await Promise.all(waitingFormattingWorkers().map((worker) => worker.terminate()));
    expect(waitingFormattingWorkers()).toHaveLength(1);
    expect(await formatAll(texts, { lanes: 2, thresholdChars: 0 })).toEqual(expected);
    expect(waitingFormattingWorkers()).toHaveLength(0);
  });

  it('rejects with prettier\'s message when a text is not TypeScript, wherever it was formatted', async () => {
    const texts = ['export const a = 1;', 'export const = ;', 'export const b = 2;'];
    for (const lanes of [1, 2, 3]) {
      await expect(formatAll(texts, { lanes, thresholdChars: 0 })).rejects.toThrow(/Unexpected token|expected/i);
    }
  });
});

describe('the babel-ts parser', () => {
  it('formats every golden file exactly as the typescript parser does', { timeout: 120_000 }, async () => {
    expect(PRETTIER_OPTIONS.parser).toBe('babel-ts');
    for (const file of goldenFiles()) {
      const text = readFileSync(file, 'utf8');
      const viaTypeScript = await format(unformatted(text), { ...PRETTIER_OPTIONS, parser: 'typescript' });
      expect(viaTypeScript, file).toBe(text);
      expect(await formatTypeScript(unformatted(text)), file).toBe(text);
    }
  });
});
