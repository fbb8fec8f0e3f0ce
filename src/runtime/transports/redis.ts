/**
 * Redis pub/sub transport for generated App and Client objects, on node-redis
 * (`redis` v6): one connection publishes, a `duplicate()` of it subscribes.
 *
 * - Server: the `url` option, else `ASYNCAPI_REDIS_URL`, else the document's
 *   first `redis`/`rediss` server (or the one named by `server`); see
 *   core/servers.ts. `rediss://` means TLS; a `/N` path selects database N.
 * - Credentials: the `username`/`password` options, else those of the URL, else
 *   `ASYNCAPI_REDIS_USER` / `ASYNCAPI_REDIS_PASSWORD`; `ASYNCAPI_REDIS_TOKEN`
 *   is sent as the AUTH password when no password is given.
 * - Security schemes of the chosen server: `userPassword` and `plain` are Redis
 *   AUTH with those credentials; `X509` turns TLS on and presents the client
 *   certificate and key read from the files named by `ASYNCAPI_REDIS_CERT` and
 *   `ASYNCAPI_REDIS_KEY`. On every TLS connection `ASYNCAPI_REDIS_CA` names the
 *   CA file to trust. Explicit `socket` options win over these. Other scheme
 *   types have no Redis equivalent and are reported to `onError`.
 * - Addresses: a pattern without free parameters is a plain channel
 *   (SUBSCRIBE); one with free parameters is a PSUBSCRIBE glob with each free
 *   slot as `*` and the glob characters `* ? [ ] \` of the rest escaped. `*`
 *   also matches separators, so the glob can be broader than the pattern; the
 *   operations engine filters what does not belong.
 * - Wire format: a message without headers, correlation id and reply address is
 *   published as its payload bytes, unchanged, so plain Redis clients read the
 *   JSON text. Otherwise (envelope `auto`, the default) it is framed as
 *   `ENVELOPE_PREFIX` (the 21 bytes `\0asyncapi-envelope/1\n`), then one line
 *   of JSON `{"headers":{..},"contentType":"..","correlationId":"..","replyTo":".."}`
 *   (absent fields left out), then `\n`, then the payload bytes, unchanged.
 *   Envelope `always` frames every message, so the content type always
 *   travels; `never` publishes raw bytes only, dropping headers and
 *   correlation ids (reported once to `onError`) and refusing `request()`.
 *   Frames are recognised on receive in every mode; a malformed frame is
 *   delivered as raw bytes. Without a frame, `contentType` is absent and
 *   generated code uses the document's content type. A message `key` (Kafka)
 *   is not carried.
 * - Request/reply: each transport subscribes lazily to `_INBOX.<uuid>.*`; a
 *   request travels with `replyTo` = `_INBOX.<uuid>.<request uuid>` and a
 *   correlation id in its envelope, and resolves with the first message on
 *   that address. `InboundMessage.reply` publishes to the request's `replyTo`
 *   with the request's correlation id.
 * - Delivery: at most once. Handlers of one subscription run one message at a
 *   time in arrival order (`maxInFlight` raises that). Redis pub/sub has no
 *   acknowledgements: `ack` and `reject` are both final, nothing is
 *   redelivered; a handler that throws is reported to `onError`.
 *   `queueGroup` is refused: Redis pub/sub delivers every message to every
 *   subscriber and cannot share load.
 * - Connection: `createRedisTransport` rejects when the first connection
 *   fails. After that node-redis reconnects (the `socket.reconnectStrategy`
 *   option, default exponential back-off up to about 2 s) and resubscribes
 *   every channel and pattern. Messages published while a subscriber is
 *   disconnected are lost (Redis pub/sub keeps nothing); a publish while the
 *   publisher is disconnected waits in node-redis' offline queue.
 * - `close()`: stops taking messages, rejects requests still waiting, lets
 *   handlers finish the messages already received (they may still publish and
 *   reply), then closes both connections (at once when disconnected); later
 *   publish, subscribe and request calls reject. `unsubscribe()` drops the
 *   messages its handler has not started; it is idempotent.
 * - `InboundMessage.raw` is the Buffer node-redis received (envelope included).
 * - Bindings: the AsyncAPI Redis bindings (0.1.0) define no fields, so none
 *   are read; the generator warns about each one a document sets.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientOptions } from 'redis';
import { resolveServer, type ResolvedServer, type ServerSelection } from '../core/servers.js';
import type {
  AddressPattern,
  InboundHandler,
  InboundMessage,
  MessageHeaders,
  OutboundMessage,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
  Transport,
  TransportSubscription,
} from '../core/transport.js';
import { copyBytes } from '../core/codec.js';
import {
  checkRequestTimeout,
  checkedMaxPending,
  closedErrorFor,
  describe,
  isRecord,
  isStringRecord,
  readTlsFiles,
  reportOverflow,
  selectionOf,
  timeoutError,
  trackRequest,
  type Environment,
} from '../core/transport-support.js';
import { servers } from '../servers.js';

const closedError = closedErrorFor('Redis');

/** How messages are framed on the wire; see the file comment. */
export type RedisEnvelopeMode = 'auto' | 'always' | 'never';

