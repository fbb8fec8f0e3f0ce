/**
 * Collects every schema the generated code needs a type and a validator for
 * (payloads, headers, channel parameters), compiles them in one pass so shared
 * schemas are emitted once, and answers "which type, which validator" per use.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ApiModel, ChannelModel, JsonSchema, MessageModel, ParameterModel } from '../model/ir.js';
import { isRecord } from '../model/json.js';
import type { NameTable } from '../naming/names.js';
import { toTypeName } from '../naming/identifiers.js';
import { payloadKind } from '../runtime/core/codec.js';
import { compileSchemas, type CompiledRoot, type SchemaRootInput } from '../schema/index.js';

export interface SchemaBindings {
  readonly payload: ReadonlyMap<MessageModel, CompiledRoot>;
  /** Kafka message keys declared by the kafka message binding's `key` schema. */
  readonly keys: ReadonlyMap<MessageModel, CompiledRoot>;
  readonly headers: ReadonlyMap<MessageModel, CompiledRoot>;
  readonly parameters: ReadonlyMap<ParameterModel, CompiledRoot>;
  readonly typeDeclarations: string;
  readonly validatorModule: string;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

const ANNOTATIONS = new Set(['description', 'title', 'examples', 'example', 'default', 'x-parser-schema-id', '$comment', 'deprecated']);

/** `{ type: 'string' }` with nothing to check: typed `string`, no validator needed. */
export function isPlainStringSchema(schema: JsonSchema): boolean {
  if (!isRecord(schema) || schema['type'] !== 'string') return false;
  return Object.keys(schema).every((key) => key === 'type' || ANNOTATIONS.has(key));
}

/** Whether the payload of a message is typed and validated by its schema (JSON and text payloads). */
export function payloadHasSchema(message: MessageModel): boolean {
  return message.payload !== undefined && payloadKind(message.contentType) !== 'binary';
}

export function compileModelSchemas(model: ApiModel, names: NameTable, channels: ReadonlyArray<ChannelModel>): SchemaBindings {
  const roots: SchemaRootInput[] = [];
  const uses: Array<(root: CompiledRoot) => void> = [];
  const payload = new Map<MessageModel, CompiledRoot>();
  const headers = new Map<MessageModel, CompiledRoot>();
  const keys = new Map<MessageModel, CompiledRoot>();
  const parameters = new Map<ParameterModel, CompiledRoot>();

  for (const message of model.messages) {
    const base = names.messages.get(message)?.typeBase ?? toTypeName(message.key);
    if (payloadHasSchema(message) && message.payload !== undefined) {
      roots.push({ schema: message.payload.schema, nameHint: `${base}Payload`, origin: message.payload.origin });
      uses.push((root) => payload.set(message, root));
    }
    if (message.headers !== undefined) {
      roots.push({ schema: message.headers.schema, nameHint: `${base}Headers`, origin: message.headers.origin });
      uses.push((root) => headers.set(message, root));
    }
    const keySchema = kafkaKeySchema(message);
    if (keySchema !== undefined) {
      roots.push({ schema: keySchema, nameHint: `${base}Key`, origin: `${message.origin}/bindings/kafka/key` });
      uses.push((root) => keys.set(message, root));
    }
  }
  for (const channel of channels) {
    const paramsType = names.channels.get(channel)?.paramsType ?? toTypeName(channel.key);
    for (const parameter of channel.parameters) {
      if (isPlainStringSchema(parameter.schema)) continue;
      roots.push({
        schema: parameter.schema,
        nameHint: `${paramsType.replace(/Params$/, '')}${toTypeName(parameter.name)}Param`,
        origin: parameter.origin,
      });
      uses.push((root) => parameters.set(parameter, root));
    }
  }

  const compiled = compileSchemas({
    roots,
    componentSchemaNames: model.componentSchemaNames,
    claimName: (hint, origin) => names.types.claim(toTypeName(hint), hint, origin),
  });
  compiled.roots.forEach((root, index) => uses[index]?.(root));
  return {
    payload,
    keys,
    headers,
    parameters,
    typeDeclarations: compiled.typeDeclarations,
    validatorModule: compiled.validatorModule,
    diagnostics: compiled.diagnostics,
  };
}

/** The schema of the kafka message binding's `key`, when the message declares one. */
export function kafkaKeySchema(message: MessageModel): JsonSchema | undefined {
  const key = message.bindings['kafka']?.['key'];
  return typeof key === 'boolean' || isRecord(key) ? (key as JsonSchema) : undefined;
}

/** Whether a headers schema requires at least one header (so `headers` must be passed). */
export function requiresHeaders(schema: JsonSchema): boolean {
  if (!isRecord(schema)) return false;
  const required = schema['required'];
  if (Array.isArray(required) && required.length > 0) return true;
  const allOf = schema['allOf'];
  return Array.isArray(allOf) && allOf.some((part) => requiresHeaders(part as JsonSchema));
}

/** Top-level header properties whose values are not plain strings, so they travel as JSON text. */
/**
 * Properties of an object payload schema (its own or its allOf parts') that
 * fix their value with `const` or `enum`, such as `event: { const: pong }`:
 * the ones that tell one message on a shared address from another.
 */
export function discriminatorNames(schema: JsonSchema): string[] {
  if (!isRecord(schema)) return [];
  const names = new Set<string>();
  const parts = [schema, ...(Array.isArray(schema['allOf']) ? schema['allOf'] : [])];
  for (const part of parts) {
    const properties = isRecord(part) ? part['properties'] : undefined;
    if (!isRecord(properties)) continue;
    for (const [name, property] of Object.entries(properties)) {
      if (isRecord(property) && (Object.hasOwn(property, 'const') || Array.isArray(property['enum']))) names.add(name);
    }
  }
  return [...names].sort();
}

export function jsonHeaderNames(schema: JsonSchema): string[] {
  if (!isRecord(schema)) return [];
  const properties = schema['properties'];
  if (!isRecord(properties)) return [];
  return Object.entries(properties)
    .filter(([, property]) => !(isRecord(property) && (property['type'] === 'string' || (property['type'] === undefined && Array.isArray(property['enum']) && property['enum'].every((v) => typeof v === 'string')))))
    .map(([name]) => name);
}
