/**
 * JSDoc for a schema: title, description, `@default`, `@example`, `@deprecated`.
 * Returns raw lines; `jsDoc` from the render layer makes them comment-safe.
 */
import type { JsonSchema } from '../model/ir.js';
import { readOwn } from './keywords.js';

export function schemaDocLines(schema: JsonSchema): string[] {
  if (typeof schema !== 'object') return [];
  const lines: string[] = [];
  const title = readOwn(schema, 'title');
  const description = readOwn(schema, 'description');
  if (typeof title === 'string' && title.trim() !== '' && title !== description) lines.push(title);
  if (typeof description === 'string') lines.push(description);
  if (readOwn(schema, 'default') !== undefined) lines.push(tagged('@default', readOwn(schema, 'default')));
  const examples = readOwn(schema, 'examples');
  if (Array.isArray(examples)) for (const example of examples) lines.push(tagged('@example', example));
  if (readOwn(schema, 'example') !== undefined) lines.push(tagged('@example', readOwn(schema, 'example')));
  if (readOwn(schema, 'deprecated') === true) lines.push('@deprecated');
  return lines;
}

function tagged(tag: string, value: unknown): string {
  const oneLine = toJson(value);
  if (oneLine.length <= 80) return `${tag} ${oneLine}`;
  return `${tag}\n${toJson(value, 2)}`;
}

function toJson(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    // Cyclic or BigInt data cannot be shown; the rest of the doc still can.
    return '(value not representable as JSON)';
  }
}