/** The options of this transport, beside the server selection and node-redis' own options. */
export interface RedisTransportSettings {
  /** Default `auto`: raw payload bytes unless headers, a correlation id or a reply address must travel. */
  readonly envelope?: RedisEnvelopeMode;
  /** Messages one subscription handles at the same time. Default 1 (arrival order). */
  readonly maxInFlight?: number;
  /**
   * Messages that may wait for a handler, per subscription. Redis pub/sub
   * cannot slow a publisher down, so beyond this a message is dropped and
   * reported (`onError` of the App or Client, kind `overflow`). Default 10 000.
   */
  readonly maxPending?: number;
  /**
   * Problems that reject no call: lost connections (the first error of each
   * outage), handlers that threw, metadata or security the transport cannot
   * carry. Default: `console.warn`.
   */
  readonly onError?: (error: Error) => void;
}

/** Server selection, node-redis client options (passed through), and this transport's settings. */
export type RedisTransportOptions = ServerSelection & Omit<RedisClientOptions, 'url'> & RedisTransportSettings;

/** A node-redis client as `createClient` makes it. */
export type RedisClient = ReturnType<typeof createClient>;

export interface RedisTransport extends Transport {
  readonly protocol: 'redis';
  /** The connection that publishes; usable for other commands. */
  readonly publisher: RedisClient;
  /** The connection in subscriber mode; do not send it other commands. */
  readonly subscriber: RedisClient;
}

/** Marks a framed message: a NUL byte (never the start of JSON or text) and a name with a version. */
export const ENVELOPE_PREFIX: Uint8Array = new TextEncoder().encode('\u0000asyncapi-envelope/1\n');

const REDIS_PROTOCOLS = ['redis', 'rediss'];
const NEWLINE = 0x0a;

const ENVELOPE_MODES: ReadonlyArray<string> = ['auto', 'always', 'never'];

/**
 * Connects the publishing and the subscribing connection and resolves once
 * both are ready; rejects when either cannot connect or authenticate.
 */
export async function createRedisTransport(options: RedisTransportOptions = {}): Promise<RedisTransport> {
  const { url: _url, server: _server, envelope = 'auto', maxInFlight = 1, maxPending, onError, ...clientOptions } = options;
  if (!ENVELOPE_MODES.includes(envelope)) {
    throw new RangeError(`envelope must be one of ${ENVELOPE_MODES.join(', ')}, got '${String(envelope)}'`);
  }
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }
  const pendingLimit = checkedMaxPending(maxPending);
  const report = onError ?? ((error: Error) => console.warn(`[redis transport] ${error.message}`));
  const resolved = resolveServer(servers, REDIS_PROTOCOLS, 'redis', selectionOf(options));
  const { publisher, subscriber } = await connectClients(resolved, clientOptions, report);
  return openTransport({ publisher, subscriber, envelope, maxInFlight, maxPending: pendingLimit, report });
}

// ---------------------------------------------------------------------------
// Connection

type ClientOptions = Omit<RedisClientOptions, 'url'>;
type SocketOptions = NonNullable<RedisClientOptions['socket']>;
type ReconnectStrategy = (retries: number, cause: Error) => false | Error | number;
type Report = (error: Error) => void;

