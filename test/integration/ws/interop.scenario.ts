/**
 * Interop between the generated code (over transports/ws.ts) and plain `ws`
 * peers that know nothing of it but the documented wire format. Copied next to
 * the code generated from fixtures/conformance/slash.yaml, type-checked with
 * it, then imported by interop.test.ts.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  commandsChannel,
  createApp,
  createClient,
  questionsChannel,
  readingsChannel,
  type OperationError,
  type PublishReadingEvent,
  type ReceiveCommandEvent,
} from './index.js';
import { createWebSocketTransport, WEBSOCKET_ENVELOPE_PREFIX } from './transports/ws.js';

interface Frame {
  readonly text: string;
  readonly binary: boolean;
}

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function frameText(data: RawData): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

async function plainSocket(url: string): Promise<{ socket: WebSocket; frames: Frame[] }> {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  socket.on('message', (data, binary) => frames.push({ text: frameText(data), binary }));
  await once(socket, 'open');
  return { socket, frames };
}

/** Splits a documented envelope into its meta object and payload text. */
function openEnvelope(text: string): { meta: Record<string, unknown>; payload: string } {
  assert.ok(text.startsWith(WEBSOCKET_ENVELOPE_PREFIX), `an envelope: ${text}`);
  const newline = text.indexOf('\n');
  return { meta: JSON.parse(text.slice(WEBSOCKET_ENVELOPE_PREFIX.length, newline)) as Record<string, unknown>, payload: text.slice(newline + 1) };
}

function send(socket: WebSocket, text: string): Promise<void> {
  return new Promise((resolve, reject) => socket.send(text, (error) => (error ? reject(error) : resolve())));
}

/** The generated App serves; plain `ws` clients read what it sends and send what it receives. */
export async function appWithPlainClients(): Promise<void> {
  const run = `r${Math.random().toString(36).slice(2, 10)}`;
  const errors: OperationError[] = [];
  const transport = await createWebSocketTransport({ role: 'server', url: 'ws://127.0.0.1:0' });
  const app = createApp({ transport, onError: (error) => errors.push(error) });
  const sockets: WebSocket[] = [];
  try {
    // App -> plain client: a reading with headers is an envelope whose payload is the JSON text itself.
    const readings = await plainSocket(`${transport.url}/${readingsChannel.build({ run, sensorId: 's1' })}`);
    sockets.push(readings.socket);
    await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius', sequence: 1 }, payload: { kind: 'reading', value: 21.5 } });
    await app.publishReading({ params: { run, sensorId: 's1' }, payload: { kind: 'calibration', offset: -0.5 } });
    await eventually(() => readings.frames.length === 2, 'two frames');
    const [withHeaders, bare] = readings.frames;
    assert.equal(withHeaders?.binary, false);
    const envelope = openEnvelope(withHeaders?.text ?? '');
    assert.deepEqual(envelope.meta, { headers: { unit: 'celsius', sequence: '1' }, contentType: 'application/json' });
    assert.deepEqual(JSON.parse(envelope.payload), { kind: 'reading', value: 21.5 });
    // A message without headers is the bare JSON text: what any WebSocket consumer expects.
    assert.equal(bare?.binary, false);
    assert.deepEqual(JSON.parse(bare?.text ?? ''), { kind: 'calibration', offset: -0.5 });

    // Plain client -> App: a bare JSON text frame on the channel's path reaches the handler.
    const commands: ReceiveCommandEvent[] = [];
    await app.receiveCommand((event) => {
      commands.push(event);
    }, { params: { run } });
    const commander = await plainSocket(`${transport.url}/${commandsChannel.build({ run })}`);
    sockets.push(commander.socket);
    await send(commander.socket, '{"action":"start"}');
    await eventually(() => commands.length === 1, 'the command');
    assert.equal(commands[0]?.payload.action, 'start');
    assert.equal(commands[0]?.params.run, run);

    // App request -> plain client answers with the documented reply envelope.
    const answerer = await plainSocket(`${transport.url}/${questionsChannel.build({ run })}`);
    sockets.push(answerer.socket);
    answerer.socket.on('message', (data) => {
      const question = openEnvelope(frameText(data));
      assert.equal(question.meta['awaitsReply'], true);
      const text = (JSON.parse(question.payload) as { text: string }).text;
      const meta = JSON.stringify({ isReply: true, correlationId: question.meta['correlationId'] });
      void send(answerer.socket, `${WEBSOCKET_ENVELOPE_PREFIX}${meta}\n${JSON.stringify({ text: `plain: ${text}` })}`);
    });
    const answer = await app.ask({ params: { run }, payload: { text: 'ping' } }, { timeoutMs: 5000 });
    assert.equal(answer.payload.text, 'plain: ping');
    assert.deepEqual(errors, []);
  } finally {
    for (const socket of sockets) socket.terminate();
    await transport.close();
  }
}

/** The generated Client connects to a plain `ws` server that knows only the wire format. */
export async function clientWithPlainServer(): Promise<void> {
  const run = `r${Math.random().toString(36).slice(2, 10)}`;
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const connections = new Map<string, WebSocket>();
  const received: Array<{ path: string; text: string; binary: boolean }> = [];
  server.on('connection', (socket, request) => {
    const path = request.url ?? '';
    connections.set(path, socket);
    socket.on('message', (data, binary) => received.push({ path, text: frameText(data), binary }));
  });
  const { port } = server.address() as { port: number };
  const errors: OperationError[] = [];
  const transport = await createWebSocketTransport({ url: `ws://127.0.0.1:${port}` });
  const client = createClient({ transport, onError: (error) => errors.push(error) });
  try {
    // Client -> plain server: the bare JSON text on the channel's path.
    await client.receiveCommand({ params: { run }, payload: { action: 'stop' } });
    await eventually(() => received.length === 1, 'the command at the plain server');
    assert.deepEqual(received[0], { path: `/${commandsChannel.build({ run })}`, text: '{"action":"stop"}', binary: false });

    // Plain server -> Client: an envelope with headers, and a bare JSON text frame.
    const readings: PublishReadingEvent[] = [];
    await client.publishReading((event) => {
      readings.push(event);
    }, { params: { run, sensorId: 's9' } });
    const path = `/${readingsChannel.build({ run, sensorId: 's9' })}`;
    await eventually(() => connections.has(path), 'the subscription socket');
    const socket = connections.get(path);
    assert.ok(socket !== undefined);
    await send(socket, `${WEBSOCKET_ENVELOPE_PREFIX}{"headers":{"unit":"kelvin"}}\n{"kind":"reading","value":300}`);
    await send(socket, '{"kind":"calibration","offset":1.5}');
    await eventually(() => readings.length === 2, 'two readings from the plain server');
    const [reading, calibration] = readings;
    assert.equal(reading?.message, 'Reading');
    assert.equal(reading?.headers.unit, 'kelvin');
    if (reading?.message === 'Reading') assert.equal(reading.payload.value, 300);
    assert.equal(calibration?.message, 'Calibration');
    assert.deepEqual(calibration?.params, { run, sensorId: 's9' });
    assert.deepEqual(errors, []);
  } finally {
    await transport.close();
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
}
