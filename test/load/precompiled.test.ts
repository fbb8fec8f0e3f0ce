/**
 * The precompiled validators (`src/load/meta-schemas/`) stand in for Spectral's own compiles only
 * for the very schemas they were made from: the AsyncAPI meta-schemas by `$id` and sha256, the
 * rulesets' schemas without `$id` (the latest-version rule's `{ const }`) by sha256 alone. The
 * corpus comparison of diagnostics is in `shared-schemas.test.ts`; this checks the matching rules.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRECOMPILED_DIR, PRECOMPILED_INDEX, anonymousSchemaId, precompiledValidator, schemaHash } from '../../src/load/meta-schemas/precompiled.js';
import { parserModules } from '../../src/load/vendor/parser-modules.js';

interface IndexEntry {
  readonly id: string;
  readonly dialect: string;
  readonly allErrors: boolean;
}

type Validator = ((value: unknown) => boolean) & { errors?: ReadonlyArray<{ readonly keyword: string }> | null };

const index = JSON.parse(readFileSync(path.join(PRECOMPILED_DIR, PRECOMPILED_INDEX), 'utf8')) as { entries: IndexEntry[] };
const spectral = parserModules().spectral;
/** The latest-version rule's schema, `{ const: <the last version @asyncapi/parser knows> }`. */
const LATEST = (createRequire(import.meta.url)('@asyncapi/parser/cjs/constants') as { lastVersion: string }).lastVersion;
const LATEST_VERSION_RULE = { const: LATEST };

describe('precompiled validators', () => {
  it('hold a validator for the latest-version rule, keyed by its hash (it has no $id)', () => {
    expect(index.entries.map((entry) => entry.id)).toContain(anonymousSchemaId(schemaHash(LATEST_VERSION_RULE)));
  });

  it('serve a schema without $id only when its content is the very one compiled, and validate like Ajv', () => {
    const entry = index.entries.find((candidate) => candidate.id === anonymousSchemaId(schemaHash(LATEST_VERSION_RULE)));
    expect(entry).toBeDefined();
    const validator = precompiledValidator({ const: LATEST }, entry?.dialect ?? '', entry?.allErrors ?? false, spectral) as Validator | undefined;
    expect(typeof validator).toBe('function');
    expect(validator?.(LATEST)).toBe(true);
    expect(validator?.('2.0.0')).toBe(false);
    expect(validator?.errors?.map((error) => error.keyword)).toEqual(['const']);
    expect(precompiledValidator({ const: '9.9.9' }, entry?.dialect ?? '', entry?.allErrors ?? false, spectral)).toBeUndefined();
    expect(precompiledValidator({ const: LATEST }, 'draft2020-12', entry?.allErrors ?? false, spectral)).toBeUndefined();
  });

  it("hold the servers rule's schema too (captured from a document with a server)", () => {
    const serversRule = { type: 'object', minProperties: 1 };
    const entry = index.entries.find((candidate) => candidate.id === anonymousSchemaId(schemaHash(serversRule)));
    expect(entry?.allErrors).toBe(true);
    const validator = precompiledValidator({ type: 'object', minProperties: 1 }, entry?.dialect ?? '', true, spectral) as Validator | undefined;
    expect(validator?.({ s: {} })).toBe(true);
    expect(validator?.({})).toBe(false);
    expect(validator?.errors?.map((error) => error.keyword)).toEqual(['minProperties']);
  });

  it('serve a meta-schema only for the same $id and the same content', () => {
    const meta = index.entries.find((candidate) => !candidate.id.startsWith(anonymousSchemaId('')));
    expect(meta).toBeDefined();
    const impostor = { $id: meta?.id, type: 'object' };
    expect(precompiledValidator(impostor, meta?.dialect ?? '', meta?.allErrors ?? false, spectral)).toBeUndefined();
  });
});
