/**
 * From an AsyncAPI document to the broker: the generated code's server
 * selection, security mapping and bindings over the AMQP transport, and the
 * generator-side check of the amqp bindings the transport does not honour.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAmqpBindings } from '../../../src/generate/bindings/amqp.js';
import { normalizeDocument } from '../../../src/model/normalize/index.js';
import { brokerAvailable } from '../../support/brokers.js';
import { generateInto, typecheck } from '../../support/generated.js';
import { loadInline } from '../../support/inline.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(HERE, 'fixtures', 'bindings.yaml');

const available = await brokerAvailable('amqp');

interface DocumentsScenario {
  runServerSelection(): Promise<void>;
  runBindings(): Promise<void>;
}

describe.skipIf(!available)('generated code from a document with amqp servers, security and bindings', () => {
  let scenario: DocumentsScenario;

  beforeAll(async () => {
    const { dir, result } = await generateInto('amqp-documents', FIXTURE, { transports: ['amqp'] });
    expect(result.diagnostics.filter((diagnostic) => diagnostic.severity !== 'info')).toEqual([]);
    copyFileSync(path.join(HERE, 'documents.scenario.ts'), path.join(dir, 'documents.scenario.ts'));
    expect(await typecheck(dir, 'NodeNext')).toBe('');
    scenario = (await import(pathToFileURL(path.join(dir, 'documents.scenario.ts')).href)) as DocumentsScenario;
  }, 60_000);

  it('connects to the document server with the credentials its security scheme asks for, and refuses what it cannot speak', async () => {
    await scenario.runServerSelection();
  }, 20_000);

  it('declares and uses the exchange, queue and message properties of the bindings', async () => {
    await scenario.runBindings();
  }, 20_000);
});

describe('checkAmqpBindings', () => {
  async function check(yaml: string) {
    const document = await loadInline(yaml);
    return checkAmqpBindings(normalizeDocument(document.json).model);
  }

  it('finds nothing to warn about in a document using only honoured bindings', async () => {
    const { readFileSync } = await import('node:fs');
    expect(await check(readFileSync(FIXTURE, 'utf8'))).toEqual([]);
  });

  it('warns, with the pointer of the object, about each binding field the transport does not honour', async () => {
    const diagnostics = await check(`asyncapi: 2.6.0
info: { title: T, version: '1' }
servers:
  rabbit:
    url: amqp://localhost/tenant
    protocol: amqp
    bindings:
      amqp: { bindingVersion: 0.2.0 }
channels:
  jobs:
    bindings:
      amqp:
        is: queue
        queue: { name: jobs, durable: true, vhost: other }
        bindingVersion: 0.2.0
    subscribe:
      operationId: sendJob
      bindings:
        amqp: { replyTo: answers, expiration: 1000, mandatory: true, bindingVersion: 0.2.0 }
      message:
        payload: { type: string }
        bindings:
          amqp: { contentEncoding: gzip, messageType: job }
  tenantEvents:
    bindings:
      amqp:
        is: routingKey
        exchange: { name: events, type: topic, vhost: tenant }
    publish:
      operationId: receiveEvent
      message:
        payload: { type: string }
`);
    expect(diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.code, diagnostic.pointer, diagnostic.message])).toEqual([
      ['warning', 'binding-unsupported', '/channels/jobs', expect.stringMatching(/channel 'jobs': AMQP binding 'queue\.vhost' names vhost 'other'/)],
      ['warning', 'binding-unsupported', '/channels/jobs/subscribe', expect.stringMatching(/operation 'sendJob': AMQP binding 'replyTo' is not supported/)],
    ]);
    expect(diagnostics.every((diagnostic) => diagnostic.hint !== undefined)).toBe(true);
  });

  it('checks nested exchange and queue fields and values the transport would ignore', async () => {
    const model = {
      servers: [],
      channels: [
        {
          key: 'c',
          origin: '/channels/c',
          bindings: { amqp: { exchange: { name: 'x', type: 'topic', internal: true }, queue: { durable: true } } },
        },
      ],
      operations: [{ key: 'o', origin: '/operations/o', bindings: { amqp: { expiration: '10s', deliveryMode: 3, cc: 'one.key' } }, messages: [] }],
      messages: [],
    } as unknown as Parameters<typeof checkAmqpBindings>[0];
    const messages = checkAmqpBindings(model).map((diagnostic) => `${diagnostic.pointer} ${diagnostic.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^\/channels\/c .*'exchange\.internal' is not supported/),
      expect.stringMatching(/^\/channels\/c .*'queue' has no `name`, so its settings are not used/),
      expect.stringMatching(/^\/operations\/o .*'expiration' must be a non-negative integer \(got "10s"\)/),
      expect.stringMatching(/^\/operations\/o .*'deliveryMode' must be one of 1, 2 \(got 3\)/),
    ]);
  });
});
