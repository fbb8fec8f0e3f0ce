/**
 * Child process of `shared-schemas.test.ts`: loads the documents listed in a JSON file and prints
 * their diagnostics as JSON. `once` loads each once; `warm` loads them all, then all again in
 * reverse order and reports the second pass (every meta-schema validator then comes from earlier
 * documents). Whether Spectral's compiled schemas are shared, and the precompiled meta-schema
 * validators used, is up to ASYNCAPI_GEN_SHARE_SCHEMAS; `precompiled` says how many were loaded.
 * Whether the parser comes from its bundle is up to ASYNCAPI_GEN_BUNDLED_PARSER; `parser` says,
 * and `deferredCompiles` how many of Spectral's load-time compiles the bundle put off to first use.
 */
import { readFileSync } from 'node:fs';
import { loadDocument } from '../../src/load/index.js';
import { precompiledUses } from '../../src/load/meta-schemas/precompiled.js';
import { shareCompiledSchemas, sharedSchemaReuses, skippedRulesetCheckCount } from '../../src/load/shared-schemas.js';
import { parserModules } from '../../src/load/vendor/parser-modules.js';

const [listFile, mode] = process.argv.slice(2);
if (listFile === undefined || (mode !== 'once' && mode !== 'warm')) throw new Error('usage: diagnostics-child.ts <list.json> once|warm');
const documents: unknown = JSON.parse(readFileSync(listFile, 'utf8'));
if (!Array.isArray(documents) || !documents.every((item): item is string => typeof item === 'string')) throw new Error(`${listFile}: not a list of paths`);

const shared = shareCompiledSchemas();
const order = mode === 'warm' ? [...documents].reverse() : documents;
if (mode === 'warm') for (const document of documents) await loadDocument(document);
const diagnostics: Record<string, unknown> = {};
for (const document of order) diagnostics[document] = (await loadDocument(document)).diagnostics;
const { source, codeCacheUsed, deferredCompiles } = parserModules();
process.stdout.write(JSON.stringify({ shared, parser: source, codeCacheUsed, deferredCompiles, precompiled: precompiledUses(), reuses: sharedSchemaReuses(), skippedRulesetChecks: skippedRulesetCheckCount(), diagnostics }));
