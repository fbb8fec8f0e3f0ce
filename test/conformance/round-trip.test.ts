/**
 * Round trips over the shared corpus of real AsyncAPI documents (`../shared/specs`): for every
 * document that generates, every operation on a known address sends its messages
 * (the document's examples, else a value made from the schema that Ajv accepts) from the side that
 * sends to the side that receives, the App or the Client by the operation's action, over the
 * memory transport and over each loopback broker (NATS, MQTT, RabbitMQ, Redis). Each must arrive
 * once validated, with the payload and the channel parameters as sent, and a request gets back the
 * reply its handler returned (the reply message's first sample). A send may be refused only
 * where Ajv refuses the document's own example too. Kafka is left to its own suites (its mock
 * cluster per run would double this one's time).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/generate/pipeline.js';
import { writeFiles } from '../../src/emit/write.js';
import { loadDocument } from '../../src/load/index.js';
import type { MessageModel, OperationModel } from '../../src/model/ir.js';
import { normalizeDocument } from '../../src/model/normalize/index.js';
import { buildNameTable } from '../../src/naming/names.js';
import { payloadKind } from '../../src/runtime/core/codec.js';
import { BROKERS, brokerAvailable, type BrokerName } from '../support/brokers.js';
import { GENERATED_ROOT } from '../support/generated.js';
import { sleep } from '../support/waiting.js';
import { CORPUS_ROOT, corpusAvailable, outputFolderName, readCorpusDocuments } from './corpus.js';
import { messageSamples, parameterValues, schemaAccepts } from './samples.js';

type ParamValues = Record<string, string | number | boolean>;
type Method = (...args: unknown[]) => Promise<unknown>;
type Side = Readonly<Record<string, Method | undefined>>;
interface Closable {
  close(): Promise<void>;
}
interface GeneratedIndex {
  createApp(options: { transport: Closable; onError: (error: Error) => void }): Side;
  createClient(options: { transport: Closable; onError: (error: Error) => void }): Side;
}
type TransportName = 'memory' | BrokerName;

const OUTPUT_ROOT = path.join(GENERATED_ROOT, 'round-trip');
/** Each broker's transport is `transports/<name>.ts` in the output. */
const BROKER_NAMES = Object.keys(BROKERS) as BrokerName[];
const ARRIVAL_TIMEOUT_MS = 5000;
/** Fewer would mean the corpus or the sampler changed so much that the test no longer says much. */
const MIN_ROUND_TRIPS_PER_TRANSPORT = 300;

const available = corpusAvailable();
const transports: TransportName[] = ['memory'];
if (available) {
  for (const broker of BROKER_NAMES) if (await brokerAvailable(broker)) transports.push(broker);
}

interface Trip {
  readonly operation: OperationModel;
  readonly method: string;
  readonly message: MessageModel;
  readonly input: Readonly<Record<string, unknown>>;
  readonly expectedPayload: unknown;
  readonly params: ParamValues;
  readonly exampleValid: boolean;
  /** For an operation with a reply: what the replying handler returns and the requester should get. */
  readonly reply?: { readonly input: Readonly<Record<string, unknown>>; readonly expectedPayload: unknown };
}

interface Arrival {
  readonly payload: unknown;
  readonly params: unknown;
}

/** What the App or Client method takes for one sample, and what the receiver should see. */
/** The reply a replying handler returns in the round trip: the first sample of the first reply message that has one. */
function replyOf(operation: OperationModel): Trip['reply'] | 'none' | undefined {
  const reply = operation.reply;
  if (reply === undefined) return 'none';
  for (const message of reply.messages) {
    const kind = payloadKind(message.contentType);
    const sample = messageSamples(message).find((candidate) => kind === 'json' || (kind === 'text' && typeof candidate.payload === 'string'));
    if (sample === undefined || kind === 'binary') continue;
    const input = { payload: sample.payload, ...(sample.headers === undefined ? {} : { headers: sample.headers }), ...(reply.messages.length > 1 ? { message: message.key } : {}) };
    return { input, expectedPayload: kind === 'json' ? (JSON.parse(JSON.stringify(sample.payload)) as unknown) : sample.payload };
  }
  return undefined;
}

