/**
 * WebSocket transport over the `ws` package (8.x). One factory, two roles:
 *
 * - `role: 'server'` (usually the App) SERVES: it listens for WebSocket
 *   connections and is the hub of every channel. A channel address is a URL
 *   path: a peer connects to `ws://host:port/<base path>/<address>` to send to
 *   and receive from that channel.
 * - `role: 'client'` (the default; usually the Client) CONNECTS to such a
 *   server (the document's first `ws`/`wss` server, or `{ url }`), one socket
 *   per path, opened on first use and reopened with backoff when it drops
 *   (which also resubscribes, since the path is the subscription).
 *
 * Delivery model (the server is the broker): every message published on the
 * hub, by the server itself or by a connected socket, reaches every matching
 * subscription: the server's own handlers and every other socket whose path
 * matches (`relay: false` stops client-to-client relaying). A socket never
 * gets back the frames it sent. Nothing is stored: a socket that is not
 * connected when a message is published misses it.
 *
 * Wire format, chosen so that plain WebSocket peers interoperate:
 * - A message with no headers, correlation id, reply address or key travels as
 *   its bare payload bytes: a text frame when the content type is textual
 *   (JSON, text, XML, YAML) and the bytes are UTF-8, else a binary frame. A
 *   plain client thus sends and receives plain JSON text.
 * - Anything else travels in an envelope: the line
 *   `asyncapi-gen/1 {"headers":{...},"contentType":"...",...}` (a JSON object,
 *   see `WebSocketEnvelopeMeta`), a `\n`, then the payload bytes unchanged
 *   (never re-encoded). A bare payload that happens to start with
 *   `asyncapi-gen/1 ` is always sent in an envelope, so reading is unambiguous.
 *
 * Wildcards: the server matches its own subscriptions against the paths
 * peers send on. A client-role subscription with every parameter fixed opens
 * a plain socket on the concrete path; one with free parameters opens a
 * "pattern socket": its path is the address template with fixed values filled
 * in and free slots left as `{name}` (the whole text percent-encoded, so
 * `{` is `%7B` and `%` is `%25`), and it negotiates the subprotocol
 * `asyncapi-gen.pattern.v1`; the server confirms with the response header
 * `X-AsyncAPI-Gen-Pattern: 1` and then sends it every message whose address
 * matches, always enveloped with the concrete `address`. Against every other
 * server such a subscribe fails with a clear error.
 *
 * Request/reply: the request travels enveloped with `correlationId` and
 * `"awaitsReply":true`; `InboundMessage.reply` answers on the same socket with
 * `"isReply":true` and the same `correlationId`; the first reply wins. The
 * server routes replies to requests it relayed back to the requesting socket.
 *
 * Bindings (`ws` channel binding): `query` and `headers` are schemas of the
 * connection's query parameters and handshake headers. Values come from the
 * `query` option and ws's own `headers` option, else from each property's
 * `const` (or `default`, for a `required` property); a `required` name with
 * no value rejects the call.
 * `method` is always GET (a WebSocket handshake cannot be anything else);
 * generation warns about other values. The server role does not check
 * them: use ws's `verifyClient` option.
 *
 * Security (client role), from the chosen server's `security` schemes and the
 * credentials of the URL or `ASYNCAPI_WS_USER` / `_PASSWORD` / `_TOKEN`:
 * `userPassword` and `http` basic -> `Authorization: Basic`; `http` bearer,
 * `oauth2`, `openIdConnect` -> `Authorization: Bearer <token>`; `httpApiKey`
 * -> the token in the named header, query parameter or cookie; `X509` and all
 * `wss` -> TLS files from `ASYNCAPI_WS_CA`, `_CERT`, `_KEY` (paths). Without
 * schemes, a username gives Basic and a token gives Bearer. Explicit options
 * (`headers`, `ca`, `cert`, `key`) win. Other scheme types do not apply to
 * WebSockets. The server role serves TLS when `_CERT` and `_KEY` are set or
 * the URL is `wss:`, and leaves authentication to `verifyClient`.
 *
 * Dispositions: WebSocket has no acknowledgements, so `ack` and `reject` are
 * both final; a rejected message is not redelivered. Handlers of one
 * subscription run one at a time in arrival order (`maxInFlight` raises it).
 * Queue groups are shared among the server's own subscriptions (round-robin);
 * the client role rejects them. Addresses must be URL paths: characters other
 * than RFC 3986 path characters, and `.`/`..` segments (which URLs collapse),
 * are refused with an error.
 */
import { randomUUID } from 'node:crypto';
import { Buffer, isUtf8 } from 'node:buffer';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type ClientOptions, type RawData, type ServerOptions } from 'ws';
import { addressPatternRegExp, parseAddressTemplate } from '../core/address.js';
import { resolveServer, type ResolvedServer, type SecuritySchemeDefinition, type ServerSelection } from '../core/servers.js';
import type {
  AddressPattern,
  InboundHandler,
  InboundMessage,
  MessageBindings,
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
  processEnvironment,
  readTlsFiles,
  reportOverflow,
  selectionOf,
  timeoutError,
  watchRequest,
  type Environment,
} from '../core/transport-support.js';
import { servers } from '../servers.js';

const closedError = closedErrorFor('WebSocket');

/** The first bytes of an envelope frame, followed by the JSON meta line. */
export const WEBSOCKET_ENVELOPE_PREFIX = 'asyncapi-gen/1 ';
/** The subprotocol a client-role pattern socket negotiates. */
export const WEBSOCKET_PATTERN_SUBPROTOCOL = 'asyncapi-gen.pattern.v1';
/**
 * The handshake response header by which a server confirms it serves pattern
 * sockets (plain `ws` servers accept every offered subprotocol, so that alone
 * proves nothing).
 */
export const WEBSOCKET_PATTERN_HEADER = 'x-asyncapi-gen-pattern';

/** The JSON object on an envelope's first line. */
export interface WebSocketEnvelopeMeta {
  /** The concrete address, on frames to pattern sockets (the path says it otherwise). */
  readonly address?: string;
  readonly headers?: MessageHeaders;
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
  readonly key?: string;
  /** The sender waits for a frame with `isReply` and the same `correlationId` on this socket. */
  readonly awaitsReply?: true;
  readonly isReply?: true;
}

/** `InboundMessage.raw` of this transport. */
export interface WebSocketRawMessage {
  /** The socket the frame arrived on; absent for what the server role published itself. */
  readonly socket?: WebSocket;
  /** The peer's handshake request (server role), for its headers and query. */
  readonly request?: IncomingMessage;
  /** The frame as received. */
  readonly data: Buffer;
}

interface CommonOptions extends ServerSelection {
  /** Handlers of one subscription running at once. Default 1 (arrival order). */
  readonly maxInFlight?: number;
  /**
   * Messages that may wait for a handler, per subscription. Beyond this a
   * message is dropped and reported (`onError` kind `overflow`): pausing the
   * socket would also hold back the replies and acknowledgements a running
   * handler may be waiting for. Default 10 000.
   */
  readonly maxPending?: number;
  /** Ping interval; a peer that misses a pong is dropped. 0 disables. Default 30000. */
  readonly heartbeatMs?: number;
}

