/**
 * Interop between generated code (through its copy of transports/redis.ts)
 * and a plain node-redis client: raw JSON both ways when there is no metadata,
 * the documented envelope when there is, requests answered by a plain
 * responder, and the generated servers.ts used when no URL is given.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from '../../../src/runtime/core/transport.js';
import type { RedisTransport, RedisTransportOptions } from '../../../src/runtime/transports/redis.js';
import { brokerAvailable } from '../../support/brokers.js';
import { fixturePath, generateInto } from '../../support/generated.js';
import { REDIS_URL, eventually, plainClient, type PlainClient } from './helpers.js';

const available = await brokerAvailable('redis');

/** The documented frame: this prefix, one line of JSON metadata, `\n`, the payload bytes. */
const PREFIX = Buffer.from('\u0000asyncapi-envelope/1\n', 'utf8');

interface Frame {
  readonly metadata: { headers?: Record<string, string>; contentType?: string; correlationId?: string; replyTo?: string };
  readonly payload: Buffer;
}

/** Reads a frame the way a non-TypeScript consumer would, from the documented format alone. */
function readFrame(bytes: Buffer): Frame {
  expect(bytes.subarray(0, PREFIX.length).equals(PREFIX)).toBe(true);
  const end = bytes.indexOf(0x0a, PREFIX.length);
  return { metadata: JSON.parse(bytes.subarray(PREFIX.length, end).toString('utf8')) as Frame['metadata'], payload: bytes.subarray(end + 1) };
}

function writeFrame(metadata: Frame['metadata'], payload: string): Buffer {
  return Buffer.concat([PREFIX, Buffer.from(JSON.stringify(metadata)), Buffer.from('\n'), Buffer.from(payload)]);
}

// The slice of the generated API this suite uses (the suite imports it at run time).
type Handler<Event> = (event: Event) => unknown;
interface Event<Payload> {
  readonly message: string;
  readonly payload: Payload;
  readonly headers: Record<string, unknown>;
  readonly params: Record<string, unknown>;
}
interface Subscription {
  unsubscribe(): Promise<void>;
}
interface GeneratedApp {
  publishReading(input: { params: object; headers: object; payload: object }): Promise<void>;
  receiveCommand(handler: Handler<Event<{ action: string }>>, options: { params: object }): Promise<Subscription>;
  ask(input: { params: object; payload: { text: string } }, options: { timeoutMs: number }): Promise<{ payload: { text: string } }>;
}
interface GeneratedClient {
  publishReading(handler: Handler<Event<{ kind: string }>>, options: { params: object }): Promise<Subscription>;
  receiveCommand(input: { params: object; payload: { action: string } }): Promise<void>;
}
interface GeneratedModule {
  createApp(options: { transport: Transport }): GeneratedApp;
  createClient(options: { transport: Transport }): GeneratedClient;
}
interface GeneratedTransportModule {
  createRedisTransport(options?: RedisTransportOptions): Promise<RedisTransport>;
}

async function importGenerated<Module>(dir: string, file: string): Promise<Module> {
  return (await import(pathToFileURL(path.join(dir, file)).href)) as Module;
}