async function connectClients(
  resolved: ResolvedServer,
  clientOptions: ClientOptions,
  report: Report,
): Promise<{ publisher: RedisClient; subscriber: RedisClient }> {
  const env: Environment = globalThis.process?.env ?? {};
  const userSocket: Partial<SocketOptions> = clientOptions.socket ?? {};
  const tls = usesTls(resolved, userSocket);
  const url = new URL(resolved.url.href);
  if (tls) url.protocol = 'rediss:';
  // The cast: TS cannot narrow node-redis' socket union (TCP, TLS, IPC) through a spread;
  // `tls` agrees with the URL scheme set above, which node-redis checks.
  const baseSocket = { ...(tls ? tlsFiles(env) : {}), ...userSocket } as SocketOptions;
  reportUnmappedSecurity(resolved, env, report);

  const publisherLink = newLink();
  const subscriberLink = newLink();
  const publisher = createClient({
    ...clientOptions,
    ...credentials(resolved, clientOptions),
    url: url.href,
    socket: { ...baseSocket, reconnectStrategy: reconnectStrategy(baseSocket.reconnectStrategy, publisherLink, url) },
  });
  const subscriber = publisher.duplicate({
    socket: { ...baseSocket, reconnectStrategy: reconnectStrategy(baseSocket.reconnectStrategy, subscriberLink, url) },
  });
  watchConnection(publisher, 'publisher', publisherLink, report);
  watchConnection(subscriber, 'subscriber', subscriberLink, report);
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
  } catch (error) {
    publisher.destroy();
    subscriber.destroy();
    throw error;
  }
  return { publisher, subscriber };
}

/** What the reconnect strategy and the error reporting of one client need to know. */
interface ConnectionLink {
  /** Set once the client was ready: before that a failure ends the attempt, after it we reconnect. */
  everReady: boolean;
  /** False from the first error of an outage until the client is ready again. */
  healthy: boolean;
}

function newLink(): ConnectionLink {
  return { everReady: false, healthy: true };
}

function watchConnection(client: RedisClient, role: string, link: ConnectionLink, report: Report): void {
  client.on('ready', () => {
    link.everReady = true;
    link.healthy = true;
  });
  // Without a listener an 'error' event would crash the process; one report per outage, not per retry.
  client.on('error', (error: unknown) => {
    // Before the first ready, connect() itself rejects with the cause.
    if (!link.everReady || !link.healthy) return;
    link.healthy = false;
    report(new Error(`${role} connection lost, reconnecting: ${describe(error)}`, { cause: error }));
  });
}

function reconnectStrategy(
  configured: false | number | ReconnectStrategy | undefined,
  link: ConnectionLink,
  url: URL,
): ReconnectStrategy {
  return (retries, cause) => {
    if (!link.everReady) return new Error(`cannot connect to Redis at ${url.host}: ${describe(cause)}`, { cause });
    if (configured === undefined) return Math.min(2 ** retries * 50, 2000) + Math.floor(Math.random() * 200);
    return typeof configured === 'function' ? configured(retries, cause) : configured;
  };
}