/** Client role: ServerSelection, ws's own ClientOptions (passed through), and these. */
export interface WebSocketClientTransportOptions extends CommonOptions, Omit<ClientOptions, 'protocol'> {
  readonly role?: 'client';
  /** Query parameters sent on every connection (the ws channel binding's `query`). */
  readonly query?: Readonly<Record<string, string>>;
  /** Delays between reconnection attempts: doubling from `initialDelayMs` (100) up to `maxDelayMs` (5000), with jitter. */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** How long publish, request and reply wait for a (re)connection. Default 10000. */
  readonly sendTimeoutMs?: number;
  /** A socket no subscription or request uses is closed after this long. Default 30000. */
  readonly idleSocketMs?: number;
}

/** Server role: ServerSelection, ws's own ServerOptions (passed through, e.g. verifyClient), and these. */
export interface WebSocketServerTransportOptions
  extends CommonOptions,
    Omit<ServerOptions, 'server' | 'noServer' | 'path' | 'port' | 'host' | 'handleProtocols' | 'clientTracking' | 'WebSocket'> {
  readonly role: 'server';
  /** Port to listen on; default the URL's port. 0 picks a free one (see `address()`). */
  readonly port?: number;
  /** Interface to listen on; default the URL's host when it is an IP or `localhost`, else all. */
  readonly host?: string;
  /** Serve on an existing HTTP(S) server instead of creating one (it is not closed by `close()`). */
  readonly httpServer?: HttpServer | HttpsServer;
  /** Relay messages from one connected socket to the other matching sockets. Default true. */
  readonly relay?: boolean;
}

export type WebSocketTransportOptions = WebSocketClientTransportOptions | WebSocketServerTransportOptions;

export interface WebSocketTransport extends Transport {
  readonly protocol: 'ws';
  readonly role: 'server' | 'client';
  /** Server role: the bound address; client role: the server connected to. */
  address(): { readonly host: string; readonly port: number };
  /** Server role: the URL clients connect to; client role: the base URL. */
  readonly url: string;
  /** Server role: ws's server, an escape hatch (its `clients` are the connected sockets). */
  readonly webSocketServer: WebSocketServer | undefined;
}

/** Connects (client role, default) or serves (`role: 'server'`); see the file's comment. */
export async function createWebSocketTransport(options: WebSocketTransportOptions = {}): Promise<WebSocketTransport> {
  return options.role === 'server' ? createServerRole(options) : createClientRole(options);
}

const PROTOCOL_ALIASES = ['ws', 'wss'];
const DEFAULT_HEARTBEAT_MS = 30_000;
const DEFAULT_SEND_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_SOCKET_MS = 30_000;
const CLOSE_GRACE_MS = 2_000;
const MAX_RELAYED_REQUESTS_PER_SOCKET = 1_000;

type Reply = (message: Omit<OutboundMessage, 'address'>) => Promise<void>;

// ---------------------------------------------------------------------------
// Frames

interface WireFrame {
  readonly data: Buffer;
  readonly binary: boolean;
}

interface Frame {
  readonly meta: WebSocketEnvelopeMeta;
  readonly payload: Uint8Array;
}

type MessageFields = Omit<OutboundMessage, 'address'>;
type FrameExtras = Pick<WebSocketEnvelopeMeta, 'address' | 'awaitsReply' | 'isReply'>;

const PREFIX_BYTES = Buffer.from(WEBSOCKET_ENVELOPE_PREFIX, 'utf8');

function encodeFrame(message: MessageFields, extras: FrameExtras = {}): WireFrame {
  if (!(message.payload instanceof Uint8Array)) {
    throw new TypeError('Payload must be a Uint8Array (encode it before publishing)');
  }
  const payload = Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength);
  const meta = envelopeMeta(message, extras);
  const data = meta === undefined && !startsWithPrefix(payload)
    ? Buffer.from(payload)
    : Buffer.concat([PREFIX_BYTES, Buffer.from(`${JSON.stringify(meta ?? {})}\n`, 'utf8'), payload]);
  return { data, binary: !isTextual(message.contentType) || !isUtf8(payload) };
}

/** The envelope's meta object, or undefined when the bare payload says everything. */
function envelopeMeta(message: MessageFields, extras: FrameExtras): WebSocketEnvelopeMeta | undefined {
  const hasHeaders = Object.keys(message.headers).length > 0;
  const needed = hasHeaders || message.correlationId !== undefined || message.replyTo !== undefined ||
    message.key !== undefined || Object.keys(extras).length > 0;
  if (!needed) return undefined;
  return {
    ...(extras.address === undefined ? {} : { address: extras.address }),
    ...(hasHeaders ? { headers: { ...message.headers } } : {}),
    ...(message.contentType === undefined ? {} : { contentType: message.contentType }),
    ...(message.correlationId === undefined ? {} : { correlationId: message.correlationId }),
    ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
    ...(message.key === undefined ? {} : { key: message.key }),
    ...(extras.awaitsReply === true ? { awaitsReply: true } : {}),
    ...(extras.isReply === true ? { isReply: true } : {}),
  };
}

function startsWithPrefix(data: Uint8Array): boolean {
  if (data.byteLength < PREFIX_BYTES.byteLength) return false;
  return PREFIX_BYTES.every((byte, index) => data[index] === byte);
}

function isTextual(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type.startsWith('text/') || /[/+](json|xml|yaml|x-yaml)$/.test(type) || type === 'application/javascript';
}

/** Reads a frame; anything that is not a well-formed envelope is a bare payload. */
function decodeFrame(data: Buffer): Frame {
  const bare: Frame = { meta: {}, payload: copyBytes(data) };
  if (!startsWithPrefix(data)) return bare;
  const newline = data.indexOf(0x0a, PREFIX_BYTES.byteLength);
  if (newline === -1) return bare;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.subarray(PREFIX_BYTES.byteLength, newline).toString('utf8'));
  } catch {
    return bare;
  }
  const meta = readMeta(parsed);
  return meta === undefined ? bare : { meta, payload: copyBytes(data.subarray(newline + 1)) };
}

function readMeta(value: unknown): WebSocketEnvelopeMeta | undefined {
  if (!isRecord(value)) return undefined;
  const headers = value['headers'];
  if (headers !== undefined && !isStringRecord(headers)) return undefined;
  const texts: Record<string, string> = {};
  for (const name of ['address', 'contentType', 'correlationId', 'replyTo', 'key'] as const) {
    const field = value[name];
    if (field === undefined) continue;
    if (typeof field !== 'string') return undefined;
    texts[name] = field;
  }
  return {
    ...texts,
    ...(headers === undefined ? {} : { headers: { ...headers } }),
    ...(value['awaitsReply'] === true ? { awaitsReply: true } : {}),
    ...(value['isReply'] === true ? { isReply: true } : {}),
  };
}

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function inboundFrom(address: string, frame: Frame, raw: WebSocketRawMessage, reply: Reply | undefined): InboundMessage {
  const { contentType, correlationId, replyTo, key } = frame.meta;
  return {
    address,
    payload: copyBytes(frame.payload),
    headers: { ...frame.meta.headers },
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(key === undefined ? {} : { key }),
    ...(reply === undefined ? {} : { reply }),
    raw,
  };
}

