/**
 * Which NATS bindings the NATS transport honours, and a warning for every one
 * it does not, so that no binding is dropped silently.
 *
 * The NATS bindings (https://github.com/asyncapi/bindings/tree/master/nats)
 * define only the operation binding `queue`, which the transport uses as the
 * subscription's queue group. The server, channel and message bindings are
 * reserved and empty; `bindingVersion` is accepted everywhere.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel } from '../../model/ir.js';
import { boundObjects, type BoundObjectKind } from './objects.js';

const PROTOCOL = 'nats';


/** Binding fields the transport acts on, per kind of object. */
const HONOURED: Readonly<Record<BoundObjectKind, ReadonlySet<string>>> = {
  server: new Set(['bindingVersion']),
  channel: new Set(['bindingVersion']),
  operation: new Set(['bindingVersion', 'queue']),
  message: new Set(['bindingVersion']),
};

export function checkNatsBindings(model: ApiModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const object of boundObjects(model)) {
    const fields = object.bindings[PROTOCOL];
    if (fields === undefined) continue;
    for (const [field, value] of Object.entries(fields)) {
      const problem = problemWith(object.kind, field, value);
      if (problem === undefined) continue;
      diagnostics.push({
        severity: 'warning',
        code: 'binding-unsupported',
        message: `${object.kind} '${object.name}': NATS binding '${field}' ${problem}`,
        pointer: object.origin,
        hint: hintFor(object.kind, field),
      });
    }
  }
  return diagnostics;
}

function problemWith(kind: BoundObjectKind, field: string, value: unknown): string | undefined {
  if (!HONOURED[kind].has(field)) return 'is not supported by the NATS transport and is ignored';
  if (field === 'queue' && !isQueueName(value)) {
    return `must be a non-empty queue group name without whitespace (got ${JSON.stringify(value)}); the transport ignores it`;
  }
  return undefined;
}

function isQueueName(value: unknown): boolean {
  return typeof value === 'string' && value !== '' && !/\s/.test(value);
}

function hintFor(kind: BoundObjectKind, field: string): string {
  if (field === 'queue') return 'write the queue group as a string, for example `queue: workers`';
  return kind === 'operation'
    ? 'NATS operation bindings define only `queue` (and `bindingVersion`)'
    : `NATS ${kind} bindings define no fields; remove it, or implement it in your own transport`;
}