function credentials(resolved: ResolvedServer, clientOptions: ClientOptions): { username?: string; password?: string } {
  const username = clientOptions.username ?? resolved.username;
  const password = clientOptions.password ?? resolved.password ?? resolved.token;
  return {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

function schemeTypes(resolved: ResolvedServer): string[] {
  return (resolved.server?.security ?? []).map((scheme) => scheme.type);
}

function usesTls(resolved: ResolvedServer, userSocket: Partial<SocketOptions>): boolean {
  return resolved.url.protocol === 'rediss:' || userSocket.tls === true || schemeTypes(resolved).includes('X509');
}

function tlsFiles(env: Environment): { tls: true; ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const files = readTlsFiles('REDIS', env, (name, path, error) => new Error(`cannot read ${name} (${path}): ${describe(error)}`, { cause: error }));
  return { tls: true, ...files };
}

const MAPPED_SCHEMES = new Set(['userPassword', 'plain', 'X509']);

function reportUnmappedSecurity(resolved: ResolvedServer, env: Environment, report: Report): void {
  const serverName = resolved.server?.name ?? '';
  for (const type of schemeTypes(resolved)) {
    if (!MAPPED_SCHEMES.has(type)) {
      report(new Error(`server '${serverName}': security scheme type '${type}' has no Redis equivalent and is not applied`));
    }
  }
  if (schemeTypes(resolved).includes('X509') && (env['ASYNCAPI_REDIS_CERT'] ?? '') === '') {
    report(new Error(`server '${serverName}' asks for X509 client certificates: set ASYNCAPI_REDIS_CERT and ASYNCAPI_REDIS_KEY`));
  }
}

async function disconnect(client: RedisClient): Promise<void> {
  if (client.isReady) {
    await client.close();
  } else {
    // Not connected: nothing can drain, so stop reconnecting at once.
    client.destroy();
  }
}

// ---------------------------------------------------------------------------
// The transport

interface TransportParts {
  readonly publisher: RedisClient;
  readonly subscriber: RedisClient;
  readonly envelope: RedisEnvelopeMode;
  readonly maxInFlight: number;
  readonly maxPending: number;
  readonly report: Report;
}

/** A node-redis pub/sub listener in buffer mode. */
type BufferListener = (message: Buffer, channel: Buffer) => void;

/** What one transport subscription asked node-redis for. */
interface NativeSubscription {
  readonly kind: 'channel' | 'pattern';
  readonly name: string;
}

function openTransport(parts: TransportParts): RedisTransport {
  const { publisher, subscriber, envelope, maxInFlight, maxPending, report } = parts;
  let state: 'open' | 'closing' | 'closed' = 'open';
  let closing: Promise<void> | undefined;
  let droppedMetadataReported = false;
  const queues = new Set<DeliveryQueue>();
  const pendingRequests = new Set<(error: Error) => void>();
  const inbox = createInbox(subscriber, (bytes, address) => inboundFrom(bytes, address));

  async function publish(message: OutboundMessage, _options?: PublishOptions): Promise<void> {
    if (state === 'closed') throw closedError(`publish to '${message.address}'`);
    if (!(message.payload instanceof Uint8Array)) {
      throw new TypeError(`Payload for '${message.address}' must be a Uint8Array (encode it before publishing)`);
    }
    await publisher.publish(message.address, wireBytes(message));
  }

  function wireBytes(message: OutboundMessage): Buffer {
    const metadata = metadataOf(message);
    const hasMetadata = metadata.headers !== undefined || metadata.correlationId !== undefined || metadata.replyTo !== undefined;
    if (envelope === 'always' || (envelope === 'auto' && hasMetadata)) return encodeEnvelope(metadata, message.payload);
    if (hasMetadata && !droppedMetadataReported) {
      droppedMetadataReported = true;
      report(new Error(`envelope 'never': headers and correlation ids are not sent (first on '${message.address}')`));
    }
    return bufferOf(message.payload);
  }

  async function subscribe(
    pattern: AddressPattern,
    handler: InboundHandler,
    subscribeOptions: SubscribeOptions = {},
  ): Promise<TransportSubscription> {
    if (state !== 'open') throw closedError(`subscribe to '${pattern.template}'`);
    if (subscribeOptions.queueGroup !== undefined) {
      throw new Error(
        `Redis pub/sub cannot share messages among a queue group ('${subscribeOptions.queueGroup}' on '${pattern.template}'): every subscriber receives every message`,
      );
    }
    const native = nativeSubscription(pattern);
    const queue = new DeliveryQueue(handlerRunner(handler, pattern.template, report), maxInFlight);
    const listener: BufferListener = (message, channel) => {
      if (!queue.accepting) return;
      const inbound = inboundFrom(message, channel.toString('utf8'));
      if (queue.waitingCount >= maxPending) reportOverflow('Redis', inbound, maxPending, subscribeOptions.onDropped);
      else queue.push(inbound);
    };
    queues.add(queue);
    try {
      await nativeSubscribe(subscriber, native, listener);
    } catch (error) {
      queue.cancel();
      queues.delete(queue);
      throw error;
    }
    if (state !== 'open') {
      // close() began while subscribing; the connection going away ends the native subscription.
      queue.cancel();
      queues.delete(queue);
      throw closedError(`subscribe to '${pattern.template}'`);
    }
    let unsubscribed: Promise<void> | undefined;
    return {
      unsubscribe: () => {
        unsubscribed ??= (async () => {
          queue.cancel();
          // Kept until its running handler finishes, so close() still waits for it.
          void queue.whenIdle().then(() => queues.delete(queue));
          if (state !== 'closed') await nativeUnsubscribe(subscriber, native, listener);
        })();
        return unsubscribed;
      },
    };
  }

  async function request(message: OutboundMessage, requestOptions: RequestOptions): Promise<InboundMessage> {
    const { timeoutMs, signal } = requestOptions;
    if (state !== 'open') throw closedError(`send a request to '${message.address}'`);
    checkRequestTimeout(timeoutMs);
    if (envelope === 'never') {
      throw new Error(`envelope 'never' cannot carry a reply address: request to '${message.address}' needs envelope 'auto' or 'always'`);
    }
    signal?.throwIfAborted();
    await inbox.ready();
    signal?.throwIfAborted();
    if (state !== 'open') throw closedError(`send a request to '${message.address}'`);

    const replyTo = inbox.newAddress();
    const correlationId = message.correlationId ?? randomUUID();
    return new Promise<InboundMessage>((resolve, reject) => {
      const pending = trackRequest(requestOptions, reject, () => timeoutError(message.address, timeoutMs, "'"), () => {
        inbox.forget(replyTo);
        pendingRequests.delete(cancel);
      });
      const cancel = (error: Error): void => pending.finish(() => reject(error));

      pendingRequests.add(cancel);
      inbox.expect(replyTo, (reply) => pending.finish(() => resolve(reply)));
      publish({ ...message, correlationId, replyTo }).catch((error: unknown) => pending.finish(() => reject(error)));
    });
  }

  function inboundFrom(bytes: Buffer, address: string): InboundMessage {
    const { metadata, payload } = decodeEnvelope(bytes);
    const { headers, contentType, correlationId, replyTo } = metadata;
    return {
      address,
      payload,
      headers: { ...headers },
      ...(contentType === undefined ? {} : { contentType }),
      ...(correlationId === undefined ? {} : { correlationId }),
      ...(replyTo === undefined ? {} : { replyTo, reply: (answer) => reply(replyTo, correlationId, answer) }),
      raw: bytes,
    };
  }

  function reply(replyTo: string, requestCorrelationId: string | undefined, answer: Omit<OutboundMessage, 'address'>): Promise<void> {
    // The requester matches replies by the correlation id it sent.
    const correlationId = requestCorrelationId ?? answer.correlationId;
    return publish({ ...answer, address: replyTo, ...(correlationId === undefined ? {} : { correlationId }) });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      state = 'closing';
      for (const queue of queues) queue.stop();
      for (const cancel of [...pendingRequests]) cancel(closedError('wait for a reply'));
      await Promise.all([...queues].map((queue) => queue.whenIdle()));
      queues.clear();
      state = 'closed';
      await Promise.all([disconnect(subscriber), disconnect(publisher)]);
    })();
    return closing;
  }

  return { protocol: 'redis', publisher, subscriber, publish, subscribe, request, close };
}

