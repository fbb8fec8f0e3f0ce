/** `runCommonJs`: a V8 code cache is used only for the very source it was made from. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommonJs } from '../../src/load/vendor/code-cache.js';
import { tempDir } from '../cache/helpers.js';

function moduleSource(answer: number): string {
  return `'use strict';\nconst { join } = require('node:path');\nmodule.exports = { answer: () => ${answer}, here: __dirname, joined: join('a', 'b') };\n`;
}

interface Answering {
  answer(): number;
  here: string;
  joined: string;
}

describe('runCommonJs', () => {
  it('runs a CommonJS file with its own require, __dirname and exports', async () => {
    const folder = await tempDir('code-cache');
    const file = path.join(folder, 'module.cjs');
    writeFileSync(file, moduleSource(41));
    const script = runCommonJs(file, `${file}.cache`);
    const exports = script.exports as Answering;
    expect(exports.answer()).toBe(41);
    expect(exports.here).toBe(folder);
    expect(exports.joined).toBe(path.join('a', 'b'));
    expect(script.cacheUsed).toBe(false);
  });

  it('uses a cache made from the same source, and no other', async () => {
    const folder = await tempDir('code-cache');
    const file = path.join(folder, 'module.cjs');
    const cacheFile = `${file}.cache`;
    writeFileSync(file, moduleSource(41));
    const first = runCommonJs(file, cacheFile);
    (first.exports as Answering).answer();
    writeFileSync(cacheFile, first.createCache());

    const second = runCommonJs(file, cacheFile);
    expect(second.cacheUsed).toBe(true);
    expect((second.exports as Answering).answer()).toBe(41);

    // Same length, other code: V8 alone would match the cache by length; the digest refuses it.
    writeFileSync(file, moduleSource(42));
    const changed = runCommonJs(file, cacheFile);
    expect(changed.cacheUsed).toBe(false);
    expect((changed.exports as Answering).answer()).toBe(42);
  });

  it('ignores a cache file that is damaged or not a cache at all', async () => {
    const folder = await tempDir('code-cache');
    const file = path.join(folder, 'module.cjs');
    const cacheFile = `${file}.cache`;
    writeFileSync(file, moduleSource(7));
    const made = runCommonJs(file, cacheFile).createCache();
    const damaged = Buffer.from(made);
    damaged.fill(0x5a, 40, 200);
    for (const contents of [damaged, made.subarray(0, 32), Buffer.from('not a cache'), readFileSync(file)]) {
      writeFileSync(cacheFile, contents);
      const script = runCommonJs(file, cacheFile);
      expect(script.cacheUsed).toBe(false);
      expect((script.exports as Answering).answer()).toBe(7);
    }
  });
});