function fieldsOf(frame: Frame): MessageFields {
  const { contentType, correlationId, replyTo, key } = frame.meta;
  return {
    payload: frame.payload,
    headers: { ...frame.meta.headers },
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(key === undefined ? {} : { key }),
  };
}

/** What answering a request frame sends: the answer, with the request's correlation id. */
function replyFrame(answer: MessageFields, correlationId: string): WireFrame {
  return encodeFrame({ ...answer, correlationId }, { isReply: true });
}

// ---------------------------------------------------------------------------
// Addresses as URL paths

const PATH_CHARACTER = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

/** The address without one leading `/`: how paths and addresses are compared. */
function normalizeAddress(address: string): string {
  return address.startsWith('/') ? address.slice(1) : address;
}

/** The address as given and with its leading `/` toggled: templates are written both ways. */
function addressForms(address: string): string[] {
  return address.startsWith('/') ? [address, address.slice(1)] : [address, `/${address}`];
}

/** Throws unless the text can be sent verbatim in a URL path (percent escapes allowed). */
function assertPathCharacters(text: string, address: string): void {
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (char === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(index + 1, index + 3))) continue;
    if (!PATH_CHARACTER.test(char)) {
      throw new Error(`WebSocket address "${address}" is not a URL path: it contains ${JSON.stringify(char)} (only RFC 3986 path characters and %XX escapes)`);
    }
  }
}

/** URL parsers (ws's included) collapse `.` and `..` segments, `%2E` too: such a path would name another channel. */
function assertNoDotSegments(path: string, address: string): void {
  for (const segment of path.split('/')) {
    if (/^(\.|%2e){1,2}$/i.test(segment)) {
      throw new Error(`WebSocket address "${address}" has a "${segment}" path segment, which URLs collapse`);
    }
  }
}

/** The path of a concrete address, starting with `/`. */
function addressPath(address: string): string {
  assertPathCharacters(address, address);
  const path = `/${normalizeAddress(address)}`;
  assertNoDotSegments(path, address);
  return path;
}

/** The path of a pattern socket: the template text with every non-path character (and `%`) percent-encoded. */
function patternPath(text: string): string {
  let path = '/';
  for (const char of normalizeAddress(text)) {
    path += PATH_CHARACTER.test(char) ? char : encodeURIComponent(char).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
  assertNoDotSegments(path, text);
  return path;
}

type SubscriptionTarget =
  | { readonly kind: 'address'; readonly address: string }
  | { readonly kind: 'pattern'; readonly text: string };

/** A concrete address when every parameter is fixed, else the template with fixed values filled in. */
function subscriptionTarget(pattern: AddressPattern): SubscriptionTarget {
  let text = '';
  let free = false;
  for (const part of pattern.parts) {
    if (part.kind === 'literal') {
      assertPathCharacters(part.text, pattern.template);
      text += part.text;
    } else if (part.value !== undefined) {
      text += part.value;
    } else {
      free = true;
      text += `{${part.name}}`;
    }
  }
  return free ? { kind: 'pattern', text } : { kind: 'address', address: text };
}

/** A matcher returning the form of the address that the pattern matches, when it matches. */
function patternMatcher(pattern: AddressPattern): (address: string) => string | undefined {
  const regex = addressPatternRegExp(pattern);
  return (address) => addressForms(address).find((form) => regex.test(form));
}

// ---------------------------------------------------------------------------
// Subscriptions and sequential delivery (both roles)

interface LocalSubscription {
  readonly match: (address: string) => string | undefined;
  /** Group name plus pattern; undefined outside queue groups. */
  readonly groupKey: string | undefined;
  readonly handler: InboundHandler;
  readonly maxInFlight: number;
  readonly maxPending: number;
  readonly onDropped: SubscribeOptions['onDropped'];
  readonly queue: InboundMessage[];
  readonly running: Set<Promise<void>>;
  routing: boolean;
}

interface HandlerLimits {
  readonly maxInFlight: number;
  readonly maxPending: number;
}

function newSubscription(pattern: AddressPattern, handler: InboundHandler, limits: HandlerLimits, options: SubscribeOptions): LocalSubscription {
  const match = patternMatcher(pattern);
  const { queueGroup, onDropped } = options;
  const groupKey = queueGroup === undefined ? undefined : `${queueGroup}\u0000${addressPatternRegExp(pattern).source}`;
  return { match, groupKey, handler, ...limits, onDropped, queue: [], running: new Set(), routing: true };
}

function enqueue(subscription: LocalSubscription, message: InboundMessage): void {
  if (subscription.queue.length >= subscription.maxPending) {
    reportOverflow('WebSocket', message, subscription.maxPending, subscription.onDropped);
    return;
  }
  subscription.queue.push(message);
  pump(subscription);
}

function pump(subscription: LocalSubscription): void {
  while (subscription.running.size < subscription.maxInFlight) {
    const message = subscription.queue.shift();
    if (message === undefined) return;
    const run: Promise<void> = runHandler(subscription, message).finally(() => {
      subscription.running.delete(run);
      pump(subscription);
    });
    subscription.running.add(run);
  }
}

async function runHandler(subscription: LocalSubscription, message: InboundMessage): Promise<void> {
  await Promise.resolve(); // never inside publish() or a socket event
  try {
    await subscription.handler(message);
  } catch (error) {
    // WebSocket has no nack: the message is dropped either way; keep delivering.
    console.error(`ws transport: handler for "${message.address}" failed:`, error);
  }
}

/** Stops routing and drops what is queued; a running handler finishes. */
function stopSubscription(subscription: LocalSubscription): void {
  subscription.routing = false;
  subscription.queue.length = 0;
}

async function whenIdle(subscriptions: Iterable<LocalSubscription>): Promise<void> {
  for (;;) {
    const running = [...subscriptions].flatMap((subscription) => [...subscription.running]);
    if (running.length === 0) return;
    await Promise.all(running);
  }
}

/** Enqueues a message for every matching subscription; one member per queue group, round-robin. */
function route(
  subscriptions: Iterable<LocalSubscription>,
  address: string,
  build: (matchedAddress: string) => InboundMessage,
  groupCursors: Map<string, number>,
): void {
  const groups = new Map<string, Array<{ subscription: LocalSubscription; form: string }>>();
  for (const subscription of subscriptions) {
    if (!subscription.routing) continue;
    const form = subscription.match(address);
    if (form === undefined) continue;
    if (subscription.groupKey === undefined) {
      enqueue(subscription, build(form));
      continue;
    }
    const members = groups.get(subscription.groupKey) ?? [];
    members.push({ subscription, form });
    groups.set(subscription.groupKey, members);
  }
  for (const [groupKey, members] of groups) {
    const cursor = groupCursors.get(groupKey) ?? 0;
    groupCursors.set(groupKey, cursor + 1);
    // Round-robin, passing over members whose queue is full while another has room.
    const rotated = members.map((_, offset) => members[(cursor + offset) % members.length]);
    const chosen = rotated.find((member) => member !== undefined && member.subscription.queue.length < member.subscription.maxPending) ?? rotated[0];
    if (chosen !== undefined) enqueue(chosen.subscription, build(chosen.form));
  }
}

// ---------------------------------------------------------------------------
// Pending requests (both roles)

class PendingReplies {
  private readonly waiting = new Map<string, { resolve: (message: InboundMessage) => void; reject: (error: unknown) => void }>();

  /** Registers `correlationId`; settles on the first reply, the timeout, the signal or `rejectAll`. */
  wait(correlationId: string, address: string, options: RequestOptions): Promise<InboundMessage> {
    const { timeoutMs, signal } = options;
    checkRequestTimeout(timeoutMs);
    signal?.throwIfAborted();
    if (this.waiting.has(correlationId)) throw new Error(`A request with correlation id "${correlationId}" is already waiting`);
    return new Promise<InboundMessage>((resolve, reject) => {
      const finish = (settle: () => void): void => {
        stopWatching();
        this.waiting.delete(correlationId);
        settle();
      };
      const stopWatching = watchRequest(
        options,
        () => finish(() => reject(timeoutError(address, timeoutMs))),
        (reason) => finish(() => reject(reason)),
      );
      this.waiting.set(correlationId, {
        resolve: (message) => finish(() => resolve(message)),
        reject: (error) => finish(() => reject(error)),
      });
    });
  }

  /** Settles the request waiting for `correlationId`; false when none is. */
  resolve(correlationId: string | undefined, message: InboundMessage): boolean {
    const waiter = correlationId === undefined ? undefined : this.waiting.get(correlationId);
    waiter?.resolve(message);
    return waiter !== undefined;
  }

  cancel(correlationId: string, error: unknown): void {
    this.waiting.get(correlationId)?.reject(error);
  }

  rejectAll(error: Error): void {
    for (const waiter of [...this.waiting.values()]) waiter.reject(error);
  }
}

// ---------------------------------------------------------------------------
// Socket helpers

/** Pings every `intervalMs`; a socket that did not answer the last ping is terminated. */
function keepAlive(socket: WebSocket, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => undefined;
  let alive = true;
  const onPong = (): void => {
    alive = true;
  };
  socket.on('pong', onPong);
  const timer = setInterval(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    socket.off('pong', onPong);
  };
}

function sendFrame(socket: WebSocket, frame: WireFrame): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.send(frame.data, { binary: frame.binary }, (error) => (error === undefined || error === null ? resolve() : reject(error)));
  });
}