function tripsOf(operation: OperationModel, method: string): Trip[] {
  const params = parameterValues(operation.channel.parameters);
  const reply = replyOf(operation);
  if (params === undefined || reply === undefined) return [];
  return operation.messages.flatMap((message) =>
    messageSamples(message).flatMap((sample): Trip[] => {
      const kind = payloadKind(message.contentType);
      if (kind === 'text' && typeof sample.payload !== 'string') return [];
      const payload = kind === 'binary' ? new TextEncoder().encode(JSON.stringify(sample.payload)) : sample.payload;
      const input = {
        payload,
        ...(operation.channel.parameters.length > 0 ? { params } : {}),
        ...(sample.headers === undefined ? {} : { headers: sample.headers }),
        ...(operation.messages.length > 1 ? { message: message.key } : {}),
      };
      const exampleValid = message.payload === undefined || kind !== 'json' || schemaAccepts(message.payload.schema, sample.payload);
      const expectedPayload = kind === 'json' ? (JSON.parse(JSON.stringify(sample.payload)) as unknown) : payload;
      return [{ operation, method, message, input, expectedPayload, params, exampleValid, ...(reply === 'none' ? {} : { reply }) }];
    }),
  );
}

async function connect(name: TransportName, directory: string, memoryBroker: unknown): Promise<Closable> {
  const module = (await import(pathToFileURL(path.join(directory, 'transports', `${name}.ts`)).href)) as Record<string, unknown>;
  const factory = Object.entries(module).find(([exported]) => /^create\w+Transport$/.test(exported) && exported !== 'createMemoryBroker')?.[1];
  if (typeof factory !== 'function') throw new Error(`transports/${name}.ts exports no transport factory`);
  const options = name === 'memory' ? { broker: memoryBroker } : { url: BROKERS[name].url };
  return (await (factory as (options: object) => Closable | Promise<Closable>)(options));
}

