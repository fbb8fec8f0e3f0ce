/**
 * checkNatsBindings: a warning for every NATS binding field the transport does
 * not honour. Pure model code: needs no broker, so it is not gated on one.
 */
import { describe, expect, it } from 'vitest';
import { checkNatsBindings } from '../../../src/generate/bindings/nats.js';
import { normalizeDocument } from '../../../src/model/normalize/index.js';
import type { ApiModel, BindingsModel } from '../../../src/model/ir.js';
import { loadInline } from '../../support/inline.js';

async function modelOf(yaml: string): Promise<ApiModel> {
  const document = await loadInline(yaml);
  return normalizeDocument(document.json).model;
}

async function diagnosticsOf(yaml: string) {
  return checkNatsBindings(await modelOf(yaml));
}

/**
 * The parser rejects unknown or mistyped fields of the NATS operation binding,
 * so those reach the model only from elsewhere (a later binding version);
 * swap them in by hand.
 */
function withOperationBindings(model: ApiModel, bindings: Record<string, BindingsModel>): ApiModel {
  return {
    ...model,
    operations: model.operations.map((operation) => ({ ...operation, bindings: bindings[operation.key] ?? operation.bindings })),
  };
}

const DOCUMENT = `asyncapi: 3.0.0
info: { title: T, version: '1' }
servers:
  main:
    host: localhost:4222
    protocol: nats
    bindings:
      nats: { bindingVersion: 0.1.0, cluster: east }
channels:
  jobs:
    address: jobs.{kind}
    parameters: { kind: {} }
    bindings:
      nats: { stream: JOBS }
    messages:
      job:
        payload: { type: object }
        bindings:
          nats: { subjectPrefix: x }
  plain:
    address: plain
    messages:
      note: { payload: { type: string } }
operations:
  takeJob:
    action: receive
    channel: { $ref: '#/channels/jobs' }
    bindings:
      nats: { queue: workers, bindingVersion: 0.1.0 }
  sendNote:
    action: send
    channel: { $ref: '#/channels/plain' }
    bindings:
      mqtt: { qos: 1 }
`;

describe('checkNatsBindings', () => {
  it('warns once per unhonoured field, at the origin of its object, and accepts queue and bindingVersion', async () => {
    const model = withOperationBindings(await modelOf(DOCUMENT), {
      takeJob: { nats: { queue: 'workers', bindingVersion: '0.1.0', deliverPolicy: 'all' } },
      sendNote: { nats: { queue: 42 }, mqtt: { qos: 1 } },
    });
    const diagnostics = checkNatsBindings(model);
    expect(diagnostics.every((d) => d.severity === 'warning' && d.code === 'binding-unsupported')).toBe(true);
    expect(diagnostics.map((d) => [d.pointer, d.message])).toEqual([
      ['/servers/main', "server 'main': NATS binding 'cluster' is not supported by the NATS transport and is ignored"],
      ['/channels/jobs', "channel 'jobs': NATS binding 'stream' is not supported by the NATS transport and is ignored"],
      ['/operations/takeJob', "operation 'takeJob': NATS binding 'deliverPolicy' is not supported by the NATS transport and is ignored"],
      [
        '/operations/sendNote',
        "operation 'sendNote': NATS binding 'queue' must be a non-empty queue group name without whitespace (got 42); the transport ignores it",
      ],
      ['/channels/jobs/messages/job', "message 'job': NATS binding 'subjectPrefix' is not supported by the NATS transport and is ignored"],
    ]);
    for (const diagnostic of diagnostics) expect(diagnostic.hint).toBeTruthy();
  }, 30_000);

  it('says nothing about a document without NATS bindings, or about other protocols', async () => {
    const diagnostics = await diagnosticsOf(`asyncapi: 3.0.0
info: { title: T, version: '1' }
channels:
  a:
    address: a
    bindings:
      kafka: { topic: a }
operations:
  go:
    action: send
    channel: { $ref: '#/channels/a' }
    bindings:
      nats: { queue: q }
`);
    expect(diagnostics).toEqual([]);
  }, 30_000);
});