/** Closes cleanly, or terminates after a grace period; resolves once the socket is closed. */
function closeSocket(socket: WebSocket, code: number, reason: string): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close(code, reason);
  });
}

// ---------------------------------------------------------------------------
// Client role

interface ReconnectDelays {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Everything a client connection needs that does not depend on its path. */
interface ClientEndpoint {
  /** `ws://host:port`, no path. */
  readonly origin: string;
  /** The server's path prefix, without a trailing `/`. */
  readonly basePath: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly libraryOptions: ClientOptions;
  readonly reconnect: ReconnectDelays;
  readonly heartbeatMs: number;
}

/** One socket on one path, reconnected with backoff once it has been open. */
class ClientConnection {
  readonly subscriptions = new Set<LocalSubscription>();
  pendingRequests = 0;
  private socket: WebSocket | undefined;
  private closedByUs = false;
  private attempt = 0;
  private readonly waiters = new Set<{ resolve: (socket: WebSocket) => void; reject: (error: Error) => void }>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private stopHeartbeat: () => void = () => undefined;

  constructor(
    /** Its key in the transport's connection map. */
    readonly key: string,
    readonly url: string,
    /** The concrete address of a plain socket; undefined for a pattern socket. */
    readonly address: string | undefined,
    private readonly endpoint: ClientEndpoint,
    private readonly options: ClientOptions,
    private readonly onFrame: (connection: ClientConnection, data: Buffer, socket: WebSocket) => void,
  ) {}

  get isUnused(): boolean {
    return this.subscriptions.size === 0 && this.pendingRequests === 0;
  }

