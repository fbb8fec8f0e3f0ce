/**
 * What makes loading fast must not change a single diagnostic: the parser bundle with its code
 * cache (`src/load/vendor/`), whose Spectral compiles its rule functions' schemas on first use, sharing Spectral's compiled meta-schemas across parses and skipping
 * its check of the built-in ruleset (`src/load/shared-schemas.ts`), and the meta-schema validators
 * precompiled at build time (`src/load/meta-schemas/`). Every fixture document and every document
 * of the shared corpus (`../shared/specs`, when present) is loaded in a process with none of them
 * (@asyncapi/parser from node_modules, as it comes), and in one with all of them after all the
 * documents were loaded once, and the diagnostics are compared.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SHARE_SCHEMAS_ENV } from '../../src/load/shared-schemas.js';
import { BUNDLED_PARSER_ENV } from '../../src/load/vendor/parser-modules.js';
import { tempDir } from '../cache/helpers.js';
import { REPO } from './helpers.js';

const execute = promisify(execFile);
const CHILD = path.join(REPO, 'test', 'load', 'diagnostics-child.ts');
const CORPUS = path.resolve(REPO, '../shared/specs');
const DOCUMENT_FILE = /\.(ya?ml|json)$/;

function documentsUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => DOCUMENT_FILE.test(name))
    .map((name) => path.join(folder, name))
    .filter((file) => fs.statSync(file).isFile() && /\basyncapi\b/.test(fs.readFileSync(file, 'utf8').slice(0, 4096)))
    .sort();
}

interface ChildReport {
  readonly shared: boolean;
  readonly parser: 'bundle' | 'node_modules';
  readonly codeCacheUsed: boolean;
  readonly deferredCompiles: number;
  readonly skippedRulesetChecks: number;
  readonly precompiled: number;
  readonly reuses: number;
  readonly diagnostics: Record<string, unknown>;
}

async function loadAll(listFile: string, mode: 'once' | 'warm', share: boolean): Promise<ChildReport> {
  const { stdout } = await execute(process.execPath, ['--import', 'tsx', CHILD, listFile, mode], {
    cwd: REPO,
    env: { ...process.env, [SHARE_SCHEMAS_ENV]: share ? '1' : '0', [BUNDLED_PARSER_ENV]: share ? '1' : '0' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const report: unknown = JSON.parse(stdout);
  return report as ChildReport;
}

describe('the fast loading path', () => {
  it('gives the same diagnostics as @asyncapi/parser on its own, for every fixture and corpus document', { timeout: 600_000 }, async () => {
    const documents = [...documentsUnder(path.join(REPO, 'fixtures')), ...documentsUnder(CORPUS)];
    expect(documents.length).toBeGreaterThan(40);
    const listFile = path.join(await tempDir('shared-schemas'), 'documents.json');
    fs.writeFileSync(listFile, JSON.stringify(documents));

    const [alone, warm] = await Promise.all([loadAll(listFile, 'once', false), loadAll(listFile, 'warm', true)]);
    expect(alone.shared).toBe(false);
    expect(alone.parser).toBe('node_modules');
    expect(alone.skippedRulesetChecks).toBe(0);
    expect(alone.precompiled).toBe(0);
    // Would the sharing or the precompiled validators silently stop working (a Spectral upgrade, a
    // build without the precompile step), this comparison would prove nothing.
    expect(warm.shared).toBe(true);
    expect(warm.parser).toBe('bundle');
    expect(warm.codeCacheUsed).toBe(true);
    // Spectral's rule functions compiled their option and input schemas on first use, not on load.
    expect(warm.deferredCompiles).toBeGreaterThan(10);
    expect(warm.skippedRulesetChecks).toBeGreaterThan(0);
    // The patched factory is the one the parser calls: validators were handed out again.
    expect(warm.reuses).toBeGreaterThan(documents.length);
    expect(alone.reuses).toBe(0);
    const versions = new Set(documents.map((document) => /^\s*["']?asyncapi["']?\s*:\s*["']?(\d+\.\d+\.\d+)/m.exec(fs.readFileSync(document, 'utf8'))?.[1]).filter((version) => version !== undefined));
    // Two per version (the schema as written and resolved) of the versions the documents use.
    expect(warm.precompiled).toBeGreaterThanOrEqual(Math.min(versions.size, 9) * 2 - 2);
    expect(Object.keys(warm.diagnostics).sort()).toEqual([...documents].sort());
    for (const document of documents) {
      expect(warm.diagnostics[document], document).toEqual(alone.diagnostics[document]);
    }
    const withDiagnostics = Object.values(alone.diagnostics).filter((list) => Array.isArray(list) && list.length > 0).length;
    // The comparison covers documents the parser complains about, not only clean ones.
    expect(withDiagnostics).toBeGreaterThan(10);
  });
});
