/**
 * What the AsyncAPI parser does to a document before we see it, and how normalisation copes:
 * v3 Multi Format Schema Objects, formats it has no schema parser for, and the deep copies it
 * makes when it applies traits.
 */
import { describe, expect, it } from 'vitest';
import { normalizeDocument } from '../../src/model/normalize/index.js';
import { loadInline } from '../support/inline.js';

async function normalize(yaml: string) {
  const document = await loadInline(yaml);
  return normalizeDocument(document.json);
}

describe('schema formats', () => {
  it('reads the schema inside a v3 Multi Format Schema Object, and names it after its component', async () => {
    const { model } = await normalize(`asyncapi: 3.0.0
info: { title: T, version: '1' }
channels:
  rooms:
    messages:
      chat:
        payload:
          schemaFormat: application/schema+yaml;version=draft-07
          schema: { type: object, properties: { text: { type: string } } }
      avro:
        payload: { $ref: '#/components/schemas/Reading' }
components:
  schemas:
    Reading:
      schemaFormat: application/vnd.apache.avro;version=1.9.0
      schema: { type: record, name: Reading, fields: [{ name: value, type: int }] }
`);
    const [chat, avro] = model.messages;
    expect(chat?.payload?.schema).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
    expect(chat?.payload?.origin).toBe('/channels/rooms/messages/chat/payload/schema');
    expect(avro?.payload?.schema).toMatchObject({ type: 'object', properties: { value: { type: 'integer' } } });
    expect(model.componentSchemaNames.get(avro?.payload?.schema as object)).toBe('Reading');
  });

  it('types a payload in a format without a schema parser as unknown, with a warning', async () => {
    const { model, diagnostics } = await normalize(`asyncapi: 2.4.0
info: { title: T, version: '1' }
channels:
  books:
    publish:
      message:
        schemaFormat: application/raml+yaml;version=1.0
        payload: { type: object, properties: { title: string } }
`);
    expect(model.messages[0]?.payload).toBeUndefined();
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: 'schema-format-unsupported', pointer: '/channels/books/publish/message/payload' }));
  });
});

describe('trait copies', () => {
  const V3_WITH_TRAITS = `asyncapi: 3.0.0
info: { title: T, version: '1' }
channels:
  measured:
    address: 'lights/{id}/measured'
    parameters: { id: {} }
    messages:
      measured: { $ref: '#/components/messages/measured' }
operations:
  receiveMeasurement:
    action: receive
    channel: { $ref: '#/channels/measured' }
    traits: [{ $ref: '#/components/operationTraits/kafka' }]
    messages: [{ $ref: '#/channels/measured/messages/measured' }]
components:
  messages:
    measured:
      traits: [{ $ref: '#/components/messageTraits/common' }]
      payload: { $ref: '#/components/schemas/Measurement' }
  schemas:
    Measurement:
      type: object
      properties: { lumens: { type: integer }, sentAt: { $ref: '#/components/schemas/SentAt' } }
    SentAt: { type: string, format: date-time }
  messageTraits:
    common:
      headers: { type: object, properties: { trace: { type: string } } }
  operationTraits:
    kafka:
      bindings: { kafka: { clientId: { type: string } } }
`;

  it('keeps one channel when an operation with traits holds a copy of it', async () => {
    const { model, diagnostics } = await normalize(V3_WITH_TRAITS);
    expect(model.channels.map((channel) => channel.key)).toEqual(['measured']);
    expect(model.operations[0]?.channel).toBe(model.channels[0]);
    expect(model.messages).toHaveLength(1);
    expect(diagnostics.filter((d) => d.code === 'naming-collision')).toEqual([]);
  });

  it('puts component schemas back into a payload the parser copied to apply message traits', async () => {
    const { model } = await normalize(V3_WITH_TRAITS);
    const payload = model.messages[0]?.payload?.schema as object;
    expect(model.componentSchemaNames.get(payload)).toBe('Measurement');
    expect(model.messages[0]?.headers?.schema).toMatchObject({ properties: { trace: { type: 'string' } } });
  });
});