function handlerRunner(handler: InboundHandler, template: string, report: Report): (message: InboundMessage) => Promise<void> {
  return async (message) => {
    try {
      // Redis pub/sub has no acknowledgement: the disposition changes nothing.
      await handler(message);
    } catch (error) {
      report(new Error(`handler for '${template}' failed on '${message.address}': ${describe(error)}`, { cause: error }));
    }
  };
}

// ---------------------------------------------------------------------------
// Addresses

/** SUBSCRIBE for a fully known address, PSUBSCRIBE with `*` per free slot otherwise. */
export function nativeSubscription(pattern: AddressPattern): NativeSubscription {
  const free = pattern.parts.some((part) => part.kind === 'parameter' && part.value === undefined);
  if (!free) {
    return { kind: 'channel', name: pattern.parts.map((part) => (part.kind === 'literal' ? part.text : part.value ?? '')).join('') };
  }
  const glob = pattern.parts.map((part) => {
    if (part.kind === 'literal') return escapeGlob(part.text);
    return part.value === undefined ? '*' : escapeGlob(part.value);
  });
  return { kind: 'pattern', name: glob.join('') };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function nativeSubscribe(subscriber: RedisClient, native: NativeSubscription, listener: BufferListener): Promise<void> {
  return native.kind === 'channel'
    ? subscriber.subscribe(native.name, listener, true)
    : subscriber.pSubscribe(native.name, listener, true);
}

function nativeUnsubscribe(subscriber: RedisClient, native: NativeSubscription, listener: BufferListener): Promise<void> {
  return native.kind === 'channel'
    ? subscriber.unsubscribe(native.name, listener, true)
    : subscriber.pUnsubscribe(native.name, listener, true);
}

// ---------------------------------------------------------------------------
// Request inbox

interface Inbox {
  /** Resolves once the inbox pattern is subscribed (subscribes on first use). */
  ready(): Promise<void>;
  newAddress(): string;
  expect(address: string, onReply: (reply: InboundMessage) => void): void;
  forget(address: string): void;
}

function createInbox(subscriber: RedisClient, toInbound: (bytes: Buffer, address: string) => InboundMessage): Inbox {
  const prefix = `_INBOX.${randomUUID()}`;
  const waiting = new Map<string, (reply: InboundMessage) => void>();
  let subscribed: Promise<void> | undefined;
  const listener: BufferListener = (message, channel) => {
    const address = channel.toString('utf8');
    const onReply = waiting.get(address);
    if (onReply === undefined) return;
    waiting.delete(address);
    onReply(toInbound(message, address));
  };
  return {
    ready: () => {
      subscribed ??= subscriber.pSubscribe(`${prefix}.*`, listener, true).catch((error: unknown) => {
        subscribed = undefined;
        throw error;
      });
      return subscribed;
    },
    newAddress: () => `${prefix}.${randomUUID()}`,
    expect: (address, onReply) => {
      waiting.set(address, onReply);
    },
    forget: (address) => {
      waiting.delete(address);
    },
  };
}

// ---------------------------------------------------------------------------
// Envelope

/** The metadata a frame carries; every field optional. */
export interface EnvelopeMetadata {
  readonly headers?: MessageHeaders;
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
}

function metadataOf(message: OutboundMessage): EnvelopeMetadata {
  const { contentType, correlationId, replyTo } = message;
  return {
    ...(Object.keys(message.headers).length === 0 ? {} : { headers: message.headers }),
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(replyTo === undefined ? {} : { replyTo }),
  };
}

/** Frames a payload with its metadata: prefix, one line of JSON, `\n`, payload bytes. */
export function encodeEnvelope(metadata: EnvelopeMetadata, payload: Uint8Array): Buffer {
  // JSON.stringify escapes every control character, so the JSON holds no raw `\n`.
  return Buffer.concat([ENVELOPE_PREFIX, Buffer.from(JSON.stringify(metadata), 'utf8'), Uint8Array.of(NEWLINE), payload]);
}

/** Splits a frame into metadata and payload; anything else (or a malformed frame) is all payload. */
export function decodeEnvelope(bytes: Uint8Array): { metadata: EnvelopeMetadata; payload: Uint8Array } {
  const raw = { metadata: {}, payload: copyBytes(bytes) };
  if (!startsWith(bytes, ENVELOPE_PREFIX)) return raw;
  const end = bytes.indexOf(NEWLINE, ENVELOPE_PREFIX.length);
  if (end === -1) return raw;
  const metadata = parseMetadata(Buffer.from(bytes.buffer, bytes.byteOffset + ENVELOPE_PREFIX.length, end - ENVELOPE_PREFIX.length).toString('utf8'));
  if (metadata === undefined) return raw;
  return { metadata, payload: copyBytes(bytes.subarray(end + 1)) };
}

function parseMetadata(text: string): EnvelopeMetadata | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const { headers, contentType, correlationId, replyTo } = parsed;
  if (headers !== undefined && !isStringRecord(headers)) return undefined;
  for (const field of [contentType, correlationId, replyTo]) {
    if (field !== undefined && typeof field !== 'string') return undefined;
  }
  return {
    ...(headers === undefined ? {} : { headers }),
    ...(typeof contentType === 'string' ? { contentType } : {}),
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
    ...(typeof replyTo === 'string' ? { replyTo } : {}),
  };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((byte, index) => bytes[index] === byte);
}

