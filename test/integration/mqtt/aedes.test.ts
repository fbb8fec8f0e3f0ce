/**
 * The MQTT transport against aedes, an MQTT broker embedded in this process
 * (what `npm run demo` uses). aedes 1.x speaks MQTT 3.1 and 3.1.1 only: the
 * transport falls back to 3.1.1 when no version was chosen; publish/subscribe,
 * wildcards, QoS, retain, unsubscribe and close work; headers do not travel
 * and request/reply needs MQTT 5. No external broker needed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Aedes } from 'aedes';
import { createMqttTransport, type MqttTransport } from '../../../src/runtime/transports/mqtt.js';
import { addScenario, fixturePath, generateInto } from '../../support/generated.js';
import { collector, eventually, message, pattern, sleep, text, uniqueId } from './helpers.js';

let broker: Aedes;
let server: Server;
let url: string;
const opened: MqttTransport[] = [];

async function open(options: Parameters<typeof createMqttTransport>[0] = {}): Promise<MqttTransport> {
  const transport = await createMqttTransport({ url, protocolVersion: 4, ...options });
  opened.push(transport);
  return transport;
}

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('aedes did not get a port');
  url = `mqtt://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
  vi.restoreAllMocks();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

describe('MQTT transport over an embedded aedes broker (MQTT 3.1.1)', () => {
  it('falls back to MQTT 3.1.1 with a warning when no version was chosen', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const transport = await createMqttTransport({ url });
    opened.push(transport);
    expect(transport.protocolVersion).toBe(4);
    expect(warn.mock.calls.some(([line]) => String(line).includes('refused MQTT 5'))).toBe(true);
    await expect(createMqttTransport({ url, protocolVersion: 5 })).rejects.toThrow(/protocol version/i);
  });

  it('delivers through fixed and free parameters, in order, and stops after unsubscribe', async () => {
    const app = await open();
    const client = await open();
    const run = uniqueId();
    const { received, handler } = collector();
    const subscription = await client.subscribe(pattern('a/{run}/{sensor}/readings', { run }), handler);
    for (const sensor of ['s1', 's2', 's3']) await app.publish(message(`a/${run}/${sensor}/readings`, sensor));
    await app.publish(message(`a/${run}x/s1/readings`, 'other run'));
    await eventually(() => received.length === 3, 'three readings');
    expect(received.map((inbound) => text(inbound.payload))).toEqual(['s1', 's2', 's3']);
    await subscription.unsubscribe();
    await app.publish(message(`a/${run}/s1/readings`, 'late'));
    await sleep(150);
    expect(received).toHaveLength(3);
  });

  it('honours QoS and retain from the operation binding', async () => {
    const app = await open();
    const topic = `retained/${uniqueId()}`;
    await app.publish(message(topic, 'state'), { bindings: { operation: { mqtt: { qos: 1, retain: true } } } });
    const late = await open();
    const { received, handler } = collector();
    await late.subscribe(pattern(topic), handler);
    await eventually(() => received.length === 1, 'the retained message');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe('state');
  });

  it('runs the generated code round trip that MQTT 3.1.1 can carry', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { dir } = await generateInto('conformance-mqtt-aedes', fixturePath('conformance/slash.yaml'), { transports: ['mqtt'] });
    addScenario(dir, 'conformance.scenario.ts');
    addScenario(dir, 'mqtt-conformance.scenario.ts');
    const scenario = (await import(pathToFileURL(path.join(dir, 'mqtt-conformance.scenario.ts')).href)) as {
      runMqtt311RoundTrip(url: string): Promise<void>;
    };
    await scenario.runMqtt311RoundTrip(url);
  }, 60_000);
});
