/**
 * Interop between the generated code (fixtures/conformance/dot.yaml, Kafka
 * transport) and plain kafkajs clients: JSON payloads are the JSON text,
 * headers are Kafka headers, keys are Kafka keys, and request/reply works with
 * a plain responder that follows the documented `replyTo`/`correlationId`
 * headers.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, Partitioners, logLevel, type Consumer, type KafkaMessage, type Producer } from 'kafkajs';
import type { Transport } from '../../../src/runtime/core/transport.js';
import type * as KafkaTransportModule from '../../../src/runtime/transports/kafka.js';
import { fixturePath, generateInto } from '../../support/generated.js';
import { startKafkaMock, type KafkaMock } from '../../support/kafka-mock.js';
import { TEST_OPTIONS, eventually, runId } from './helpers.js';

/** The part of the generated index.ts this test uses (the conformance suite type-checks all of it). */
interface GeneratedModule {
  createApp(options: { transport: Transport; onError?: (error: Error) => void }): GeneratedApp;
}

interface GeneratedApp {
  publishReading(input: {
    params: { run: string; sensorId: string };
    headers: { unit: string; sequence?: number };
    payload: { kind: 'reading'; value: number };
    key?: string;
  }): Promise<void>;
  receiveCommand(
    handler: (event: { payload: { action: string }; params: { run: string }; headers: Record<string, string>; key?: string }) => void,
    options?: { params?: { run?: string } },
  ): Promise<{ unsubscribe(): Promise<void> }>;
  ask(input: { params: { run: string }; payload: { text: string } }, options?: { timeoutMs?: number }): Promise<{ message: string; payload: { text: string } }>;
}

interface Received {
  readonly topic: string;
  readonly message: KafkaMessage;
}

const mock = await startKafkaMock();

// The tests use different topics and mostly wait for group joins: they run side by side.
describe.skipIf(mock === undefined)('Kafka interop: generated code <-> plain kafkajs', { concurrent: true }, () => {
  const cluster = mock as KafkaMock;
  const run = runId();
  const readingsTopic = `conformance.${run}.s1.readings`;
  const questionsTopic = `conformance.${run}.questions`;
  // The body runs to collect the tests even when they are skipped, so no cluster is assumed here.
  const plain = new Kafka({ clientId: 'plain-interop', brokers: [...(mock?.brokers ?? ['127.0.0.1:9'])], logLevel: logLevel.ERROR });
  const plainReceived: Received[] = [];
  let plainProducer: Producer;
  let plainConsumer: Consumer;
  let transport: KafkaTransportModule.KafkaTransport;
  let app: GeneratedApp;

  async function startGeneratedApp(): Promise<void> {
    const { dir } = await generateInto('kafka-interop', fixturePath('conformance/dot.yaml'), { transports: ['kafka'] });
    const generated = (await import(pathToFileURL(path.join(dir, 'index.ts')).href)) as GeneratedModule;
    const { createKafkaTransport } = (await import(pathToFileURL(path.join(dir, 'transports', 'kafka.ts')).href)) as typeof KafkaTransportModule;
    transport = await createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS });
    app = generated.createApp({ transport, onError: (error) => console.error(error) });
  }

  async function startPlainClients(): Promise<void> {
    plainProducer = plain.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await plainProducer.connect();
    // Creates both topics, so that the plain consumer can subscribe before anything is sent.
    await plainProducer.send({ topic: readingsTopic, messages: [{ value: 'created' }] });
    await plainProducer.send({ topic: questionsTopic, messages: [{ value: 'created' }] });
    plainConsumer = plain.consumer({ groupId: `plain-${run}`, maxWaitTimeInMs: 500 });
    await plainConsumer.connect();
    await plainConsumer.subscribe({ topics: [readingsTopic, questionsTopic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => plainConsumer.on(plainConsumer.events.GROUP_JOIN, () => resolve()));
    await plainConsumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.value?.toString() === 'created') return;
        plainReceived.push({ topic, message });
        const replyTo = message.headers?.['replyTo']?.toString();
        const correlationId = message.headers?.['correlationId']?.toString();
        if (topic !== questionsTopic || replyTo === undefined || correlationId === undefined) return;
        const question = JSON.parse(message.value?.toString() ?? 'null') as { text: string };
        await plainProducer.send({
          topic: replyTo,
          messages: [{ value: JSON.stringify({ text: `plain says: ${question.text}` }), headers: { correlationId, 'content-type': 'application/json' } }],
        });
      },
    });
    await joined;
  }

  beforeAll(async () => {
    await Promise.all([startGeneratedApp(), startPlainClients()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([transport?.close(), plainConsumer?.disconnect(), plainProducer?.disconnect()]);
    await cluster.stop();
  }, 30_000);

  it('a reading sent by the App reaches a plain consumer as JSON text with native headers and key', async ({ expect }) => {
    await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius', sequence: 7 }, payload: { kind: 'reading', value: 21.5 }, key: 's1' });
    await eventually(() => plainReceived.some((received) => received.topic === readingsTopic), 'the reading at the plain consumer');
    const received = plainReceived.find((entry) => entry.topic === readingsTopic);
    const value = received?.message.value?.toString('utf8');
    expect(value).toBe('{"kind":"reading","value":21.5}');
    expect(received?.message.key?.toString('utf8')).toBe('s1');
    const headers = received?.message.headers ?? {};
    expect(Buffer.isBuffer(headers['unit'])).toBe(true);
    expect(headers['unit']?.toString()).toBe('celsius');
    expect(headers['sequence']?.toString()).toBe('7');
    expect(headers['content-type']?.toString()).toBe('application/json');
  }, 30_000);

  it('a command sent by a plain producer reaches the App handler, decoded and typed', async ({ expect }) => {
    const commands: Array<{ action: string; run: string; key: string | undefined }> = [];
    const subscription = await app.receiveCommand((event) => {
      commands.push({ action: event.payload.action, run: event.params.run, key: event.key });
    }, { params: { run } });
    await plainProducer.send({
      topic: `conformance.${run}.commands`,
      messages: [
        { key: 'plain-key', value: JSON.stringify({ action: 'start' }), headers: { 'content-type': 'application/json' } },
        // Without a content-type header the message's declared content type applies.
        { value: JSON.stringify({ action: 'stop' }) },
      ],
    });
    await eventually(() => commands.length === 2, 'two commands at the App');
    // Without the same key the two may land on different partitions, so in either order.
    expect([...commands].sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: 'start', run, key: 'plain-key' },
      { action: 'stop', run, key: undefined },
    ]);
    await subscription.unsubscribe();
  }, 30_000);

  it('a request from the App is answered by a plain responder through the replyTo and correlationId headers', async ({ expect }) => {
    const answer = await app.ask({ params: { run }, payload: { text: 'hello' } }, { timeoutMs: 15_000 });
    expect(answer.message).toBe('Answer');
    expect(answer.payload.text).toBe('plain says: hello');
    const question = plainReceived.find((entry) => entry.topic === questionsTopic && entry.message.headers?.['replyTo'] !== undefined);
    expect(question?.message.value?.toString()).toBe('{"text":"hello"}');
    expect(question?.message.headers?.['replyTo']?.toString()).toBe(transport.replyTopic);
  }, 30_000);
});
