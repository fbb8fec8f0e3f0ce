/**
 * Checks on a parsed YAML tree that the parser leaves to us: duplicate keys (in linear time),
 * alias expansion bombs ("billion laughs"), and the keys the parser itself breaks on; each must
 * stop the load with a located error.
 */
import { isScalar, visit, type Node, type Pair } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { duplicateKey, keyBreaksParser, tooManyAliases, yamlSyntaxError } from './problems.js';

/** Keys with which @asyncapi/parser 3.x crashes or misreads the document (Object.prototype members it relies on). */
const KEYS_THE_PARSER_BREAKS_ON = new Set(['__proto__', 'hasOwnProperty']);
import { locationAt, type SourceFile } from './source-file.js';

export function checkTree(source: SourceFile, maxAliasCount: number): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let firstAlias: Node | undefined;
  visit(source.document, {
    Map(_key, map) {
      diagnostics.push(...duplicateKeysOf(source, map.items));
      for (const pair of map.items) {
        if (isScalar(pair.key) && typeof pair.key.value === 'string' && KEYS_THE_PARSER_BREAKS_ON.has(pair.key.value)) {
          diagnostics.push(keyBreaksParser(pair.key.value, locationAt(source, pair.key.range?.[0] ?? 0)));
        }
      }
    },
    Alias(_key, alias) {
      firstAlias ??= alias;
    },
  });
  if (firstAlias !== undefined) {
    const location = locationAt(source, firstAlias.range?.[0] ?? 0);
    const problem = aliasExpansionProblem(source, maxAliasCount);
    if (problem?.kind === 'too-many') diagnostics.push(tooManyAliases(location, maxAliasCount));
    else if (problem?.kind === 'unresolved') diagnostics.push(yamlSyntaxError(problem.message, location));
  }
  return diagnostics;
}

function duplicateKeysOf(source: SourceFile, pairs: ReadonlyArray<Pair<unknown, unknown>>): Diagnostic[] {
  if (pairs.length < 2) return [];
  const diagnostics: Diagnostic[] = [];
  const firstByKey = new Map<string, Node>();
  for (const pair of pairs) {
    const key = pair.key;
    if (!isScalar(key)) continue;
    // Keys are compared as the JSON property names they become (`1` and `"1"` collide).
    const name = String(key.value);
    const first = firstByKey.get(name);
    if (first === undefined) {
      firstByKey.set(name, key);
      continue;
    }
    diagnostics.push(
      duplicateKey(name, locationAt(source, key.range?.[0] ?? 0), locationAt(source, first.range?.[0] ?? 0)),
    );
  }
  return diagnostics;
}

/** yaml throws a ReferenceError when aliases expand beyond `maxAliasCount` times an anchor's size. */
function aliasExpansionProblem(
  source: SourceFile,
  maxAliasCount: number,
): { kind: 'too-many' } | { kind: 'unresolved'; message: string } | undefined {
  try {
    source.document.toJS({ maxAliasCount });
    return undefined;
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    return /excessive alias count/i.test(error.message) ? { kind: 'too-many' } : { kind: 'unresolved', message: error.message };
  }
}