  /** The first connection: resolves once open, rejects when the handshake fails (no retry). */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      this.closedByUs = true;
      throw new Error(`WebSocket connection to ${this.url} failed: ${describe(error)}`, { cause: error });
    }
  }

  /** The open socket, waiting at most `timeoutMs` for a reconnection. */
  ready(timeoutMs: number): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.closedByUs) return Promise.reject(new Error(`WebSocket connection to ${this.url} is closed`));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (socket: WebSocket) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(socket);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      const timer = setTimeout(() => waiter.reject(new Error(`WebSocket ${this.url} did not reconnect within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async send(frame: WireFrame, timeoutMs: number): Promise<void> {
    await sendFrame(await this.ready(timeoutMs), frame);
  }

  /** Closes the socket after `delayMs` unless it is used again (`cancelIdle()`) first. */
  closeWhenIdle(delayMs: number, onClose: () => void): void {
    this.cancelIdle();
    this.idleTimer = setTimeout(() => {
      if (!this.isUnused) return;
      onClose();
      void this.close();
    }, delayMs);
    this.idleTimer.unref();
  }

  cancelIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  async close(): Promise<void> {
    this.closedByUs = true;
    this.cancelIdle();
    clearTimeout(this.reconnectTimer);
    for (const waiter of [...this.waiters]) waiter.reject(new Error(`WebSocket connection to ${this.url} was closed`));
    const socket = this.socket;
    if (socket !== undefined) await closeSocket(socket, 1000, 'closing');
  }

  private connect(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const isPattern = this.address === undefined;
      const socket = new WebSocket(this.url, isPattern ? [WEBSOCKET_PATTERN_SUBPROTOCOL] : [], this.options);
      let patternConfirmed = false;
      socket.once('upgrade', (response) => {
        patternConfirmed = response.headers[WEBSOCKET_PATTERN_HEADER] === '1';
      });
      // Errors always come with a close; this listener only keeps them from being thrown.
      socket.on('error', (error) => {
        if (socket.readyState !== WebSocket.OPEN) reject(error);
      });
      socket.once('open', () => {
        const refusal = this.closedByUs
          ? 'closed while connecting'
          : isPattern && !patternConfirmed
            ? 'the server does not serve wildcard subscriptions (an asyncapi-gen WebSocket server does); fix every parameter of the subscription'
            : undefined;
        if (refusal !== undefined) {
          void closeSocket(socket, 1000, 'closing');
          reject(new Error(refusal));
          return;
        }
        this.adopt(socket);
        resolve(socket);
      });
    });
  }

  private adopt(socket: WebSocket): void {
    this.socket = socket;
    this.attempt = 0;
    this.stopHeartbeat = keepAlive(socket, this.endpoint.heartbeatMs);
    socket.on('message', (data) => this.onFrame(this, toBuffer(data), socket));
    socket.once('close', () => this.lost(socket));
    for (const waiter of [...this.waiters]) waiter.resolve(socket);
  }

  private lost(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.stopHeartbeat();
    if (!this.closedByUs) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const { initialDelayMs, maxDelayMs } = this.endpoint.reconnect;
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt = Math.min(this.attempt + 1, 30);
    this.reconnectTimer = setTimeout(() => {
      if (this.closedByUs) return;
      this.connect().catch(() => {
        if (!this.closedByUs) this.scheduleReconnect();
      });
    }, delay);
  }
}

function createClientRole(options: WebSocketClientTransportOptions): WebSocketTransport {
  const {
    url: _url,
    server: _server,
    role: _role,
    query,
    reconnect,
    maxInFlight,
    maxPending,
    heartbeatMs,
    sendTimeoutMs,
    idleSocketMs,
    ...libraryOptions
  } = options;
  const env = processEnvironment();
  const resolved = resolveServer(servers, PROTOCOL_ALIASES, 'ws', selectionOf(options), env);
  const endpoint = clientEndpoint(resolved, libraryOptions, query ?? {}, env, {
    initialDelayMs: reconnect?.initialDelayMs ?? 100,
    maxDelayMs: reconnect?.maxDelayMs ?? 5_000,
  }, heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  const handlerLimits: HandlerLimits = { maxInFlight: checkedMaxInFlight(maxInFlight), maxPending: checkedMaxPending(maxPending) };
  const sendTimeout = sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const idleDelay = idleSocketMs ?? DEFAULT_IDLE_SOCKET_MS;

  let state: 'open' | 'closing' | 'closed' = 'open';
  let closing: Promise<void> | undefined;
  const connections = new Map<string, ClientConnection>();
  const starting = new Map<string, Promise<ClientConnection>>();
  const pending = new PendingReplies();
  const groupCursors = new Map<string, number>();

  function onFrame(connection: ClientConnection, data: Buffer, socket: WebSocket): void {
    const frame = decodeFrame(data);
    const raw: WebSocketRawMessage = { socket, data };
    const address = connection.address ?? frame.meta.address;
    if (frame.meta.isReply === true) {
      pending.resolve(frame.meta.correlationId, inboundFrom(address ?? '', frame, raw, undefined));
      return;
    }
    if (state !== 'open' || address === undefined) return;
    const correlationId = frame.meta.correlationId;
    const reply: Reply | undefined = frame.meta.awaitsReply === true && correlationId !== undefined
      ? (answer) => connection.send(replyFrame(answer, correlationId), sendTimeout)
      : undefined;
    route(connection.subscriptions, address, (form) => inboundFrom(form, frame, raw, reply), groupCursors);
  }

  /** The connection for a target, opened (once) if needed; the caller marks its use before awaiting. */
  async function acquire(target: SubscriptionTarget, bindings: MessageBindings | undefined): Promise<ClientConnection> {
    const key = target.kind === 'address' ? `a:${normalizeAddress(target.address)}` : `p:${target.text}`;
    const existing = connections.get(key);
    if (existing !== undefined) {
      existing.cancelIdle();
      return existing;
    }
    const inProgress = starting.get(key);
    if (inProgress !== undefined) return inProgress;
    const path = target.kind === 'address' ? addressPath(target.address) : patternPath(target.text);
    const address = target.kind === 'address' ? target.address : target.text;
    const settings = connectionSettings(endpoint, bindings, address);
    const url = `${endpoint.origin}${endpoint.basePath}${path}${settings.search}`;
    const concreteAddress = target.kind === 'address' ? target.address : undefined;
    const connection = new ClientConnection(key, url, concreteAddress, endpoint, settings.options, onFrame);
    const opened = connection.start().then(() => {
      if (state === 'closed') {
        void connection.close();
        throw closedError('open a connection');
      }
      connections.set(key, connection);
      return connection;
    });
    starting.set(key, opened);
    try {
      return await opened;
    } finally {
      starting.delete(key);
    }
  }

  function release(connection: ClientConnection): void {
    if (!connection.isUnused || state === 'closed') return;
    const forget = (): void => {
      if (connections.get(connection.key) === connection) connections.delete(connection.key);
    };
    if (connection.address === undefined) {
      // A pattern socket carries nothing else: close it now.
      forget();
      void connection.close();
      return;
    }
    connection.closeWhenIdle(idleDelay, forget);
  }

  async function withConnection<T>(target: SubscriptionTarget, bindings: MessageBindings | undefined, use: (connection: ClientConnection) => Promise<T>): Promise<T> {
    const connection = await acquire(target, bindings);
    connection.pendingRequests += 1;
    try {
      return await use(connection);
    } finally {
      connection.pendingRequests -= 1;
      release(connection);
    }
  }

  async function publish(message: OutboundMessage, publishOptions: PublishOptions = {}): Promise<void> {
    if (state === 'closed') throw closedError(`publish to "${message.address}"`);
    const frame = encodeFrame(message);
    await withConnection({ kind: 'address', address: message.address }, publishOptions.bindings, (connection) => connection.send(frame, sendTimeout));
  }

  async function subscribe(pattern: AddressPattern, handler: InboundHandler, subscribeOptions: SubscribeOptions = {}): Promise<TransportSubscription> {
    if (state !== 'open') throw closedError(`subscribe to "${pattern.template}"`);
    if (subscribeOptions.queueGroup !== undefined) {
      throw new Error(`WebSocket client connections cannot share deliveries in a queue group ("${subscribeOptions.queueGroup}"); every socket on a path receives every message`);
    }
    const subscription = newSubscription(pattern, handler, handlerLimits, subscribeOptions);
    const connection = await withConnection(subscriptionTarget(pattern), subscribeOptions.bindings, async (opened) => {
      opened.subscriptions.add(subscription);
      // A socket that is reconnecting is not subscribed yet.
      await opened.ready(sendTimeout).catch((error: unknown) => {
        opened.subscriptions.delete(subscription);
        throw error;
      });
      return opened;
    });
    let active = true;
    return {
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        stopSubscription(subscription);
        // Kept until its running handler finishes, so close() still waits for it.
        void whenIdle([subscription]).then(() => {
          connection.subscriptions.delete(subscription);
          release(connection);
        });
      },
    };
  }

  async function request(message: OutboundMessage, requestOptions: RequestOptions): Promise<InboundMessage> {
    if (state !== 'open') throw closedError(`send a request to "${message.address}"`);
    const correlationId = message.correlationId ?? randomUUID();
    const frame = encodeFrame({ ...message, correlationId }, { awaitsReply: true });
    const answered = pending.wait(correlationId, message.address, requestOptions);
    const settled = answered.then(() => undefined, () => undefined);
    // The timeout and the signal also cover connecting; the socket stays in use until the request settles.
    withConnection({ kind: 'address', address: message.address }, requestOptions.bindings, async (connection) => {
      await connection.send(frame, sendTimeout);
      await settled;
    }).catch((error: unknown) => pending.cancel(correlationId, error));
    return answered;
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      state = 'closing';
      const subscriptions = [...connections.values()].flatMap((connection) => [...connection.subscriptions]);
      for (const subscription of subscriptions) subscription.routing = false;
      pending.rejectAll(closedError('wait for a reply'));
      await whenIdle(subscriptions);
      state = 'closed';
      const opening = [...starting.values()].map((promise) => promise.then((connection) => connection.close(), () => undefined));
      await Promise.all([...[...connections.values()].map((connection) => connection.close()), ...opening]);
      connections.clear();
    })();
    return closing;
  }

  const base = new URL(`${endpoint.origin}${endpoint.basePath}`);
  return {
    protocol: 'ws',
    role: 'client',
    url: base.href,
    webSocketServer: undefined,
    address: () => ({ host: base.hostname.replace(/^\[|\]$/g, ''), port: Number(base.port || (base.protocol === 'wss:' ? 443 : 80)) }),
    publish,
    subscribe,
    request,
    close,
  };
}

function clientEndpoint(
  resolved: ResolvedServer,
  libraryOptions: ClientOptions,
  query: Readonly<Record<string, string>>,
  env: Environment,
  reconnect: ReconnectDelays,
  heartbeatMs: number,
): ClientEndpoint {
  const url = new URL(resolved.url.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`WebSocket URL must be ws: or wss:, got ${url.protocol}`);
  const auth = credentialsFor(resolved);
  const tls = tlsFiles(env);
  return {
    origin: `${url.protocol}//${url.host}`,
    basePath: url.pathname.replace(/\/+$/, ''),
    query: { ...Object.fromEntries(url.searchParams), ...auth.query, ...query },
    headers: { ...auth.headers, ...libraryOptions.headers },
    libraryOptions: {
      handshakeTimeout: DEFAULT_SEND_TIMEOUT_MS,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key }),
      ...libraryOptions,
    },
    reconnect,
    heartbeatMs,
  };
}

