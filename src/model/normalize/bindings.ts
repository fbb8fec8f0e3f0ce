/** Bindings objects (https://www.asyncapi.com/docs/reference/specification/v3.0.0#serverBindingsObject). */
import type { BindingsModel } from '../ir.js';
import { entriesOf, isRecord, toPlainJson } from '../json.js';

export function normalizeBindings(node: unknown): BindingsModel {
  const bindings: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [protocol, value] of entriesOf(node)) {
    if (protocol.startsWith('x-')) continue;
    const plain = toPlainJson(value);
    bindings[protocol] = isRecord(plain) ? plain : {};
  }
  return bindings;
}
