/**
 * Formatting: the parallel path gives the bytes the single-threaded one gives, in order, and fails
 * the same way; and the parser prettier uses (`babel-ts`, chosen for speed) formats every golden
 * file exactly as prettier's `typescript` parser would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { formatAll } from '../../src/format/parallel.js';
import { formatTypeScript, PRETTIER_OPTIONS } from '../../src/format/prettier.js';
import { PROJECT_ROOT } from '../support/generated.js';

const GOLDEN = path.join(PROJECT_ROOT, 'test', 'golden');

function goldenFiles(): string[] {
  return readdirSync(GOLDEN, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(GOLDEN, name))
    .sort();
}

/** Golden files with their formatting undone (indentation and line breaks inside statements lost). */
function unformatted(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/,\n(?=\S)/g, ', ');
}

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
