/**
 * Undoes a side effect of the parser's trait application on schema identity. To apply a trait it
 * replaces the properties of the message with deep copies (`mergePatch`), so a payload or headers
 * schema that referenced `components.schemas` entries now holds copies of them: they would lose
 * their names and every message would get its own duplicate types. This finds, in such a copied
 * schema, the subtrees that are structurally equal to a component schema and puts the component
 * object back in their place (building new parents, never changing the document).
 */
import type { JsonSchema } from '../ir.js';
import { entriesOf, isRecord } from '../json.js';

export type SchemaRestorer = (schema: JsonSchema) => JsonSchema;

/** A canonical text of plain JSON data: keys sorted, parser annotations left out, cycles cut. */
function fingerprint(value: unknown, seen: Set<object> = new Set()): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (seen.has(value)) return '"<cycle>"';
  seen.add(value);
  const text = Array.isArray(value)
    ? `[${value.map((item) => fingerprint(item, seen)).join(',')}]`
    : `{${entriesOf(value)
        .filter(([key]) => !key.startsWith('x-parser-'))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => `${JSON.stringify(key)}:${fingerprint(item, seen)}`)
        .join(',')}}`;
  seen.delete(value);
  return text;
}

/** `components` -> a restorer; the index is built on first use, since only messages with traits need it. */
export function sharedSchemaRestorer(componentSchemas: ReadonlyArray<unknown>): SchemaRestorer {
  let index: Map<string, object> | undefined;
  const indexOf = (): Map<string, object> => {
    if (index === undefined) {
      index = new Map();
      for (const schema of componentSchemas) {
        // An empty schema matches too much to stand for a particular component.
        if (!isRecord(schema) || entriesOf(schema).every(([key]) => key.startsWith('x-parser-'))) continue;
        const text = fingerprint(schema);
        if (!index.has(text)) index.set(text, schema);
      }
    }
    return index;
  };

  const restore = (value: unknown, seen: Set<object>): unknown => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return value;
    const original = Array.isArray(value) ? undefined : indexOf().get(fingerprint(value));
    if (original !== undefined) return original;
    seen.add(value);
    let changed = false;
    const rebuilt = Array.isArray(value)
      ? value.map((item: unknown) => {
          const next = restore(item, seen);
          changed ||= next !== item;
          return next;
        })
      : Object.fromEntries(entriesOf(value).map(([key, item]) => {
          const next = restore(item, seen);
          changed ||= next !== item;
          return [key, next];
        }));
    seen.delete(value);
    return changed ? rebuilt : value;
  };

  return (schema) => {
    if (typeof schema === 'boolean' || indexOf().size === 0) return schema;
    const restored = restore(schema, new Set());
    return typeof restored === 'boolean' || isRecord(restored) ? restored : schema;
  };
}