function bufferOf(payload: Uint8Array): Buffer {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

// ---------------------------------------------------------------------------
// Delivery

/** The messages of one subscription waiting for its handler, at most `limit` handled at once. */
class DeliveryQueue {
  #accepting = true;
  #running = 0;
  readonly #waiting: InboundMessage[] = [];
  readonly #idleWaiters: Array<() => void> = [];
  readonly #run: (message: InboundMessage) => Promise<void>;
  readonly #limit: number;

  constructor(run: (message: InboundMessage) => Promise<void>, limit: number) {
    this.#run = run;
    this.#limit = limit;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  get waitingCount(): number {
    return this.#waiting.length;
  }

  push(message: InboundMessage): void {
    if (!this.#accepting) return;
    this.#waiting.push(message);
    this.#pump();
  }

  /** Takes no more messages; those already queued are still handled. */
  stop(): void {
    this.#accepting = false;
  }

  /** Takes no more messages and drops those not yet started. */
  cancel(): void {
    this.#accepting = false;
    this.#waiting.length = 0;
    this.#notifyIfIdle();
  }

  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#limit) {
      const message = this.#waiting.shift();
      if (message === undefined) return;
      this.#running += 1;
      void this.#handle(message);
    }
  }

  async #handle(message: InboundMessage): Promise<void> {
    try {
      await Promise.resolve(); // never inside node-redis' parser callback
      await this.#run(message);
    } catch {
      // run() reports handler failures itself; a throwing onError must not stall the queue.
    } finally {
      this.#running -= 1;
      this.#pump();
      this.#notifyIfIdle();
    }
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#waiting.length === 0;
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