/** Sends every trip of one document over one transport; returns what went wrong, one line each. */
async function runTrips(name: TransportName, directory: string, generated: GeneratedIndex, trips: ReadonlyArray<Trip>, label: string): Promise<{ failures: string[]; arrived: number }> {
  const memoryBroker =
    name === 'memory' ? ((await import(pathToFileURL(path.join(directory, 'transports', 'memory.ts')).href)) as { createMemoryBroker(): unknown }).createMemoryBroker() : undefined;
  const sending = await connect(name, directory, memoryBroker);
  const receiving = await connect(name, directory, memoryBroker);
  const failures: string[] = [];
  const errors: string[] = [];
  const onError = (error: Error): void => void errors.push(error.message);
  const sides = { app: generated.createApp({ transport: sending, onError }), client: generated.createClient({ transport: receiving, onError }) };
  const arrivals = new Map<OperationModel, Arrival[]>();
  try {
    for (const operation of new Set(trips.map((trip) => trip.operation))) {
      const trip = trips.find((candidate) => candidate.operation === operation);
      const receiver = operation.action === 'send' ? sides.client : sides.app;
      const subscribe = trip === undefined ? undefined : receiver[trip.method];
      if (trip === undefined || subscribe === undefined) continue;
      const received: Arrival[] = [];
      arrivals.set(operation, received);
      // AMQP queues cannot be subscribed to with a wildcard: the parameters are fixed there.
      const options = name === 'amqp' && operation.channel.parameters.length > 0 ? { params: trip.params } : {};
      const replyInput = trip.reply?.input;
      await subscribe((event: Arrival) => {
        received.push({ payload: event.payload, params: event.params });
        return replyInput;
      }, options);
    }
    const sent: Trip[] = [];
    for (const trip of trips) {
      const send = (trip.operation.action === 'send' ? sides.app : sides.client)[trip.method];
      const where = `${label} ${trip.operation.key} ${trip.message.key} over ${name}`;
      if (send === undefined) {
        failures.push(`${where}: no method ${trip.method}`);
        continue;
      }
      try {
        const answer = await send(trip.input, ...(trip.reply === undefined ? [] : [{ timeoutMs: ARRIVAL_TIMEOUT_MS }]));
        sent.push(trip);
        if (trip.reply !== undefined && !isDeepStrictEqual((answer as { payload?: unknown } | undefined)?.payload, trip.reply.expectedPayload)) {
          failures.push(`${where}: the reply came back as ${JSON.stringify(answer)}, not ${JSON.stringify(trip.reply.expectedPayload)}; errors: ${errors.join(' | ')}`);
        }
      } catch (error) {
        if (trip.exampleValid) failures.push(`${where}: the send was refused: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const arrivedOf = (trip: Trip): boolean =>
      (arrivals.get(trip.operation) ?? []).some(
        (arrival) => isDeepStrictEqual(arrival.payload, trip.expectedPayload) && (trip.operation.channel.parameters.length === 0 || isDeepStrictEqual(arrival.params, trip.params)),
      );
    const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
    while (!sent.every(arrivedOf) && Date.now() < deadline) await sleep(10);
    for (const trip of sent.filter((candidate) => !arrivedOf(candidate))) {
      const got = (arrivals.get(trip.operation) ?? []).map((arrival) => JSON.stringify(arrival)).join(', ');
      failures.push(`${label} ${trip.operation.key} ${trip.message.key} over ${name}: did not arrive as sent (${JSON.stringify(trip.expectedPayload)} ${JSON.stringify(trip.params)}); got [${got}]; errors: ${errors.join(' | ')}`);
    }
    return { failures, arrived: sent.length - failures.length };
  } finally {
    await Promise.allSettled([sending.close(), receiving.close()]);
  }
}

describe.skipIf(!available)('round trips over the corpus', () => {
  it(`every document's messages arrive as sent, over ${transports.join(', ')}`, { timeout: 30 * 60_000 }, async () => {
    const failures: string[] = [];
    const arrivedPerTransport = new Map<TransportName, number>(transports.map((name) => [name, 0]));
    let documents = 0;
    let index = 0;
    for (const document of readCorpusDocuments()) {
      index += 1;
      if (document.negative) continue;
      const spec = path.join(CORPUS_ROOT, document.path);
      const loaded = await loadDocument(spec);
      if (loaded.document === undefined) continue;
      const { model } = normalizeDocument(loaded.document.json);
      const names = buildNameTable(model, []);
      const trips = model.operations
        .filter((operation) => operation.channel.address !== null)
        .flatMap((operation) => tripsOf(operation, names.operations.get(operation)?.method ?? operation.key));
      if (trips.length === 0) continue;
      // Documents that do not generate are the conformance suite's concern.
      const result = await generate({ spec, transports: BROKER_NAMES });
      if (!result.ok) continue;
      const directory = path.join(OUTPUT_ROOT, outputFolderName(index, document.path));
      await writeFiles(directory, result.files);
      const generated = (await import(pathToFileURL(path.join(directory, 'index.ts')).href)) as GeneratedIndex;
      documents += 1;
      for (const name of transports) {
        const outcome = await runTrips(name, directory, generated, trips, document.path);
        failures.push(...outcome.failures);
        arrivedPerTransport.set(name, (arrivedPerTransport.get(name) ?? 0) + outcome.arrived);
      }
    }
    console.log(`corpus round trips: ${documents} documents; arrived as sent: ${[...arrivedPerTransport].map(([name, count]) => `${name} ${count}`).join(', ')}`);
    expect(failures).toEqual([]);
    for (const [name, count] of arrivedPerTransport) expect(count, name).toBeGreaterThanOrEqual(MIN_ROUND_TRIPS_PER_TRANSPORT);
  });
});
