/**
 * Names for schemas: component schemas are named after their key, roots after
 * the caller's hint, and the anonymous schemas that a cycle forces us to name
 * after their context (owner name + property path), never after a counter.
 */
import { toPascalCase, toTypeName } from '../naming/identifiers.js';

/** RFC 6901 escaping of one pointer segment. */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function appendPointer(pointer: string, segments: ReadonlyArray<string>): string {
  return segments.reduce((acc, segment) => `${acc}/${escapePointerSegment(segment)}`, pointer);
}

/** Where a component schema lives in both AsyncAPI 2.x and 3.x documents. */
export function componentSchemaPointer(key: string): string {
  return appendPointer('/components/schemas', [key]);
}

export function componentTypeHint(key: string): string {
  return toTypeName(key, 'Schema');
}

/**
 * Words naming a subschema relative to its parent: `properties/children` ->
 * `Children`, `items` -> `Item`, `anyOf/1` -> `Option2` (positions are 1-based).
 */
export function subschemaNameWords(keyword: string, key: string | number): string {
  const position = typeof key === 'number' ? String(key + 1) : '';
  switch (keyword) {
    case 'properties':
      return toPascalCase(String(key), 'Property');
    case 'patternProperties':
    case 'additionalProperties':
      return 'Value';
    case 'items':
    case 'prefixItems':
    case 'additionalItems':
      return `Item${position}`;
    case 'contains':
      return 'ContainedItem';
    case 'propertyNames':
      return 'Key';
    case 'anyOf':
    case 'oneOf':
      return `Option${position}`;
    case 'allOf':
      return `Part${position}`;
    case 'dependentSchemas':
    case 'dependencies':
      return `${toPascalCase(String(key), 'Property')}Dependency`;
    default:
      return toPascalCase(keyword, 'Schema');
  }
}
