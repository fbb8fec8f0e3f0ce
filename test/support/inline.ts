/** Test support: load a document given as inline YAML (written to a temp file) through the real loader. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDocument, type LoadedDocument } from '../../src/load/index.js';

export async function loadInline(yaml: string): Promise<LoadedDocument> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncapi-gen-inline-'));
  const file = path.join(dir, 'asyncapi.yaml');
  writeFileSync(file, yaml);
  const result = await loadDocument(file);
  if (result.document === undefined) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
    throw new Error(`inline document did not load:\n${errors.join('\n')}`);
  }
  return result.document;
}