describe.skipIf(!available)('interop between generated code and a plain Redis client', () => {
  let generated: GeneratedModule;
  let transportModule: GeneratedTransportModule;
  let appTransport: RedisTransport;
  let clientTransport: RedisTransport;
  let app: GeneratedApp;
  let client: GeneratedClient;
  let plain: PlainClient;
  let plainSubscriber: PlainClient;
  const run = `i${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    const { dir } = await generateInto('interop-redis', fixturePath('conformance/dot.yaml'), { transports: ['redis'] });
    generated = await importGenerated<GeneratedModule>(dir, 'index.ts');
    transportModule = await importGenerated<GeneratedTransportModule>(dir, 'transports/redis.ts');
    appTransport = await transportModule.createRedisTransport({ url: REDIS_URL });
    clientTransport = await transportModule.createRedisTransport({ url: REDIS_URL });
    app = generated.createApp({ transport: appTransport });
    client = generated.createClient({ transport: clientTransport });
    plain = await plainClient();
    plainSubscriber = await plainClient();
  }, 30_000);

  afterAll(async () => {
    await appTransport?.close();
    await clientTransport?.close();
    await plain?.close();
    await plainSubscriber?.close();
  });

  it('a message without headers reaches the plain client as the JSON text itself', async () => {
    const received: Buffer[] = [];
    await plainSubscriber.subscribe(`conformance.${run}.commands`, (message) => received.push(message), true);
    await client.receiveCommand({ params: { run }, payload: { action: 'start' } });
    await eventually(() => received.length === 1, 'the plain client to receive the command');
    expect(received[0]?.toString('utf8')).toBe('{"action":"start"}');
    expect(JSON.parse(received[0]?.toString('utf8') ?? '')).toEqual({ action: 'start' });
    await plainSubscriber.unsubscribe(`conformance.${run}.commands`);
  });

  it('plain JSON published by the plain client reaches the generated handler', async () => {
    const commands: Event<{ action: string }>[] = [];
    const subscription = await app.receiveCommand((event) => {
      commands.push(event);
    }, { params: { run } });
    await plain.publish(`conformance.${run}.commands`, '{"action":"stop"}');
    await eventually(() => commands.length === 1, 'the generated handler to receive the command');
    expect(commands[0]?.payload).toEqual({ action: 'stop' });
    expect(commands[0]?.params).toEqual({ run });
    await subscription.unsubscribe();
  });

  it('headers travel in the documented envelope, readable without our code', async () => {
    const received: Buffer[] = [];
    await plainSubscriber.pSubscribe(`conformance.${run}.*.readings`, (message) => received.push(message), true);
    await app.publishReading({ params: { run, sensorId: 's1' }, headers: { unit: 'celsius', sequence: 1 }, payload: { kind: 'reading', value: 21.5 } });
    await eventually(() => received.length === 1, 'the plain client to receive the reading');
    const frame = readFrame(received[0] ?? Buffer.alloc(0));
    expect(frame.metadata).toEqual({ headers: { unit: 'celsius', sequence: '1' }, contentType: 'application/json' });
    expect(JSON.parse(frame.payload.toString('utf8'))).toEqual({ kind: 'reading', value: 21.5 });
    await plainSubscriber.pUnsubscribe(`conformance.${run}.*.readings`);
  });

  it('an envelope written by the plain client reaches the generated handler with its headers', async () => {
    const readings: Event<{ kind: string }>[] = [];
    const subscription = await client.publishReading((event) => {
      readings.push(event);
    }, { params: { run } });
    await plain.publish(`conformance.${run}.s9.readings`, writeFrame({ headers: { unit: 'kelvin' } }, '{"kind":"reading","value":300}'));
    await eventually(() => readings.length === 1, 'the generated handler to receive the reading');
    expect(readings[0]?.headers).toEqual({ unit: 'kelvin' });
    expect(readings[0]?.params).toEqual({ run, sensorId: 's9' });
    expect(readings[0]?.payload).toEqual({ kind: 'reading', value: 300 });
    await subscription.unsubscribe();
  });

  it('a plain responder answers a generated request through its replyTo', async () => {
    const questions = `conformance.${run}.questions`;
    await plainSubscriber.subscribe(questions, (message) => {
      const { metadata, payload } = readFrame(message);
      const { text } = JSON.parse(payload.toString('utf8')) as { text: string };
      void plain.publish(metadata.replyTo ?? '', JSON.stringify({ text: `plain: ${text}` }));
    }, true);
    const answer = await app.ask({ params: { run }, payload: { text: 'hello' } }, { timeoutMs: 5000 });
    expect(answer.payload).toEqual({ text: 'plain: hello' });
    await plainSubscriber.unsubscribe(questions);
  });
});

describe.skipIf(!available)('the generated servers.ts', () => {
  const document = `asyncapi: 3.0.0
info: { title: Redis servers, version: 1.0.0 }
servers:
  cache:
    host: '127.0.0.1:{port}'
    protocol: redis
    variables:
      port: { default: '6379' }
    security:
      - $ref: '#/components/securitySchemes/acl'
      - $ref: '#/components/securitySchemes/scram'
channels:
  events:
    address: events
    messages:
      event: { payload: { type: object } }
operations:
  sendEvent:
    action: send
    channel: { $ref: '#/channels/events' }
components:
  securitySchemes:
    acl: { type: userPassword }
    scram: { type: scramSha256 }
`;
  let transportModule: GeneratedTransportModule;

  beforeAll(async () => {
    const specDir = mkdtempSync(path.join(os.tmpdir(), 'redis-servers-'));
    const spec = path.join(specDir, 'asyncapi.yaml');
    writeFileSync(spec, document);
    const { dir } = await generateInto('servers-redis', spec, { transports: ['redis'] });
    transportModule = await importGenerated<GeneratedTransportModule>(dir, 'transports/redis.ts');
  }, 30_000);

  it("connects to the document's redis server when given no URL, and reports the scheme it cannot apply", async () => {
    const errors: Error[] = [];
    const transport = await transportModule.createRedisTransport({ onError: (error) => errors.push(error) });
    try {
      expect(transport.publisher.isReady).toBe(true);
      expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("'scramSha256' has no Redis equivalent")]);
    } finally {
      await transport.close();
    }
  });

  it('sends the credentials of the environment (userPassword) as Redis AUTH', async () => {
    const saved = { user: process.env['ASYNCAPI_REDIS_USER'], password: process.env['ASYNCAPI_REDIS_PASSWORD'] };
    process.env['ASYNCAPI_REDIS_USER'] = 'nobody';
    process.env['ASYNCAPI_REDIS_PASSWORD'] = 'wrong';
    try {
      await expect(transportModule.createRedisTransport({ onError: () => {} })).rejects.toThrow(/WRONGPASS/);
    } finally {
      restore('ASYNCAPI_REDIS_USER', saved.user);
      restore('ASYNCAPI_REDIS_PASSWORD', saved.password);
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
