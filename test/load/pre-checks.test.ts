/**
 * Problems found before the AsyncAPI parser runs: the file itself, its text, its syntax and its
 * version. Each must be one located error with a stable code, and must not start the parser.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../../src/load/index.js';
import { errorSummaries, errorsOf, fixture } from './helpers.js';

const cases: ReadonlyArray<{ given: string; want: ReadonlyArray<string> }> = [
  { given: 'invalid/does-not-exist.yaml', want: ['file-not-found@fixtures/invalid/does-not-exist.yaml:1:1'] },
  { given: 'load', want: ['not-a-file@fixtures/load:1:1'] },
  { given: 'invalid/empty.yaml', want: ['empty-document@fixtures/invalid/empty.yaml:1:1'] },
  { given: 'invalid/comments-only.yaml', want: ['empty-document@fixtures/invalid/comments-only.yaml:1:1'] },
  { given: 'invalid/binary.yaml', want: ['not-text@fixtures/invalid/binary.yaml:3:11'] },
  { given: 'invalid/latin1.yaml', want: ['not-text@fixtures/invalid/latin1.yaml:3:13'] },
  { given: 'invalid/malformed.yaml', want: ['parse-yaml@fixtures/invalid/malformed.yaml:5:1'] },
  { given: 'invalid/malformed.json', want: ['parse-json@fixtures/invalid/malformed.json:6:3'] },
  { given: 'invalid/duplicate-keys.yaml', want: ['duplicate-key@fixtures/invalid/duplicate-keys.yaml:8:3'] },
  { given: 'invalid/duplicate-keys.json', want: ['duplicate-key@fixtures/invalid/duplicate-keys.json:3:60'] },
  { given: 'invalid/billion-laughs.yaml', want: ['yaml-alias-limit@fixtures/invalid/billion-laughs.yaml:6:10'] },
  { given: 'invalid/list.yaml', want: ['not-an-object@fixtures/invalid/list.yaml:1:1'] },
  { given: 'invalid/scalar.yaml', want: ['not-an-object@fixtures/invalid/scalar.yaml:1:1'] },
  { given: 'invalid/missing-version.yaml', want: ['missing-asyncapi-version@fixtures/invalid/missing-version.yaml:1:1'] },
  { given: 'invalid/version-1.yaml', want: ['unsupported-version@fixtures/invalid/version-1.yaml:1:11'] },
  { given: 'invalid/version-4.yaml', want: ['unsupported-version@fixtures/invalid/version-4.yaml:1:11'] },
  { given: 'invalid/version-garbage.yaml', want: ['unsupported-version@fixtures/invalid/version-garbage.yaml:1:11'] },
  { given: 'invalid/version-number.yaml', want: ['unsupported-version@fixtures/invalid/version-number.yaml:1:11'] },
];

describe('pre-checks', () => {
  it.each(cases)('$given -> $want', async ({ given, want }) => {
    const result = await loadDocument(fixture(given));
    expect(result.document).toBeUndefined();
    expect(errorSummaries(result.diagnostics)).toEqual(want);
  });

  it('says that 1.x is not supported and how to convert it', async () => {
    const [error] = errorsOf((await loadDocument(fixture('invalid/version-1.yaml'))).diagnostics);
    expect(error?.message).toMatch(/1\.x is not supported/);
    expect(error?.hint).toMatch(/asyncapi convert .*3\.0\.0.*2\.6\.0/);
  });

  it('names the duplicate key and where it was first defined', async () => {
    const [error] = errorsOf((await loadDocument(fixture('invalid/duplicate-keys.yaml'))).diagnostics);
    expect(error?.message).toBe('duplicate key "a" (first defined at line 6, column 3)');
  });

  it('resolves a relative spec path against the working directory', async () => {
    const result = await loadDocument('no/such/file.yaml');
    expect(result.diagnostics[0]?.location?.file).toBe(path.resolve('no/such/file.yaml'));
  });
});
