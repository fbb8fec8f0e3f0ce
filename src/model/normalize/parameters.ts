/** Parameter Object: v2 carries a `schema`, v3 only `enum`, `default`, `examples`, `description`, `location`. */
import type { JsonSchema, ParameterModel } from '../ir.js';
import { asArray, asRecord, asString, entriesOf, isRecord, pointer } from '../json.js';
import { warn, type NormalizeContext } from './context.js';

const STRING_SCHEMA: JsonSchema = { type: 'string' };

/** Parameter names in the order they appear in the address, each once. */
export function addressParameterNames(address: string): string[] {
  const names: string[] = [];
  for (const match of address.matchAll(/\{([^{}]*)\}/g)) {
    const name = match[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

function v3Schema(parameter: Readonly<Record<string, unknown>>): JsonSchema {
  const enumValues = asArray(parameter['enum']);
  const defaultValue = parameter['default'];
  const examples = asArray(parameter['examples']);
  return {
    type: 'string',
    ...(enumValues.length === 0 ? {} : { enum: enumValues }),
    ...(typeof defaultValue === 'string' ? { default: defaultValue } : {}),
    ...(examples.length === 0 ? {} : { examples }),
  };
}

export function normalizeParameters(
  context: NormalizeContext,
  address: string | null,
  node: unknown,
  origin: string,
  majorVersion: 2 | 3,
): ParameterModel[] {
  const declared = new Map(entriesOf(node));
  const names = address === null ? [...declared.keys()] : addressParameterNames(address);
  for (const name of declared.keys()) {
    if (!names.includes(name)) {
      warn(context, 'parameter-not-in-address', `parameter '${name}' is declared but does not appear in the address '${address ?? ''}'`, pointer(origin, 'parameters', name));
    }
  }
  return names.map((name) => {
    const parameter = asRecord(declared.get(name));
    if (!declared.has(name)) {
      warn(context, 'parameter-undeclared', `address parameter '{${name}}' is not declared; it is typed as a string`, origin);
    }
    const schemaNode = parameter['schema'];
    const schema: JsonSchema =
      majorVersion === 2
        ? typeof schemaNode === 'boolean' || isRecord(schemaNode) ? schemaNode : STRING_SCHEMA
        : v3Schema(parameter);
    const description = asString(parameter['description']);
    const location = asString(parameter['location']);
    return {
      name,
      schema,
      ...(description === undefined ? {} : { description }),
      ...(location === undefined ? {} : { location }),
      origin: pointer(origin, 'parameters', name),
    };
  });
}
