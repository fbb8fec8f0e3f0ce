/**
 * The code generated from fixtures/conformance/slash.yaml over the MQTT
 * transport: the shared conformance scenario (App and Client on separate
 * connections), interop with a plain mqtt.js client both ways, and the part
 * of the round trip MQTT 3.1.1 can carry (for brokers such as aedes).
 */
import assert from 'node:assert/strict';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { runConformance } from './conformance.scenario.js';
import {
  commandsChannel,
  createApp,
  createClient,
  readingsChannel,
  type OperationError,
  type PublishReadingEvent,
  type ReceiveCommandEvent,
} from './index.js';
import { createMqttTransport, type MqttTransportOptions } from './transports/mqtt.js';

const DEFAULT_URL = 'mqtt://127.0.0.1:1883';

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function uniqueRun(): string {
  return `r${Math.random().toString(36).slice(2, 10)}`;
}

/** The shared scenario, unchanged, with the App and the Client on two MQTT connections. */
export async function runScenario(url = DEFAULT_URL, options: MqttTransportOptions = {}): Promise<void> {
  const app = await createMqttTransport({ ...options, url });
  const client = await createMqttTransport({ ...options, url });
  try {
    await runConformance({ app, client, carriesContentType: app.protocolVersion === 5 });
  } finally {
    await app.close();
    await client.close();
  }
}

interface Received {
  readonly topic: string;
  readonly payload: Buffer;
  readonly packet: IPublishPacket;
}

function listen(plain: MqttClient): Received[] {
  const received: Received[] = [];
  plain.on('message', (topic, payload, packet) => received.push({ topic, payload, packet }));
  return received;
}

/**
 * Generated code <-> a plain mqtt.js MQTT 5 client: what the App publishes is
 * the JSON text with native user properties; what the plain client publishes
 * reaches the generated handlers; request/reply works in both directions.
 */
export async function runInterop(url = DEFAULT_URL): Promise<void> {
  const run = uniqueRun();
  const errors: OperationError[] = [];
  const appTransport = await createMqttTransport({ url });
  const plain = await connectAsync(url, { protocolVersion: 5 });
  const app = createApp({ transport: appTransport, onError: (error) => errors.push(error) });
  try {
    // Generated -> plain: payload bytes are the JSON text once, headers are user properties.
    const received = listen(plain);
    await plain.subscribeAsync(`conformance/${run}/+/readings`, { qos: 1 });
    await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius', sequence: 7 }, payload: { kind: 'reading', value: 21.5 } });
    await eventually(() => received.length === 1, 'the plain client to get the reading');
    const reading = received[0];
    assert.ok(reading !== undefined);
    assert.equal(reading.topic, readingsChannel.build({ run, sensorId: 's1' }));
    assert.equal(reading.payload.toString('utf8'), '{"kind":"reading","value":21.5}');
    assert.deepEqual({ ...reading.packet.properties?.userProperties }, { unit: 'celsius', sequence: '7' });
    assert.equal(reading.packet.properties?.contentType, 'application/json');

    // Plain -> generated: a JSON text published by the plain client reaches the App's handler.
    const commands: ReceiveCommandEvent[] = [];
    await app.receiveCommand((event) => {
      commands.push(event);
    }, { params: { run } });
    await plain.publishAsync(commandsChannel.build({ run }), '{"action":"start"}', { qos: 1 });
    await eventually(() => commands.length === 1, 'the App to get the command');
    assert.equal(commands[0]?.payload.action, 'start');
    assert.equal(commands[0]?.params.run, run);

    // Plain replier <- generated requester: MQTT 5 response topic and correlation data.
    const questions = listen(plain);
    await plain.subscribeAsync(`conformance/${run}/questions`, { qos: 1 });
    plain.on('message', (topic, payload, packet) => {
      const responseTopic = packet.properties?.responseTopic;
      if (!topic.endsWith('/questions') || responseTopic === undefined) return;
      const question = JSON.parse(payload.toString('utf8')) as { text: string };
      const correlationData = packet.properties?.correlationData;
      void plain.publishAsync(responseTopic, JSON.stringify({ text: `plain says: ${question.text}` }), {
        qos: 1,
        properties: { contentType: 'application/json', ...(correlationData === undefined ? {} : { correlationData }) },
      });
    });
    const answer = await app.ask({ params: { run }, payload: { text: 'hello' } }, { timeoutMs: 5000 });
    assert.equal(answer.payload.text, 'plain says: hello');
    assert.equal(questions.length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await plain.endAsync();
    await appTransport.close();
  }
}

/**
 * Over MQTT 3.1.1 (aedes speaks nothing newer): messages without headers make
 * the round trip both ways; a message whose schema requires headers arrives
 * without them and is reported as invalid, because 3.1.1 cannot carry them.
 */
export async function runMqtt311RoundTrip(url: string): Promise<void> {
  const run = uniqueRun();
  const errors: OperationError[] = [];
  const appTransport = await createMqttTransport({ url, protocolVersion: 4 });
  const clientTransport = await createMqttTransport({ url, protocolVersion: 4 });
  const app = createApp({ transport: appTransport, onError: (error) => errors.push(error) });
  const client = createClient({ transport: clientTransport, onError: (error) => errors.push(error) });
  try {
    const commands: ReceiveCommandEvent[] = [];
    await app.receiveCommand((event) => {
      commands.push(event);
    }, { params: { run } });
    await client.receiveCommand({ params: { run }, payload: { action: 'start' } });
    await client.receiveCommand({ params: { run }, payload: { action: 'stop' } });
    await eventually(() => commands.length === 2, 'two commands');
    assert.deepEqual(commands.map((event) => event.payload.action), ['start', 'stop']);

    const readings: PublishReadingEvent[] = [];
    await client.publishReading((event) => {
      readings.push(event);
    }, { params: { run } });
    await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius' }, payload: { kind: 'calibration', offset: 1 } });
    await app.publishReading({ params: { run, sensorId: 's2' }, headers: { unit: 'celsius' }, payload: { kind: 'reading', value: 2 } });
    await eventually(() => readings.length === 1 && errors.length === 1, 'the calibration, and the reading refused');
    assert.equal(readings[0]?.message, 'Calibration');
    assert.equal(readings[0]?.params.sensorId, 's1');
    assert.equal(errors[0]?.kind, 'validation');

    await assert.rejects(app.ask({ params: { run }, payload: { text: 'hello?' } }, { timeoutMs: 500 }), /needs MQTT 5/);
  } finally {
    await appTransport.close();
    await clientTransport.close();
  }
}
