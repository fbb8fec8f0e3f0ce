/**
 * The conformance scenario over the NATS transport (two connections: one for
 * the App, one for the Client), and interoperability of the generated code
 * with a plain nats.js connection in both directions.
 */
import assert from 'node:assert/strict';
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { runConformance } from './conformance.scenario.js';
import { createApp, createClient, type ReceiveCommandEvent } from './index.js';
import { createNatsTransport } from './transports/nats.js';

const BROKER_URL = 'nats://127.0.0.1:4222';

export async function runScenario(): Promise<void> {
  const app = await createNatsTransport({ url: BROKER_URL });
  const client = await createNatsTransport({ url: BROKER_URL });
  try {
    await runConformance({ app, client });
  } finally {
    await app.close();
    await client.close();
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Generated code <-> plain nats.js: JSON text on the wire, native headers, native request/reply. */
export async function runInterop(): Promise<void> {
  const run = `i${Math.random().toString(36).slice(2, 10)}`;
  const transport = await createNatsTransport({ url: BROKER_URL });
  const plain: NatsConnection = await connect({ servers: BROKER_URL });
  const app = createApp({ transport });
  const client = createClient({ transport });
  try {
    // Generated App publishes; the plain client reads JSON text and native headers.
    const seen: Msg[] = [];
    plain.subscribe(`conformance.${run}.*.readings`, {
      callback: (_error, msg) => {
        seen.push(msg);
      },
    });
    await plain.flush();
    await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius', sequence: 1 }, payload: { kind: 'reading', value: 21.5 } });
    await eventually(() => seen.length === 1, 'the plain client receives the reading');
    const reading = seen[0];
    assert.ok(reading !== undefined);
    assert.equal(reading.subject, `conformance.${run}.s1.readings`);
    assert.equal(decoder.decode(reading.data), '{"kind":"reading","value":21.5}', 'the payload is the JSON text, encoded once');
    assert.equal(reading.headers?.get('unit'), 'celsius');
    assert.equal(reading.headers?.get('sequence'), '1');
    assert.equal(reading.headers?.get('content-type'), 'application/json');

    // The plain client publishes; the generated App's handler receives it, with or without a content-type header.
    const commands: ReceiveCommandEvent[] = [];
    await app.receiveCommand((event) => {
      commands.push(event);
    }, { params: { run } });
    const withContentType = natsHeaders();
    withContentType.set('Content-Type', 'application/json');
    plain.publish(`conformance.${run}.commands`, encoder.encode('{"action":"start"}'), { headers: withContentType });
    plain.publish(`conformance.${run}.commands`, '{"action":"stop"}');
    await eventually(() => commands.length === 2, 'the generated handler receives both commands');
    assert.deepEqual(commands.map((event) => event.payload.action), ['start', 'stop']);
    assert.deepEqual(commands[0]?.headers, {});
    assert.equal(commands[0]?.params.run, run);

    // A plain request is answered by the generated replier.
    await client.ask((event) => ({ payload: { text: `echo: ${event.payload.text}` } }), { params: { run } });
    const answer = await plain.request(`conformance.${run}.questions`, '{"text":"from plain"}', { timeout: 2000 });
    assert.equal(answer.string(), '{"text":"echo: from plain"}');

    // A generated request is answered by a plain responder.
    const other = `${run}p`;
    plain.subscribe(`conformance.${other}.questions`, {
      callback: (_error, msg) => {
        const question = msg.json<{ text: string }>();
        msg.respond(JSON.stringify({ text: `plain says: ${question.text}` }));
      },
    });
    await plain.flush();
    const reply = await app.ask({ params: { run: other }, payload: { text: 'hi' } }, { timeoutMs: 2000 });
    assert.equal(reply.payload.text, 'plain says: hi');
  } finally {
    await transport.close();
    await plain.close();
  }
}
