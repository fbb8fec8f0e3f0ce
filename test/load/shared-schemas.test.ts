/**
 * Sharing Spectral's compiled meta-schemas across parses (`src/load/shared-schemas.ts`) must not
 * change a single diagnostic: every fixture document and every document of the shared corpus
 * (`../shared/specs`, when present) is loaded in a process without the sharing, and in one with
 * it after all of them were loaded once, and the diagnostics are compared.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SHARE_SCHEMAS_ENV } from '../../src/load/shared-schemas.js';
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
  readonly diagnostics: Record<string, unknown>;
}

async function loadAll(listFile: string, mode: 'once' | 'warm', share: boolean): Promise<ChildReport> {
  const { stdout } = await execute(process.execPath, ['--import', 'tsx', CHILD, listFile, mode], {
    cwd: REPO,
    env: { ...process.env, [SHARE_SCHEMAS_ENV]: share ? '1' : '0' },
    maxBuffer: 256 * 1024 * 1024,
  });
  const report: unknown = JSON.parse(stdout);
  return report as ChildReport;
}

describe('compiled meta-schemas shared across parses', () => {
  it('give the same diagnostics as @asyncapi/parser on its own, for every fixture and corpus document', { timeout: 600_000 }, async () => {
    const documents = [...documentsUnder(path.join(REPO, 'fixtures')), ...documentsUnder(CORPUS)];
    expect(documents.length).toBeGreaterThan(40);
    const listFile = path.join(await tempDir('shared-schemas'), 'documents.json');
    fs.writeFileSync(listFile, JSON.stringify(documents));

    const [alone, warm] = await Promise.all([loadAll(listFile, 'once', false), loadAll(listFile, 'warm', true)]);
    expect(alone.shared).toBe(false);
    // Would the sharing silently stop working (a Spectral upgrade), this comparison would prove nothing.
    expect(warm.shared).toBe(true);
    expect(Object.keys(warm.diagnostics).sort()).toEqual([...documents].sort());
    for (const document of documents) {
      expect(warm.diagnostics[document], document).toEqual(alone.diagnostics[document]);
    }
    const withDiagnostics = Object.values(alone.diagnostics).filter((list) => Array.isArray(list) && list.length > 0).length;
    // The comparison covers documents the parser complains about, not only clean ones.
    expect(withDiagnostics).toBeGreaterThan(10);
  });
});
