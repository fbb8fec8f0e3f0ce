/** Small readers for the untyped resolved document: narrow `unknown` without casts at every call site. */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): JsonRecord {
  return isRecord(value) ? value : {};
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asArray(value: unknown): ReadonlyArray<unknown> {
  return Array.isArray(value) ? value : [];
}

/** Own entries of a record, in insertion (document) order. */
export function entriesOf(value: unknown): Array<[string, unknown]> {
  return isRecord(value) ? Object.entries(value) : [];
}

/** Appends one RFC 6901 token to a JSON pointer. */
export function pointer(base: string, ...tokens: ReadonlyArray<string | number>): string {
  return tokens.reduce<string>(
    (acc, token) => `${acc}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`,
    base,
  );
}

/**
 * A deep copy of plain JSON data for embedding in generated code: drops the
 * parser's `x-parser-*` annotations and cuts cycles.
 */
export function toPlainJson(value: unknown, seen: ReadonlySet<object> = new Set()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'object') return undefined;
  if (seen.has(value)) return undefined;
  const inner = new Set(seen).add(value);
  if (Array.isArray(value)) return value.map((item) => toPlainJson(item, inner) ?? null);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('x-parser-')) continue;
    const plain = toPlainJson(item, inner);
    if (plain !== undefined) copy[key] = plain;
  }
  return copy;
}