/** The query string and ws options of one connection: the endpoint's plus the channel binding's. */
function connectionSettings(endpoint: ClientEndpoint, bindings: MessageBindings | undefined, address: string): { search: string; options: ClientOptions } {
  const binding = bindings?.channel?.['ws'];
  const query = { ...bindingValues(binding?.['query'], endpoint.query, 'query', address), ...endpoint.query };
  const headers = { ...bindingValues(binding?.['headers'], endpoint.headers, 'headers', address), ...endpoint.headers };
  const search = new URLSearchParams(query).toString();
  return {
    search: search === '' ? '' : `?${search}`,
    options: { ...endpoint.libraryOptions, ...(Object.keys(headers).length === 0 ? {} : { headers }) },
  };
}

/**
 * Values for the properties of a ws binding's `query` or `headers` schema that
 * `given` lacks: their `const`, and for a `required` one its `default` (an
 * optional default is what the server assumes anyway, so it is not sent).
 * Throws for a `required` name that has no value at all.
 */
function bindingValues(schema: unknown, given: Readonly<Record<string, string>>, what: 'query' | 'headers', address: string): Record<string, string> {
  if (!isRecord(schema)) return {};
  const has = (name: string): boolean => Object.keys(given).some((key) => (what === 'headers' ? key.toLowerCase() === name.toLowerCase() : key === name));
  const required = Array.isArray(schema['required']) ? schema['required'].filter((name): name is string => typeof name === 'string') : [];
  const values: Record<string, string> = {};
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  for (const [name, property] of Object.entries(properties)) {
    if (has(name) || !isRecord(property)) continue;
    const value = property['const'] ?? (required.includes(name) ? property['default'] : undefined);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[name] = String(value);
  }
  for (const name of required) {
    if (!has(name) && values[name] === undefined) {
      const option = what === 'query' ? 'query' : 'headers';
      throw new Error(`The ws binding of "${address}" requires the ${what === 'query' ? 'query parameter' : 'header'} "${name}": pass it in the transport's \`${option}\` option`);
    }
  }
  return values;
}

interface Credentials {
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
}

/** Maps the server's security schemes and the resolved credentials to handshake headers and query. */
function credentialsFor(resolved: ResolvedServer): Credentials {
  const headers: Record<string, string> = {};
  const query: Record<string, string> = {};
  const basic = resolved.username === undefined
    ? undefined
    : `Basic ${Buffer.from(`${resolved.username}:${resolved.password ?? ''}`, 'utf8').toString('base64')}`;
  const bearer = resolved.token === undefined ? undefined : `Bearer ${resolved.token}`;
  const authorize = (value: string | undefined): void => {
    if (value !== undefined) headers['authorization'] ??= value;
  };
  const schemes = resolved.server?.security ?? [];
  if (schemes.length === 0) authorize(basic ?? bearer);
  for (const scheme of schemes) applyScheme(scheme, { basic, bearer, token: resolved.token, authorize, headers, query });
  return { headers, query };
}

function applyScheme(
  scheme: SecuritySchemeDefinition,
  context: {
    basic: string | undefined;
    bearer: string | undefined;
    token: string | undefined;
    authorize: (value: string | undefined) => void;
    headers: Record<string, string>;
    query: Record<string, string>;
  },
): void {
  const { details } = scheme;
  switch (scheme.type) {
    case 'userPassword':
      context.authorize(context.basic);
      return;
    case 'http': {
      const kind = typeof details['scheme'] === 'string' ? details['scheme'].toLowerCase() : '';
      context.authorize(kind === 'basic' ? context.basic : kind === 'bearer' ? context.bearer : undefined);
      return;
    }
    case 'oauth2':
    case 'openIdConnect':
      context.authorize(context.bearer);
      return;
    case 'httpApiKey': {
      const name = details['name'];
      if (typeof name !== 'string' || context.token === undefined) return;
      if (details['in'] === 'query') context.query[name] ??= context.token;
      else if (details['in'] === 'cookie') context.headers['cookie'] = [context.headers['cookie'], `${name}=${context.token}`].filter(Boolean).join('; ');
      else context.headers[name.toLowerCase()] ??= context.token;
      return;
    }
    default:
      // X509: TLS files come from the environment (tlsFiles); the others do not apply to WebSockets.
      return;
  }
}

function tlsFiles(env: Environment): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return readTlsFiles('WS', env, (variable, file, error) => new Error(`Cannot read ${variable} (${file}): ${describe(error)}`, { cause: error }));
}

// ---------------------------------------------------------------------------
// Server role

/** A connected socket: on a concrete path, or a pattern socket. */
interface Peer {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /** The concrete address of its path (without a leading `/`); undefined for a pattern socket. */
  readonly address: string | undefined;
  readonly matches: (address: string) => boolean;
  /** Correlation ids of this socket's requests that were relayed to other sockets. */
  readonly relayedRequests: Set<string>;
}

type UpgradeTarget =
  | { readonly kind: 'address'; readonly address: string; readonly matches: (address: string) => boolean }
  | { readonly kind: 'pattern'; readonly matches: (address: string) => boolean }
  | { readonly kind: 'error'; readonly status: number; readonly reason: string };

