/**
 * The conformance scenario over the AMQP transport (two connections: one for
 * the App, one for the Client), and interoperability of the generated code
 * with a plain amqplib connection in both directions.
 */
import assert from 'node:assert/strict';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { runConformance } from './conformance.scenario.js';
import { createApp, createClient, type PublishReadingEvent, type ReceiveCommandEvent } from './index.js';
import { createAmqpTransport } from './transports/amqp.js';

const BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672';
const EXCHANGE = 'amq.topic';

export async function runScenario(): Promise<void> {
  const app = await createAmqpTransport({ url: BROKER_URL });
  const client = await createAmqpTransport({ url: BROKER_URL });
  try {
    await runConformance({ app, client });
  } finally {
    await app.close();
    await client.close();
  }
}

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Generated code <-> plain amqplib: JSON text on the wire, AMQP headers and properties, direct reply-to. */
export async function runInterop(): Promise<void> {
  const run = `i${Math.random().toString(36).slice(2, 10)}`;
  const transport = await createAmqpTransport({ url: BROKER_URL });
  const plain: ChannelModel = await connect(BROKER_URL);
  const channel = await plain.createChannel();
  const app = createApp({ transport });
  const client = createClient({ transport });
  try {
    // Generated App publishes; the plain client reads JSON text, AMQP headers and content_type.
    const seen: ConsumeMessage[] = [];
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, EXCHANGE, `conformance.${run}.*.readings`);
    await channel.consume(queue, (msg) => msg !== null && seen.push(msg), { noAck: true });
    await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius', sequence: 1 }, payload: { kind: 'reading', value: 21.5 } });
    await eventually(() => seen.length === 1, 'the plain client receives the reading');
    const reading = seen[0];
    assert.ok(reading !== undefined);
    assert.equal(reading.fields.exchange, EXCHANGE);
    assert.equal(reading.fields.routingKey, `conformance.${run}.s1.readings`);
    assert.equal(reading.content.toString('utf8'), '{"kind":"reading","value":21.5}', 'the payload is the JSON text, encoded once');
    assert.equal(reading.properties.contentType, 'application/json');
    assert.deepEqual(reading.properties.headers, { unit: 'celsius', sequence: '1' });

    // The plain client publishes; the generated handlers receive it, with or without content_type,
    // and AMQP header values that are not strings arrive as their text.
    const commands: ReceiveCommandEvent[] = [];
    await app.receiveCommand((event) => {
      commands.push(event);
    }, { params: { run } });
    channel.publish(EXCHANGE, `conformance.${run}.commands`, Buffer.from('{"action":"start"}'), { contentType: 'application/json' });
    channel.publish(EXCHANGE, `conformance.${run}.commands`, Buffer.from('{"action":"stop"}'));
    await eventually(() => commands.length === 2, 'the generated handler receives both commands');
    assert.deepEqual(commands.map((event) => event.payload.action), ['start', 'stop']);
    assert.deepEqual(commands[0]?.headers, {});
    assert.equal(commands[0]?.params.run, run);

    const readings: PublishReadingEvent[] = [];
    await client.publishReading((event) => {
      readings.push(event);
    }, { params: { run: `${run}h` } });
    channel.publish(EXCHANGE, `conformance.${run}h.s9.readings`, Buffer.from('{"kind":"reading","value":7}'), {
      contentType: 'application/json',
      headers: { unit: 'kelvin', sequence: 7 },
    });
    await eventually(() => readings.length === 1, 'the generated handler receives the plain reading');
    assert.equal(readings[0]?.headers.sequence, 7);
    assert.equal(readings[0]?.headers.unit, 'kelvin');
    assert.equal(readings[0]?.params.sensorId, 's9');

    // A plain request (direct reply-to) is answered by the generated replier.
    await client.ask((event) => ({ payload: { text: `echo: ${event.payload.text}` } }), { params: { run } });
    const replies: ConsumeMessage[] = [];
    await channel.consume('amq.rabbitmq.reply-to', (msg) => msg !== null && replies.push(msg), { noAck: true });
    channel.publish(EXCHANGE, `conformance.${run}.questions`, Buffer.from('{"text":"from plain"}'), {
      contentType: 'application/json',
      correlationId: 'plain-1',
      replyTo: 'amq.rabbitmq.reply-to',
    });
    await eventually(() => replies.length === 1, 'the plain requester gets the reply');
    assert.equal(replies[0]?.content.toString('utf8'), '{"text":"echo: from plain"}');
    assert.equal(replies[0]?.properties.correlationId, 'plain-1');
    assert.equal(replies[0]?.properties.contentType, 'application/json');

    // A generated request is answered by a plain responder.
    const other = `${run}p`;
    const responder = await plain.createChannel();
    const questions = await responder.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await responder.bindQueue(questions.queue, EXCHANGE, `conformance.${other}.questions`);
    await responder.consume(questions.queue, (msg) => {
      if (msg === null) return;
      const question = JSON.parse(msg.content.toString('utf8')) as { text: string };
      responder.publish('', String(msg.properties.replyTo), Buffer.from(JSON.stringify({ text: `plain says: ${question.text}` })), {
        correlationId: String(msg.properties.correlationId),
        contentType: 'application/json',
      });
      responder.ack(msg);
    });
    const reply = await app.ask({ params: { run: other }, payload: { text: 'hi' } }, { timeoutMs: 2000 });
    assert.equal(reply.payload.text, 'plain says: hi');
  } finally {
    await transport.close();
    await plain.close();
  }
}
