/**
 * Views of the scaffolded service (opt-in with a job's `handlers` folder):
 * `service.ts` in the output registers one handler module per operation the
 * App receives and lists a sample message for each; the handler stubs are
 * written once into the handlers folder and never overwritten.
 */
import { createHash } from 'node:crypto';
import type { ApiModel, MessageModel, OperationModel } from '../model/ir.js';
import { payloadKind } from '../runtime/core/codec.js';
import type { NameTable } from '../naming/names.js';
import { jsDoc, jsonLiteral, propertyKey, stringLiteral } from '../render/escape.js';
import { splitWords, toPascalCase } from '../naming/identifiers.js';
import type { BannerView } from '../view/model.js';
import { sampleFor, type SampleValue } from './samples.js';

export interface HandlersLocation {
  /** Import path from the output folder to the handlers folder, e.g. `../handlers`. */
  readonly fromOutput: string;
  /** Import path from the handlers folder to the output folder, e.g. `../generated`. */
  readonly fromHandlers: string;
}

export interface ServiceHandlerView {
  readonly methodName: string;
  readonly handlerName: string;
  /** Module specifier of the handler, as a string literal. */
  readonly fromLiteral: string;
}

export interface ServiceView {
  readonly banner: BannerView;
  readonly handlers: ReadonlyArray<ServiceHandlerView>;
  /** `ServiceSample` object literals, one per handled operation. */
  readonly samples: ReadonlyArray<string>;
  /** The operation ids, as an array literal. */
  readonly operationsLiteral: string;
}

export interface HandlerStubView {
  readonly doc: string;
  readonly handlerName: string;
  readonly methodName: string;
  readonly methodLiteral: string;
  /** Module specifier of the generated index, as a string literal. */
  readonly generatedLiteral: string;
  /** The statements of the stub's body. */
  readonly body: string;
}

export interface ScaffoldViews {
  readonly service: ServiceView;
  /** File name (in the handlers folder) -> stub view. */
  readonly stubs: ReadonlyArray<{ readonly fileName: string; readonly view: HandlerStubView }>;
}

function kebabCase(text: string): string {
  return splitWords(text).map((word) => word.toLowerCase()).join('-') || 'operation';
}

function messageSample(message: MessageModel): { readonly fields: string } | { readonly missing: string } {
  const kind = payloadKind(message.contentType);
  if (kind === 'binary') return { missing: `message '${message.key}' carries bytes (${message.contentType}); write its sample by hand` };
  // Derived from the schema only: examples in documents do not always match their schemas, and a
  // sample that does not fit the generated type would stop the project from compiling.
  const payload: SampleValue | undefined = sampleFor(message.payload?.schema);
  if (message.payload !== undefined && payload === undefined) return { missing: `no value could be derived for sure from the payload schema of message '${message.key}'` };
  if (kind === 'text' && payload !== undefined && typeof payload !== 'string') return { missing: `message '${message.key}' is ${message.contentType}; write its sample by hand` };
  const fields = [`message: ${stringLiteral(message.key)}`, `payload: ${message.payload === undefined ? 'undefined' : jsonLiteral(payload)}`];
  const headers = message.headers === undefined ? undefined : sampleFor(message.headers.schema);
  if (message.headers !== undefined && headers === undefined) return { missing: `no value could be derived from the headers schema of message '${message.key}'` };
  if (headers !== undefined && headers !== null && typeof headers === 'object' && Object.keys(headers).length > 0) fields.push(`headers: ${jsonLiteral(headers)}`);
  const keySchema = message.bindings['kafka']?.['key'];
  if (keySchema !== undefined) {
    const key = sampleFor(keySchema as Record<string, unknown>);
    if (key === undefined) return { missing: `no value could be derived from the kafka key schema of message '${message.key}'` };
    fields.push(`key: ${jsonLiteral(key)}`);
  }
  return { fields: fields.join(', ') };
}

function paramsSample(operation: OperationModel): { readonly field: string } | { readonly missing: string } {
  const parameters = operation.channel.parameters;
  if (parameters.length === 0) return { field: '' };
  const entries: string[] = [];
  for (const parameter of parameters) {
    const schema: Readonly<Record<string, unknown>> = typeof parameter.schema === 'object' && parameter.schema !== null ? parameter.schema : {};
    const unconstrained = Object.keys(schema).every((keyword) => ['description', 'title'].includes(keyword)) || (Object.keys(schema).every((keyword) => ['description', 'title', 'type'].includes(keyword)) && schema['type'] === 'string');
    const value = unconstrained ? 'sample' : sampleFor(parameter.schema);
    if (value === undefined || value === null || typeof value === 'object' || value === '') return { missing: `no value could be derived for parameter '${parameter.name}'` };
    entries.push(`${propertyKey(parameter.name)}: ${jsonLiteral(value)}`);
  }
  return { field: `params: { ${entries.join(', ')} }` };
}