async function createServerRole(options: WebSocketServerTransportOptions): Promise<WebSocketTransport> {
  const {
    url: _url,
    server: _server,
    role: _role,
    port,
    host,
    httpServer: givenHttpServer,
    relay,
    maxInFlight,
    maxPending,
    heartbeatMs,
    ...libraryOptions
  } = options;
  const env = processEnvironment();
  const resolved = resolveForServing(options, env);
  const basePath = resolved?.url.pathname.replace(/\/+$/, '') ?? '';
  const secure = resolved?.url.protocol === 'wss:';
  const handlerLimits: HandlerLimits = { maxInFlight: checkedMaxInFlight(maxInFlight), maxPending: checkedMaxPending(maxPending) };
  const heartbeat = heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const relayBetweenPeers = relay ?? true;

  let state: 'open' | 'closing' | 'closed' = 'open';
  let closing: Promise<void> | undefined;
  const peers = new Set<Peer>();
  const subscriptions = new Set<LocalSubscription>();
  const pending = new PendingReplies();
  const relayRoutes = new Map<string, Peer>();
  const groupCursors = new Map<string, number>();

  const webSocketServer = new WebSocketServer({
    ...libraryOptions,
    noServer: true,
    handleProtocols: (offered) => (offered.has(WEBSOCKET_PATTERN_SUBPROTOCOL) ? WEBSOCKET_PATTERN_SUBPROTOCOL : false),
  });
  webSocketServer.on('headers', (headers, request) => {
    if (offersPatternSubprotocol(request)) headers.push(`${WEBSOCKET_PATTERN_HEADER}: 1`);
  });
  const httpServer = givenHttpServer ?? createOwnHttpServer(secure, env);

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = state === 'open' ? upgradeTarget(request, basePath) : { kind: 'error' as const, status: 503, reason: 'Service Unavailable' };
    if (target.kind === 'error') {
      // On a shared server, other listeners may own the paths outside ours.
      if (target.status === 404 && givenHttpServer !== undefined) return;
      socket.end(`HTTP/1.1 ${target.status} ${target.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    webSocketServer.handleUpgrade(request, socket, head, (webSocket) => addPeer(webSocket, request, target));
  }

  function onPlainRequest(request: IncomingMessage, response: ServerResponse): void {
    if (givenHttpServer !== undefined) return; // the owner's server answers its own requests
    request.resume();
    response.writeHead(426, { connection: 'close', upgrade: 'websocket' }).end('WebSocket only\n');
  }

  /** Registered synchronously with the handshake, so a peer's first frame never misses its subscription. */
  function addPeer(socket: WebSocket, request: IncomingMessage, target: Exclude<UpgradeTarget, { kind: 'error' }>): void {
    if (state !== 'open') {
      // The handshake (verifyClient may be asynchronous) finished after close() began.
      socket.terminate();
      return;
    }
    const peer: Peer = {
      socket,
      request,
      address: target.kind === 'address' ? target.address : undefined,
      matches: target.matches,
      relayedRequests: new Set(),
    };
    peers.add(peer);
    const stopHeartbeat = keepAlive(socket, heartbeat);
    socket.on('error', () => undefined); // a close follows
    socket.on('message', (data, isBinary) => onPeerFrame(peer, { data: toBuffer(data), binary: isBinary }));
    socket.once('close', () => {
      stopHeartbeat();
      peers.delete(peer);
      for (const correlationId of peer.relayedRequests) {
        if (relayRoutes.get(correlationId) === peer) relayRoutes.delete(correlationId);
      }
    });
  }

  function onPeerFrame(peer: Peer, wire: WireFrame): void {
    const frame = decodeFrame(wire.data);
    if (frame.meta.isReply === true) {
      onPeerReply(peer, frame, wire);
      return;
    }
    // A pattern socket has no address to publish on: it only receives, and answers.
    if (peer.address === undefined || state !== 'open') return;
    const raw: WebSocketRawMessage = { socket: peer.socket, request: peer.request, data: wire.data };
    const correlationId = frame.meta.correlationId;
    const awaitsReply = frame.meta.awaitsReply === true && correlationId !== undefined;
    const reply: Reply | undefined = awaitsReply
      ? (answer) => sendToPeer(peer, replyFrame(answer, correlationId))
      : undefined;
    route(subscriptions, peer.address, (form) => inboundFrom(form, frame, raw, reply), groupCursors);
    if (!relayBetweenPeers) return;
    const sent = fanOut(peer.address, fieldsOf(frame), awaitsReply, peer, wire);
    if (awaitsReply && sent > 0) rememberRelayedRequest(peer, correlationId);
  }

  function onPeerReply(peer: Peer, frame: Frame, wire: WireFrame): void {
    const correlationId = frame.meta.correlationId;
    const raw: WebSocketRawMessage = { socket: peer.socket, request: peer.request, data: wire.data };
    if (pending.resolve(correlationId, inboundFrom(frame.meta.address ?? peer.address ?? '', frame, raw, undefined))) return;
    const requester = correlationId === undefined ? undefined : relayRoutes.get(correlationId);
    if (requester !== undefined) void sendToPeer(requester, wire).catch(() => undefined);
  }

  function rememberRelayedRequest(requester: Peer, correlationId: string): void {
    relayRoutes.set(correlationId, requester);
    requester.relayedRequests.add(correlationId);
    if (requester.relayedRequests.size <= MAX_RELAYED_REQUESTS_PER_SOCKET) return;
    const oldest = requester.relayedRequests.values().next().value;
    if (oldest === undefined) return;
    requester.relayedRequests.delete(oldest);
    if (relayRoutes.get(oldest) === requester) relayRoutes.delete(oldest);
  }

  /**
   * Sends a message to every matching peer but `except`: plain sockets get
   * `wire` (or a fresh frame), pattern sockets an envelope naming the address.
   * Returns the number of peers it was sent to.
   */
  function fanOut(address: string, fields: MessageFields, awaitsReply: boolean, except?: Peer, wire?: WireFrame): number {
    const extras: FrameExtras = awaitsReply ? { awaitsReply: true } : {};
    let plain: WireFrame | undefined = wire;
    let addressed: WireFrame | undefined;
    let sent = 0;
    for (const peer of peers) {
      if (peer === except || peer.socket.readyState !== WebSocket.OPEN || !peer.matches(address)) continue;
      const frame = peer.address === undefined
        ? (addressed ??= encodeFrame(fields, { ...extras, address }))
        : (plain ??= encodeFrame(fields, extras));
      sent += 1;
      void sendToPeer(peer, frame).catch(() => undefined); // a peer that went away misses it
    }
    return sent;
  }

  function sendToPeer(peer: Peer, frame: WireFrame): Promise<void> {
    if (peer.socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('the peer is no longer connected'));
    return sendFrame(peer.socket, frame);
  }

  function deliverLocally(message: OutboundMessage, reply: Reply | undefined): void {
    const frame: Frame = { meta: metaOf(message), payload: copyBytes(message.payload) };
    const raw: WebSocketRawMessage = { data: Buffer.from(message.payload) };
    route(subscriptions, message.address, (form) => inboundFrom(form, frame, raw, reply), groupCursors);
  }

  async function publish(message: OutboundMessage, _options?: PublishOptions): Promise<void> {
    if (state === 'closed') throw closedError(`publish to "${message.address}"`);
    const fields = snapshot(message);
    fanOut(message.address, fields, false);
    deliverLocally({ ...fields, address: message.address }, undefined);
  }

  async function subscribe(pattern: AddressPattern, handler: InboundHandler, subscribeOptions: SubscribeOptions = {}): Promise<TransportSubscription> {
    if (state !== 'open') throw closedError(`subscribe to "${pattern.template}"`);
    const subscription = newSubscription(pattern, handler, handlerLimits, subscribeOptions);
    subscriptions.add(subscription);
    let active = true;
    return {
      unsubscribe: async () => {
        if (!active) return;
        active = false;
        stopSubscription(subscription);
        void whenIdle([subscription]).then(() => subscriptions.delete(subscription));
      },
    };
  }

  async function request(message: OutboundMessage, requestOptions: RequestOptions): Promise<InboundMessage> {
    if (state !== 'open') throw closedError(`send a request to "${message.address}"`);
    const correlationId = message.correlationId ?? randomUUID();
    const answered = pending.wait(correlationId, message.address, requestOptions);
    const fields = { ...snapshot(message), correlationId };
    fanOut(message.address, fields, true);
    deliverLocally({ ...fields, address: message.address }, async (answer) => {
      const frame: Frame = { meta: metaOf({ ...answer, correlationId }), payload: copyBytes(answer.payload) };
      pending.resolve(correlationId, inboundFrom(message.address, frame, { data: Buffer.from(answer.payload) }, undefined));
    });
    return answered;
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      state = 'closing';
      for (const subscription of subscriptions) subscription.routing = false;
      pending.rejectAll(closedError('wait for a reply'));
      await whenIdle(subscriptions);
      subscriptions.clear();
      state = 'closed';
      await Promise.all([...peers].map((peer) => closeSocket(peer.socket, 1001, 'server closing')));
      webSocketServer.close();
      httpServer.off('upgrade', onUpgrade);
      httpServer.off('request', onPlainRequest);
      if (givenHttpServer === undefined) await closeHttpServer(httpServer);
    })();
    return closing;
  }

  httpServer.on('upgrade', onUpgrade);
  httpServer.on('request', onPlainRequest);
  if (givenHttpServer === undefined) {
    const listenPort = port ?? defaultPort(resolved);
    const listenHost = host ?? listenableHost(resolved);
    await listen(httpServer, listenPort, listenHost);
  }

  function boundAddress(): { host: string; port: number } {
    const bound = httpServer.address();
    if (bound === null || typeof bound === 'string') throw new Error('the WebSocket server is not listening on a TCP port');
    return { host: bound.address, port: bound.port };
  }

  return {
    protocol: 'ws',
    role: 'server',
    webSocketServer,
    address: boundAddress,
    get url() {
      const { host: boundHost, port: boundPort } = boundAddress();
      const shown = boundHost === '::' || boundHost === '0.0.0.0' ? 'localhost' : boundHost.includes(':') ? `[${boundHost}]` : boundHost;
      return `${httpServer instanceof HttpsServer ? 'wss' : 'ws'}://${shown}:${boundPort}${basePath}`;
    },
    publish,
    subscribe,
    request,
    close,
  };
}

