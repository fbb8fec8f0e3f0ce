/**
 * A document large enough for every formatting path gives the same bytes on each: the built-in
 * templates, laid out without prettier (`validators-layout.ts`, `template-layout.ts`), and the same
 * templates from a custom folder, which turns the layouts off and sends every file to prettier, cut
 * in pieces and shared among worker threads started while the document parses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticDocument } from '../../bench/synthetic.js';
import { waitingFormattingWorkers } from '../../src/format/parallel.js';
import { generate } from '../../src/generate/pipeline.js';
import { TEMPLATES_DIR } from '../../src/paths.js';
import { tempDir } from '../cache/helpers.js';

describe('formatting a large document', () => {
  it('gives the same files on the fast paths as on prettier alone, and leaves no worker behind', { timeout: 300_000 }, async () => {
    const folder = await tempDir('large-document');
    const spec = path.join(folder, 'asyncapi.yaml');
    const text = syntheticDocument(130);
    // Above the size at which formatting workers start while the document parses (custom templates).
    expect(text.length).toBeGreaterThan(120_000);
    fs.writeFileSync(spec, text);
    const templates = path.join(folder, 'templates');
    fs.cpSync(TEMPLATES_DIR, templates, { recursive: true });

    const fast = await generate({ spec });
    expect(waitingFormattingWorkers()).toHaveLength(0);
    const plain = await generate({ spec, templatesDir: templates });
    expect(waitingFormattingWorkers()).toHaveLength(0);
    expect(fast.ok && plain.ok).toBe(true);
    expect(fast.files.map((file) => file.path)).toEqual(plain.files.map((file) => file.path));
    const byPath = new Map(plain.files.map((file) => [file.path, file.contents]));
    for (const file of fast.files) expect(file.contents, file.path).toBe(byPath.get(file.path));
    expect(fast.files.find((file) => file.path === 'index.ts')?.contents.length).toBeGreaterThan(300_000);
  });
});