function sampleLiteral(operation: OperationModel, methodName: string): string {
  const operationField = `operation: ${stringLiteral(operation.key)}`;
  const candidates = operation.messages.map(messageSample);
  const message = candidates.find((candidate): candidate is { readonly fields: string } => 'fields' in candidate);
  if (message === undefined) {
    const reason = candidates.find((candidate): candidate is { readonly missing: string } => 'missing' in candidate)?.missing ?? 'the operation has no message';
    return `{ ${operationField}, missing: ${stringLiteral(reason)} }`;
  }
  const params = paramsSample(operation);
  if ('missing' in params) return `{ ${operationField}, missing: ${stringLiteral(params.missing)} }`;
  const reply = replySample(operation);
  if (reply !== undefined && 'missing' in reply) return `{ ${operationField}, missing: ${stringLiteral(`the reply: ${reply.missing}`)} }`;
  const input = `{ ${[message.fields, params.field].filter((part) => part !== '').join(', ')} }`;
  const call = operation.reply === undefined ? `client.${methodName}(${input})` : `client.${methodName}(${input}, { timeoutMs: 10_000 })`;
  return `{ ${operationField}, exercise: async (client) => { await ${call}; } }`;
}

/** The sample reply of a request/reply operation; undefined for other operations. */
function replySample(operation: OperationModel): { readonly fields: string } | { readonly missing: string } | undefined {
  if (operation.reply === undefined) return undefined;
  const candidates = operation.reply.messages.map(messageSample);
  return candidates.find((candidate) => 'fields' in candidate) ?? candidates[0] ?? { missing: 'the reply has no message' };
}

function replyStatement(operation: OperationModel): string {
  const sample = replySample(operation);
  if (sample !== undefined && 'fields' in sample) {
    return `  // A sample reply derived from the document: replace it with the real answer.\n  return { ${sample.fields} };`;
  }
  return `  throw new Error(${stringLiteral(`not implemented: the reply of ${operation.key}`)});`;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;
const MAX_FILE_STEM = 80;

/** A file stem for the handler of `operationId`: kebab-case, safe on every file system, stable across edits of other operations. */
function handlerFileStem(operationId: string): string {
  let stem = kebabCase(operationId).replace(/[^a-z0-9-]/g, '');
  if (stem === '') stem = 'operation';
  if (WINDOWS_RESERVED.test(stem)) stem = `${stem}-handler`;
  if (stem.length > MAX_FILE_STEM) stem = `${stem.slice(0, MAX_FILE_STEM - 9)}-${createHash('sha256').update(operationId).digest('hex').slice(0, 8)}`;
  return stem;
}

export function buildScaffoldViews(model: ApiModel, names: NameTable, location: HandlersLocation, banner: BannerView): ScaffoldViews {
  const handled = model.operations.filter((operation) => operation.action === 'receive');
  const handlers: ServiceHandlerView[] = [];
  const samples: string[] = [];
  const stubs: Array<{ fileName: string; view: HandlerStubView }> = [];
  const usedFiles = new Set<string>();
  const usedHandlers = new Set<string>();
  // Sorted by id, so that a suffix for a clash does not depend on document order.
  const byId = [...handled].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const files = new Map<OperationModel, string>();
  for (const operation of byId) {
    const stem = handlerFileStem(operation.key);
    let fileName = stem;
    for (let suffix = 2; usedFiles.has(fileName.toLowerCase()); suffix += 1) fileName = `${stem}-${createHash('sha256').update(operation.key).digest('hex').slice(0, 6)}${suffix === 2 ? '' : `-${suffix}`}`;
    usedFiles.add(fileName.toLowerCase());
    files.set(operation, fileName);
  }
  for (const operation of handled) {
    const methodName = names.operations.get(operation)?.method ?? operation.key;
    let handlerName = `handle${toPascalCase(methodName)}`;
    for (let suffix = 2; usedHandlers.has(handlerName); suffix += 1) handlerName = `handle${toPascalCase(methodName)}${suffix}`;
    usedHandlers.add(handlerName);
    const fileName = files.get(operation) ?? handlerFileStem(operation.key);
    handlers.push({ methodName, handlerName, fromLiteral: stringLiteral(`${location.fromOutput}/${fileName}.js`) });
    samples.push(sampleLiteral(operation, methodName));
    const logged = `  console.log(${stringLiteral(`${operation.key}:`)}, event.message, JSON.stringify(event.payload));`;
    stubs.push({
      fileName: `${fileName}.ts`,
      view: {
        doc: jsDoc([
          `Handles \`${operation.key}\`${operation.summary === undefined ? '.' : `: ${operation.summary}`}`,
          operation.description,
          'Written once by `asyncapi-gen`; this file is yours. Its type follows the AsyncAPI document: after a change there, `tsc` points here.',
        ]),
        handlerName,
        methodName,
        methodLiteral: stringLiteral(methodName),
        generatedLiteral: stringLiteral(`${location.fromHandlers}/index.js`),
        body: operation.reply === undefined ? logged : `${logged}\n${replyStatement(operation)}`,
      },
    });
  }
  return {
    service: { banner, handlers, samples, operationsLiteral: `[${handled.map((operation) => stringLiteral(operation.key)).join(', ')}]` },
    stubs,
  };
}