/** The URL to serve: the `url` option, env or document; optional when `port` or `httpServer` says where. */
function resolveForServing(options: WebSocketServerTransportOptions, env: Environment): ResolvedServer | undefined {
  try {
    return resolveServer(servers, PROTOCOL_ALIASES, 'ws', selectionOf(options), env);
  } catch (error) {
    if (options.url === undefined && options.server === undefined && (options.port !== undefined || options.httpServer !== undefined)) return undefined;
    throw error;
  }
}

function upgradeTarget(request: IncomingMessage, basePath: string): UpgradeTarget {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (path !== basePath && !path.startsWith(`${basePath}/`)) return { kind: 'error', status: 404, reason: 'Not Found' };
  const rest = normalizeAddress(path.slice(basePath.length));
  if (!offersPatternSubprotocol(request)) {
    return { kind: 'address', address: rest, matches: (address) => normalizeAddress(address) === rest };
  }
  try {
    const regex = addressPatternRegExp(parseAddressTemplate(decodeURIComponent(rest)));
    return { kind: 'pattern', matches: (address) => regex.test(normalizeAddress(address)) };
  } catch {
    return { kind: 'error', status: 400, reason: 'Bad Request' };
  }
}

function offersPatternSubprotocol(request: IncomingMessage): boolean {
  const offered = String(request.headers['sec-websocket-protocol'] ?? '').split(',').map((name) => name.trim());
  return offered.includes(WEBSOCKET_PATTERN_SUBPROTOCOL);
}

function createOwnHttpServer(secure: boolean, env: Environment): HttpServer | HttpsServer {
  const { cert, key, ca } = tlsFiles(env);
  if (cert !== undefined && key !== undefined) return createHttpsServer({ cert, key, ...(ca === undefined ? {} : { ca }) });
  if (secure) throw new Error('Serving wss: needs ASYNCAPI_WS_CERT and ASYNCAPI_WS_KEY (PEM file paths), or pass an https server as `httpServer`');
  return createHttpServer();
}

function defaultPort(resolved: ResolvedServer | undefined): number {
  if (resolved === undefined) return 0;
  if (resolved.url.port !== '') return Number(resolved.url.port);
  return resolved.url.protocol === 'wss:' ? 443 : 80;
}

/** The URL's host when it names this machine for sure (an IP or `localhost`); else every interface. */
function listenableHost(resolved: ResolvedServer | undefined): string | undefined {
  const hostname = resolved?.url.hostname.replace(/^\[|\]$/g, '');
  if (hostname === undefined) return undefined;
  return hostname === 'localhost' || /^[\d.]+$/.test(hostname) || hostname.includes(':') ? hostname : undefined;
}

function listen(server: HttpServer | HttpsServer, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeHttpServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// ---------------------------------------------------------------------------
// Small helpers

function metaOf(message: MessageFields): WebSocketEnvelopeMeta {
  const { contentType, correlationId, replyTo, key } = message;
  return {
    headers: { ...message.headers },
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(key === undefined ? {} : { key }),
  };
}

/** A private copy, so later changes by the sender do not reach receivers. */
function snapshot(message: OutboundMessage): MessageFields {
  if (!(message.payload instanceof Uint8Array)) {
    throw new TypeError(`Payload for "${message.address}" must be a Uint8Array (encode it before publishing)`);
  }
  const { address: _address, ...fields } = message;
  return { ...fields, payload: copyBytes(message.payload), headers: { ...message.headers } };
}

function checkedMaxInFlight(value: number | undefined): number {
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${value}`);
  return value;
}
