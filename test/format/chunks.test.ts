/**
 * `splitForFormatting`: large files are cut only where prettier puts one blank line between two
 * top-level statements, so formatting the pieces one by one gives the bytes of formatting the
 * whole; and a cut in the wrong place leaves a piece prettier refuses, never a wrong result.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHUNK_MIN_CHARS, joinFormatted, splitForFormatting } from '../../src/format/chunks.js';
import { formatTypeScript } from '../../src/format/prettier.js';
import { goldenFiles, unformatted } from './documents.js';

describe('splitForFormatting', () => {
  it('keeps a small file whole, and cuts a large one after a statement, a blank line, at a declaration', () => {
    expect(splitForFormatting('const a = 1;\n\nconst b = 2;\n')).toEqual(['const a = 1;\n\nconst b = 2;\n']);
    const text = 'const a = 1;\n\n\nexport const b = 2;\n/** c */\nconst c = 3;\n\n/**\n * d\n */\nexport function d() {\n\nconst inner = 1;\n}\n\nfoo();\n\ntype E = 1;\n';
    expect(splitForFormatting(text, 0, 0)).toEqual([
      'const a = 1;\n\n\n',
      'export const b = 2;\n/** c */\nconst c = 3;\n\n',
      // Not after `{`, and not before `foo();`.
      '/**\n * d\n */\nexport function d() {\n\nconst inner = 1;\n}\n\nfoo();\n\n',
      'type E = 1;\n',
    ]);
    expect(splitForFormatting(text, 0, 0).join('')).toBe(text);
    // Not after an empty statement, nor at a line of other Unicode spaces: prettier keeps no blank line there.
    expect(splitForFormatting('const a = 1;\n;\n\nexport const b = 2;\n', 0, 0)).toHaveLength(1);
    expect(splitForFormatting('const a = 1;\n\u00a0\nexport const b = 2;\n', 0, 0)).toHaveLength(1);
    expect(CHUNK_MIN_CHARS).toBeGreaterThan(10_000);
  });

  it('gives, piece by piece, the bytes of formatting every golden file whole', { timeout: 120_000 }, async () => {
    const files = goldenFiles();
    expect(files.length).toBeGreaterThan(20);
    let cut = 0;
    for (const name of files) {
      const text = unformatted(readFileSync(name, 'utf8'));
      const pieces = splitForFormatting(text, 500, 0);
      if (pieces.length > 1) cut += 1;
      const formatted = await Promise.all(pieces.map(formatTypeScript).map((piece) => piece.catch(() => undefined)));
      // A piece that does not parse (a cut inside a block) makes the caller format the file whole.
      if (formatted.some((piece) => piece === undefined)) continue;
      expect(joinFormatted(formatted.map((piece) => piece ?? '')), name).toBe(await formatTypeScript(text));
    }
    expect(cut).toBeGreaterThan(files.length / 2);
  });

  it('leaves a piece that prettier refuses when a cut falls inside a block, comment or template literal', async () => {
    const texts = [
      'function f() {\n  return 1;\n\nconst x = 2;\n}\n',
      'const t = `\nline;\n\nconst y = 1;\n`;\n',
      '/*\n a;\n\nconst z = 1;\n*/\nconst w = 1;\n',
    ];
    for (const text of texts) {
      const pieces = splitForFormatting(text, 0, 0);
      expect(pieces.length, text).toBe(2);
      await expect(formatTypeScript(pieces[0] ?? ''), text).rejects.toThrow();
    }
  });
});
