/**
 * Generation-time check of MQTT bindings (src/generate/bindings/mqtt.ts):
 * every binding field the MQTT transport does not honour, and every feature
 * an MQTT 3.x server cannot carry, is a warning. No broker needed.
 */
import { describe, expect, it } from 'vitest';
import { checkMqttBindings } from '../../../src/generate/bindings/mqtt.js';
import { normalizeDocument } from '../../../src/model/normalize/index.js';
import type { Diagnostic } from '../../../src/diagnostics.js';
import { loadInline } from '../../support/inline.js';

async function check(yaml: string): Promise<Diagnostic[]> {
  const document = await loadInline(yaml);
  return checkMqttBindings(normalizeDocument(document.json).model);
}

function summary(diagnostics: ReadonlyArray<Diagnostic>): string[] {
  return diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.pointer ?? ''} ${diagnostic.message}`);
}

const HONOURED_V5 = `
asyncapi: 3.0.0
info: { title: Honoured, version: 1.0.0 }
servers:
  broker:
    host: 127.0.0.1:1883
    protocol: mqtt
    protocolVersion: '5'
    bindings:
      mqtt:
        clientId: lights
        cleanSession: false
        keepAlive: 30
        sessionExpiryInterval: 3600
        maximumPacketSize: 65536
        lastWill: { topic: lights/gone, qos: 1, message: offline, retain: true }
        bindingVersion: 0.2.0
channels:
  lights:
    address: lights/{id}
    parameters: { id: {} }
    messages:
      changed:
        headers: { type: object, properties: { unit: { type: string } } }
        payload: { type: object }
        bindings:
          mqtt: { contentType: application/json, payloadFormatIndicator: 1, responseTopic: lights/replies }
operations:
  publishChange:
    action: send
    channel: { $ref: '#/channels/lights' }
    bindings:
      mqtt: { qos: 2, retain: true, messageExpiryInterval: 60, bindingVersion: 0.2.0 }
  onChange:
    action: receive
    channel: { $ref: '#/channels/lights' }
    bindings:
      mqtt: { qos: 1 }
`;

const V311 = `
asyncapi: 3.0.0
info: { title: Old broker, version: 1.0.0 }
servers:
  old:
    host: 127.0.0.1:1883
    protocol: mqtt
    protocolVersion: 3.1.1
    bindings:
      mqtt:
        sessionExpiryInterval: 60
        maximumPacketSize: { type: integer, minimum: 100 }
channels:
  readings:
    address: readings/{id}
    parameters: { id: {} }
    messages:
      reading:
        headers: { type: object, properties: { unit: { type: string } } }
        payload: { type: object }
        correlationId: { location: '$message.header#/correlationId' }
        bindings:
          mqtt:
            contentType: application/json
            correlationData: { type: string, format: uuid }
  replies:
    address: readings/replies
    messages:
      answer:
        payload: { type: object }
operations:
  sendReading:
    action: send
    channel: { $ref: '#/channels/readings' }
    bindings:
      mqtt: { qos: 1, messageExpiryInterval: 30 }
    reply:
      channel: { $ref: '#/channels/replies' }
  onReading:
    action: receive
    channel: { $ref: '#/channels/readings' }
    bindings:
      mqtt: { qos: 1, retain: true }
`;

describe('checkMqttBindings', () => {
  it('says nothing about bindings the transport honours on MQTT 5', async () => {
    expect(summary(await check(HONOURED_V5))).toEqual([]);
  });

  it('warns about every binding field and feature an MQTT 3.1.1 server does not get', async () => {
    const diagnostics = await check(V311);
    expect(diagnostics.every((diagnostic) => diagnostic.severity === 'warning')).toBe(true);
    const lines = summary(diagnostics);
    const expected: Array<[code: string, pointer: string, fragment: string]> = [
      ['binding-unsupported', '/servers/old', "'sessionExpiryInterval' exists only in MQTT 5"],
      ['binding-unsupported', '/servers/old', "'maximumPacketSize' is not an integer"],
      ['binding-unsupported', '/operations/sendReading', "'messageExpiryInterval' exists only in MQTT 5"],
      ['binding-unsupported', '/operations/onReading', "'retain' applies to publishing"],
      ['binding-unsupported', '/channels/readings/messages/reading', "'contentType' exists only in MQTT 5"],
      ['binding-unsupported', '/channels/readings/messages/reading', "'correlationData' describes correlation data"],
      ['mqtt-headers-unsupported', '/channels/readings/messages/reading', 'cannot carry them'],
      ['mqtt-reply-unsupported', '/operations/sendReading', 'request/reply needs MQTT 5'],
    ];
    for (const [code, pointer, fragment] of expected) {
      expect(lines.some((line) => line.startsWith(`${code} ${pointer} `) && line.includes(fragment)), `${code} ${pointer} ${fragment}\n${lines.join('\n')}`).toBe(true);
    }
    expect(lines).toHaveLength(expected.length);
  });

  it('warns about unknown fields, channel fields and an MQTT version the transport does not speak', async () => {
    const document = await loadInline(HONOURED_V5);
    const { model } = normalizeDocument(document.json);
    const [server] = model.servers;
    const [channel] = model.channels;
    const [operation] = model.operations;
    if (server === undefined || channel === undefined || operation === undefined) throw new Error('fixture changed');
    const edited = {
      ...model,
      servers: [{ ...server, protocolVersion: '6', bindings: { mqtt: { clientId: 'x', flavour: 'strawberry' } } }],
      channels: [{ ...channel, bindings: { mqtt: { topicAlias: 3 } } }],
      operations: [{ ...operation, bindings: { mqtt: { qos: 3 } } }],
      messages: [],
    };
    const lines = summary(checkMqttBindings(edited));
    expect(lines.some((line) => line.startsWith('mqtt-protocol-version /servers/broker') && line.includes("'6'"))).toBe(true);
    expect(lines.some((line) => line.includes("binding 'flavour' is not an MQTT binding field"))).toBe(true);
    expect(lines.some((line) => line.includes("channel 'lights': mqtt binding 'topicAlias'"))).toBe(true);
    expect(lines.some((line) => line.includes("'qos' must be 0, 1 or 2"))).toBe(true);
  });
});
