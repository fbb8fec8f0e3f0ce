/**
 * Round trips through the code generated from fixtures/v3/lighting, over the
 * memory transport. Copied into the generated folder, type-checked with it
 * under the strict flags, then run by test/generate/roundtrip.test.ts.
 */
import assert from 'node:assert/strict';
import {
  createApp,
  createClient,
  measuredChannel,
  OperationError,
  ValidationError,
  type PublishMeasurementEvent,
  type ReceiveAlertEvent,
} from './index.js';
import { createMemoryTransport } from './transports/memory.js';

const TAKEN_AT = '2026-11-26T10:00:00Z';

export async function runScenario(): Promise<void> {
  const transport = createMemoryTransport();
  const errors: OperationError[] = [];
  const app = createApp({ transport, onError: (error) => errors.push(error) });
  const client = createClient({ transport, onError: (error) => errors.push(error) });

  // Parameters, a wildcard for one of them, required headers, payload types.
  const measured: PublishMeasurementEvent[] = [];
  const subscription = await client.publishMeasurement((event) => {
    measured.push(event);
  }, { params: { zone: 'north' } });
  await app.publishMeasurement({
    payload: { lumens: 300, takenAt: TAKEN_AT, light: { id: 'l-1', neighbours: [{ id: 'l-2' }] } },
    headers: { sensorVersion: '1.4', retries: 2 },
    params: { zone: 'north', lightId: 'pole/7.b' },
  });
  await app.publishMeasurement({
    payload: { lumens: 1, takenAt: TAKEN_AT, light: { id: 'l-9' } },
    headers: { sensorVersion: '1.4' },
    params: { zone: 'south', lightId: 'x' },
  });
  await transport.whenIdle();
  assert.equal(measured.length, 1, 'only the north zone was subscribed');
  const first = measured[0];
  assert.ok(first !== undefined);
  assert.deepEqual(first.params, { zone: 'north', lightId: 'pole/7.b' });
  assert.equal(first.headers.retries, 2, 'a non-string header comes back typed');
  assert.equal(first.payload.light.neighbours?.[0]?.id, 'l-2');
  assert.equal(first.raw.address, 'lights/north/pole%2F7%2Eb/measured', 'values cannot act as separators');
  assert.deepEqual(measuredChannel.parse(first.raw.address), { zone: 'north', lightId: 'pole/7.b' });

  // Validation on send rejects with every failing path.
  await assert.rejects(
    app.publishMeasurement({
      // @ts-expect-error lumens must be a number: the types catch it too
      payload: { lumens: 'bright', takenAt: 'yesterday', light: { id: 'UPPER' } },
      headers: { sensorVersion: '1' },
      params: { zone: 'north', lightId: 'a' },
    }),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      const paths = error.issues.map((issue) => issue.path).sort();
      assert.deepEqual(paths, ['/light/id', '/lumens', '/takenAt']);
      return true;
    },
  );

  // Several messages on one operation: the handler learns which one arrived.
  const alerts: ReceiveAlertEvent[] = [];
  await app.receiveAlert((event) => {
    alerts.push(event);
  });
  await client.receiveAlert({ payload: { kind: 'overheat', celsius: 91.5 } });
  await client.receiveAlert({ payload: { kind: 'power-loss', since: TAKEN_AT } });
  await transport.whenIdle();
  assert.deepEqual(alerts.map((alert) => alert.message), ['overheat', 'powerLoss']);
  const overheat = alerts[0];
  if (overheat?.message === 'overheat') assert.equal(overheat.payload.celsius, 91.5);
  else assert.fail('first alert should be overheat');

  // An invalid incoming message goes to onError and the subscription keeps running.
  await transport.publish({
    address: 'lights/alerts',
    payload: new TextEncoder().encode(JSON.stringify({ kind: 'overheat', celsius: 'hot' })),
    headers: {},
    contentType: 'application/json',
  });
  await transport.publish({
    address: 'lights/alerts',
    payload: new TextEncoder().encode('not json'),
    headers: {},
    contentType: 'application/json',
  });
  await client.receiveAlert({ payload: { kind: 'overheat', celsius: 20 } });
  await transport.whenIdle();
  assert.equal(alerts.length, 3, 'the subscription survived two bad messages');
  assert.deepEqual(errors.map((error) => error.kind), ['validation', 'decode']);
  assert.ok(errors[0]?.issues.some((issue) => issue.path.endsWith('/celsius')));
  errors.length = 0;

  // A handler that throws is reported and does not stop the subscription.
  let commands = 0;
  await app.receiveCommand((event) => {
    commands += 1;
    if (event.payload.action === 'dim' && event.payload.level === 13) throw new Error('unlucky');
  });
  await client.receiveCommand({ payload: { action: 'dim', level: 13 }, params: { lightId: 'a' } });
  await client.receiveCommand({ payload: { action: 'on' }, params: { lightId: 'b' } });
  await transport.whenIdle();
  assert.equal(commands, 2);
  assert.deepEqual(errors.map((error) => error.kind), ['handler']);
  errors.length = 0;

  // Text and binary payloads travel as they are.
  const notes: string[] = [];
  const images: Uint8Array[] = [];
  await client.sendNote((event) => {
    notes.push(event.payload);
  });
  await client.sendFirmware((event) => {
    images.push(event.payload);
  });
  await app.sendNote({ payload: 'lamp 7 flickers' });
  await app.sendFirmware({ payload: new Uint8Array([0, 159, 255]) });
  await transport.whenIdle();
  assert.deepEqual(notes, ['lamp 7 flickers']);
  assert.deepEqual([...(images[0] ?? [])], [0, 159, 255]);

  // Request/reply correlated by the correlationId header over the reply channel.
  await client.queryConfig(async (event) => ({ payload: { key: event.payload.key, value: event.payload.key.length } }));
  const answer = await app.queryConfig({ payload: { key: 'brightness' } }, { timeoutMs: 2000 });
  assert.equal(answer.message, 'answer');
  assert.deepEqual(answer.payload, { key: 'brightness', value: 10 });
  assert.equal(typeof answer.headers['correlationId'], 'string');

  // Request/reply over the transport's native mechanism (the reply address is dynamic).
  await client.listInventory((event) => ({ payload: [{ id: `${event.payload.zone ?? 'all'}-1` }] }));
  const inventory = await app.listInventory({ payload: { zone: 'north' } });
  assert.deepEqual(inventory.payload, [{ id: 'north-1' }]);

  // A request nobody answers times out.
  await subscription.unsubscribe();
  const lonely = createMemoryTransport();
  const lonelyApp = createApp({ transport: lonely });
  await assert.rejects(lonelyApp.queryConfig({ payload: { key: 'x' } }, { timeoutMs: 50 }), /within 50 ms/);
  await assert.rejects(lonelyApp.listInventory({ payload: {} }, { timeoutMs: 50 }), (error: unknown) => error instanceof Error && error.name === 'TimeoutError');

  // Unsubscribed: no more deliveries.
  await app.publishMeasurement({
    payload: { lumens: 5, takenAt: TAKEN_AT, light: { id: 'l-3' } },
    headers: { sensorVersion: '2' },
    params: { zone: 'north', lightId: 'z' },
  });
  await transport.whenIdle();
  assert.equal(measured.length, 1);
  assert.deepEqual(errors, []);
  await transport.close();
  await lonely.close();
}
