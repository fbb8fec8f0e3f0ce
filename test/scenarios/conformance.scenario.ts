/**
 * The shared transport conformance scenario: the code generated from
 * fixtures/conformance/{dot,slash}.yaml, run over any Transport. The memory
 * transport and every real broker run exactly this. Copied next to the
 * generated code, type-checked with it, then imported by the test.
 */
import assert from 'node:assert/strict';
import {
  createApp,
  createClient,
  OperationError,
  ValidationError,
  readingsChannel,
  type PublishReadingEvent,
  type ReceiveCommandEvent,
  type Transport,
} from './index.js';

export interface TransportPair {
  /** The App's connection. */
  readonly app: Transport;
  /** The Client's connection (a separate connection on real brokers). */
  readonly client: Transport;
  /** Whether a message's content type reaches the receiver. Default true (Kafka: false). */
  readonly carriesContentType?: boolean;
  /** Whether an address with a bad percent escape can be published (Kafka topic names: no). */
  readonly acceptsAnyAddress?: boolean;
}

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function quietly(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runConformance(transports: TransportPair): Promise<void> {
  const run = `r${Math.random().toString(36).slice(2, 10)}`;
  const errors: OperationError[] = [];
  const app = createApp({ transport: transports.app, onError: (error) => errors.push(error) });
  const client = createClient({ transport: transports.client, onError: (error) => errors.push(error) });

  // Round trip with a fixed parameter and a wildcard one; headers; two messages on one operation.
  const readings: PublishReadingEvent[] = [];
  const readingSubscription = await client.publishReading((event) => {
    readings.push(event);
  }, { params: { run } });
  await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius', sequence: 1 }, payload: { kind: 'reading', value: 21.5 } });
  await app.publishReading({ params: { run, sensorId: 's2' }, headers: { unit: 'kelvin' }, payload: { kind: 'reading', value: 294.65 } });
  await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius' }, payload: { kind: 'calibration', offset: -0.5 } });
  await eventually(() => readings.length === 3, 'three readings');
  const bySensor = readings.map((event) => `${event.params.sensorId}:${event.message}`).sort();
  assert.deepEqual(bySensor, ['s1:Calibration', 's1:Reading', 's2:Reading']);
  const first = readings.find((event) => event.params.sensorId === 's1' && event.message === 'Reading');
  assert.ok(first !== undefined);
  assert.equal(first.headers.unit, 'celsius');
  assert.equal(first.headers.sequence, 1);
  assert.equal(first.params.run, run);
  assert.deepEqual(readingsChannel.parse(first.raw.address), { run, sensorId: 's1' });
  if (first.message === 'Reading') assert.equal(first.payload.value, 21.5);

  // A message for another run is not delivered to this subscription.
  await app.publishReading({ params: { run: `${run}x`, sensorId: 's1' }, headers: { unit: 'celsius' }, payload: { kind: 'reading', value: 1 } });

  // Invalid outgoing messages are refused before they reach the broker.
  await assert.rejects(
    app.publishReading({
      params: { run, sensorId: 's3' },
      headers: { unit: 'celsius' },
      // @ts-expect-error value must be a number
      payload: { kind: 'reading', value: 'warm' },
    }),
    ValidationError,
  );

  // Invalid incoming messages go to onError; the subscription keeps running.
  const address = readingsChannel.build({ run, sensorId: 's4' });
  await transports.app.publish({ address, payload: new TextEncoder().encode('{not json'), headers: { unit: 'celsius' }, contentType: 'application/json' });
  await transports.app.publish({
    address,
    payload: new TextEncoder().encode(JSON.stringify({ kind: 'reading', value: 'warm' })),
    headers: { unit: 'celsius' },
    contentType: 'application/json',
  });
  await app.publishReading({ params: { run, sensorId: 's4' }, headers: { unit: 'celsius' }, payload: { kind: 'reading', value: 4 } });
  await eventually(() => readings.length === 4, 'the reading after two bad messages');
  await eventually(() => errors.length === 2, 'two errors reported');
  assert.deepEqual(errors.map((error) => error.kind).sort(), ['decode', 'validation']);
  assert.ok(readings.every((event) => event.params.run === run), 'nothing from another run');
  errors.length = 0;

  await runBadMessages(transports, `${run}b`);

  // The other direction: the Client sends, the App receives.
  const commands: ReceiveCommandEvent[] = [];
  const commandSubscription = await app.receiveCommand((event) => {
    commands.push(event);
  }, { params: { run } });
  await client.receiveCommand({ params: { run }, payload: { action: 'start' } });
  await eventually(() => commands.length === 1, 'a command');
  assert.equal(commands[0]?.payload.action, 'start');

  // Request/reply, and a request nobody answers timing out.
  const questions = await client.ask((event) => ({ payload: { text: `echo: ${event.payload.text}` } }), { params: { run } });
  const answer = await app.ask({ params: { run }, payload: { text: 'ping' } }, { timeoutMs: 5000 });
  assert.equal(answer.message, 'Answer');
  assert.equal(answer.payload.text, 'echo: ping');
  await assert.rejects(app.ask({ params: { run: `${run}-nobody` }, payload: { text: 'hello?' } }, { timeoutMs: 300 }));

  // Unsubscribe: no more deliveries.
  await readingSubscription.unsubscribe();
  await commandSubscription.unsubscribe();
  await questions?.unsubscribe();
  await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius' }, payload: { kind: 'reading', value: 99 } });
  await client.receiveCommand({ params: { run }, payload: { action: 'stop' } });
  await quietly(300);
  assert.equal(readings.length, 4);
  assert.equal(commands.length, 1);
  assert.deepEqual(errors, []);
}

/**
 * Every kind of bad incoming message reaches onError with the raw message as
 * it arrived, the subscription keeps running, and nothing comes back later
 * (a rejected message is not redelivered).
 */
async function runBadMessages(transports: TransportPair, run: string): Promise<void> {
  const errors: OperationError[] = [];
  const handled: number[] = [];
  const receiver = createClient({ transport: transports.client, onError: (error) => errors.push(error), maxMessageBytes: 1024 });
  const subscription = await receiver.publishReading((event) => {
    if (event.message !== 'Reading') return;
    handled.push(event.payload.value);
    if (event.payload.value === 13) throw new Error('unlucky reading');
  }, { params: { run } });
  const encoder = new TextEncoder();
  const headers = { unit: 'celsius' };
  // One key, so Kafka keeps them in one partition, in order; the other transports ignore it.
  const ORDERED = 'bad-messages';
  const json = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
  const sent: Array<{ readonly kind: OperationError['kind']; readonly address: string; readonly payload: Uint8Array; readonly contentType: string }> = [];
  const address = readingsChannel.build({ run, sensorId: 's1' });
  const bad = (kind: OperationError['kind'], payload: Uint8Array, contentType = 'application/json', at = address): void => {
    sent.push({ kind, address: at, payload, contentType });
  };
  bad('decode', encoder.encode('{not json'));
  bad('decode', new Uint8Array([0xff, 0xfe, 0x00, 0x7b]));
  bad('validation', json({ kind: 'reading', value: 'warm' }));
  if (transports.carriesContentType ?? true) bad('content-type', json({ kind: 'reading', value: 5 }), 'text/plain');
  bad('oversize', json({ kind: 'reading', value: 6, padding: 'x'.repeat(2000) }));
  if (transports.acceptsAnyAddress ?? true) bad('address', json({ kind: 'reading', value: 7 }), 'application/json', readingsChannel.build({ run, sensorId: 'SENSOR' }).replace('SENSOR', '%ZZ'));

  await transports.app.publish({ address, payload: json({ kind: 'reading', value: 1 }), headers, contentType: 'application/json', key: ORDERED });
  for (const message of sent) {
    await transports.app.publish({ address: message.address, payload: message.payload, headers, contentType: message.contentType, key: ORDERED });
  }
  await transports.app.publish({ address, payload: json({ kind: 'reading', value: 13 }), headers, contentType: 'application/json', key: ORDERED });
  await transports.app.publish({ address, payload: json({ kind: 'reading', value: 2 }), headers, contentType: 'application/json', key: ORDERED });
  await eventually(() => handled.length === 3, 'the good messages around the bad ones', 15_000);
  await eventually(() => errors.length === sent.length + 1, `${sent.length + 1} errors reported`, 15_000);
  assert.deepEqual(handled, [1, 13, 2]);
  assert.deepEqual(errors.map((error) => error.kind), [...sent.map((message) => message.kind), 'handler']);
  errors.slice(0, sent.length).forEach((error, index) => {
    const expected = sent[index];
    assert.ok(error.inbound !== undefined && expected !== undefined, `error ${index} carries the raw message`);
    assert.deepEqual([...error.inbound.payload], [...expected.payload], `error ${index} (${error.kind}) carries the bytes as sent`);
    assert.equal(error.inbound.address, expected.address);
  });
  await quietly(500);
  assert.equal(handled.length, 3, 'no good message handled twice');
  assert.equal(errors.length, sent.length + 1, 'no rejected message delivered again');
  await subscription.unsubscribe();
}
