/** The v2 and v3 normalisers produce one model with application-centred directions. */
import { describe, expect, it } from 'vitest';
import { normalizeDocument } from '../../src/model/normalize/index.js';
import { loadInline } from '../support/inline.js';

async function model(yaml: string) {
  const document = await loadInline(yaml);
  return normalizeDocument(document.json);
}

const V2 = `asyncapi: 2.6.0
info: { title: T, version: '1' }
channels:
  'user/{id}/{region}':
    parameters:
      region: { schema: { type: string, enum: [eu, us] } }
      id: { schema: { type: integer } }
    publish:
      message: { payload: { type: string } }
    subscribe:
      operationId: notifyUser
      message:
        oneOf:
          - { messageId: a, payload: { type: object } }
          - { name: b, contentType: text/plain, payload: { type: string } }
`;

describe('AsyncAPI 2.x', () => {
  it('maps publish to receive and subscribe to send, with derived names where ids are missing', async () => {
    const { model: m } = await model(V2);
    expect(m.majorVersion).toBe(2);
    expect(m.operations.map((o) => [o.key, o.action, o.keyIsDerived])).toEqual([
      ['receiveUserIdRegion', 'receive', true],
      ['notifyUser', 'send', false],
    ]);
  });

  it('orders parameters as they appear in the address and keeps their schemas', async () => {
    const { model: m } = await model(V2);
    const channel = m.channels[0];
    expect(channel?.parameters.map((p) => p.name)).toEqual(['id', 'region']);
    expect(channel?.parameters[0]?.schema).toMatchObject({ type: 'integer' });
  });

  it('names messages by messageId or name, defaults the content type to JSON', async () => {
    const { model: m } = await model(V2);
    const send = m.operations[1];
    expect(send?.messages.map((message) => [message.key, message.contentType])).toEqual([
      ['a', 'application/json'],
      ['b', 'text/plain'],
    ]);
  });
});

describe('AsyncAPI 3.x', () => {
  const V3 = `asyncapi: 3.0.0
info: { title: T, version: '1' }
defaultContentType: application/cloudevents+json
servers:
  prod: { host: 'broker:{port}', protocol: MQTT, variables: { port: { default: '1883' } } }
channels:
  c:
    address: 'a/{x}'
    parameters: { x: { enum: [p, q], default: p } }
    messages:
      one: { $ref: '#/components/messages/One' }
      two: { payload: { type: string } }
  r:
    address: null
    messages:
      rep: { payload: { type: object } }
operations:
  go:
    action: send
    channel: { $ref: '#/channels/c' }
    messages: [{ $ref: '#/channels/c/messages/one' }]
    reply:
      address: { location: '$message.header#/replyTo' }
      channel: { $ref: '#/channels/r' }
  listen:
    action: receive
    channel: { $ref: '#/channels/c' }
components:
  messages:
    One:
      correlationId: { location: '$message.header#/cid' }
      payload: { type: object }
`;

  it('keeps actions as written, one model per message object, replies and servers', async () => {
    const { model: m, diagnostics } = await model(V3);
    expect(diagnostics).toEqual([]);
    expect(m.operations.map((o) => [o.key, o.action, o.messages.map((msg) => msg.key)])).toEqual([
      ['go', 'send', ['One']],
      ['listen', 'receive', ['One', 'two']],
    ]);
    expect(m.operations[0]?.messages[0]).toBe(m.operations[1]?.messages[0]);
    expect(m.operations[0]?.reply?.address?.location).toBe('$message.header#/replyTo');
    expect(m.operations[0]?.reply?.channel?.address).toBeNull();
    expect(m.messages.find((msg) => msg.key === 'One')?.correlationId?.location).toBe('$message.header#/cid');
    expect(m.messages.find((msg) => msg.key === 'two')?.contentType).toBe('application/cloudevents+json');
    expect(m.servers[0]).toMatchObject({ key: 'prod', protocol: 'mqtt', host: 'broker:{port}' });
    expect(m.channels[0]?.parameters[0]?.schema).toMatchObject({ type: 'string', enum: ['p', 'q'], default: 'p' });
  });
});
