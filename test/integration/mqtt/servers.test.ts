/**
 * The MQTT transport as generated for a document with MQTT servers: the
 * factory without arguments connects to the document's first MQTT server and
 * applies its protocolVersion, server bindings and security schemes.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { createMqttTransport as CreateMqttTransport, MqttTransport } from '../../../src/runtime/transports/mqtt.js';
import { generateInto } from '../../support/generated.js';
import { brokerAvailable } from '../../support/brokers.js';
import { MQTT_URL, collector, eventually, pattern, text, uniqueId } from './helpers.js';

const available = await brokerAvailable('mqtt');
const run = uniqueId();

const DOCUMENT = `
asyncapi: 3.0.0
info: { title: MQTT servers, version: 1.0.0 }
servers:
  legacy:
    host: 127.0.0.1:{port}
    protocol: mqtt
    protocolVersion: 3.1.1
    variables:
      port: { default: '1883' }
    bindings:
      mqtt:
        clientId: asyncapi-gen-${run}
        keepAlive: 7
        lastWill: { topic: 'will/${run}', qos: 1, message: 'legacy is gone', retain: false }
  modern:
    host: 127.0.0.1:1883
    protocol: mqtt
    protocolVersion: '5'
    bindings:
      mqtt: { sessionExpiryInterval: 5, maximumPacketSize: 1048576 }
  persistent:
    host: 127.0.0.1:1883
    protocol: mqtt5
    bindings:
      mqtt: { clientId: 'asyncapi-gen-persistent-${run}', cleanSession: false }
  secured:
    host: 127.0.0.1:1883
    protocol: mqtt
    security:
      - $ref: '#/components/securitySchemes/login'
  certified:
    host: 127.0.0.1:1883
    protocol: mqtts
    security:
      - $ref: '#/components/securitySchemes/certificate'
channels:
  events:
    address: 'events/${run}'
    messages:
      event: { payload: { type: object } }
operations:
  sendEvent:
    action: send
    channel: { $ref: '#/channels/events' }
components:
  securitySchemes:
    login: { type: userPassword }
    certificate: { type: X509 }
`;

let createMqttTransport: typeof CreateMqttTransport;
const opened: MqttTransport[] = [];

async function open(options?: Parameters<typeof CreateMqttTransport>[0]): Promise<MqttTransport> {
  const transport = await createMqttTransport(options);
  opened.push(transport);
  return transport;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
  vi.unstubAllEnvs();
});

describe.skipIf(!available)('MQTT transport with the servers of the document', () => {
  beforeAll(async () => {
    const specDir = mkdtempSync(path.join(os.tmpdir(), 'asyncapi-gen-mqtt-servers-'));
    const spec = path.join(specDir, 'asyncapi.yaml');
    writeFileSync(spec, DOCUMENT);
    const { dir } = await generateInto('mqtt-servers', spec, { transports: ['mqtt'] });
    const module = (await import(pathToFileURL(path.join(dir, 'transports', 'mqtt.ts')).href)) as { createMqttTransport: typeof CreateMqttTransport };
    createMqttTransport = module.createMqttTransport;
  }, 60_000);

  it('connects to the first MQTT server with its protocolVersion and bindings; the last will fires when the connection dies', async () => {
    const watcher = await open({ url: MQTT_URL });
    const { received, handler } = collector();
    await watcher.subscribe(pattern(`will/${run}`), handler);
    const legacy = await open();
    expect(legacy.protocolVersion).toBe(4);
    expect(legacy.client.options.clientId).toBe(`asyncapi-gen-${run}`);
    expect(legacy.client.options.keepalive).toBe(7);
    legacy.client.stream.destroy();
    await eventually(() => received.length === 1, 'the last will');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe('legacy is gone');
  });

  it('uses the MQTT 5 server bindings of the server chosen by name, also with a url override', async () => {
    const modern = await open({ server: 'modern' });
    expect(modern.protocolVersion).toBe(5);
    expect(modern.client.options.properties).toMatchObject({ sessionExpiryInterval: 5, maximumPacketSize: 1048576 });
    const overridden = await open({ server: 'legacy', url: MQTT_URL });
    expect(overridden.protocolVersion).toBe(4);
    const explicit = await open({ server: 'legacy', protocolVersion: 5, clientId: `explicit-${run}` });
    expect(explicit.protocolVersion).toBe(5);
    expect(explicit.client.options.clientId).toBe(`explicit-${run}`);
  });

  it('keeps an MQTT 5 session with cleanSession false until it is cleared (as 3.1.1 does)', async () => {
    const persistent = await open({ server: 'persistent' });
    expect(persistent.protocolVersion).toBe(5);
    expect(persistent.client.options.clean).toBe(false);
    expect(persistent.client.options.properties?.sessionExpiryInterval).toBe(0xffffffff);
    await persistent.close();
    const clearing = await open({ server: 'persistent', clean: true });
    expect(clearing.client.options.properties?.sessionExpiryInterval).toBeUndefined();
  });

  it('sends the user and password from the environment for userPassword', async () => {
    vi.stubEnv('ASYNCAPI_MQTT_USER', 'lamplighter');
    vi.stubEnv('ASYNCAPI_MQTT_PASSWORD', 's3cret');
    const secured = await open({ server: 'secured' });
    expect(secured.client.options.username).toBe('lamplighter');
    expect(secured.client.options.password).toBe('s3cret');
  });

  it('refuses an X509 server without a client certificate, saying which variables to set', async () => {
    await expect(createMqttTransport({ server: 'certified' })).rejects.toThrow(/ASYNCAPI_MQTT_CERT and ASYNCAPI_MQTT_KEY/);
  });

  it('says where it could not connect', async () => {
    await expect(createMqttTransport({ url: 'mqtt://127.0.0.1:1' })).rejects.toThrow(/cannot connect to the MQTT broker at mqtt:\/\/127\.0\.0\.1:1/);
  });
});
