/**
 * AMQP 0-9-1 transport (RabbitMQ) over amqplib 2.x.
 *
 * Connection: `createAmqpTransport()` connects to the document's first
 * `amqp`/`amqps` server (see core/servers.ts for `url`, `server` and the
 * `ASYNCAPI_AMQP_*` environment variables). The URL path is the vhost.
 * Security schemes of the chosen server, the first one that applies:
 * `userPassword`/`plain` -> SASL PLAIN with the URL's or env's user and
 * password; `X509` -> TLS client certificate (`ASYNCAPI_AMQP_CERT`, `_KEY`,
 * `_CA` paths, amqps only) with SASL EXTERNAL unless a password is given;
 * `oauth2`/`openIdConnect`/`http` bearer -> PLAIN with the token
 * (`ASYNCAPI_AMQP_TOKEN`) as password, as RabbitMQ's OAuth 2 plugin expects.
 * Other schemes (SCRAM, GSSAPI, API keys) cannot be spoken by amqplib: pass
 * `credentials` yourself. An explicit `credentials` option always wins.
 *
 * Topology, from the `amqp` bindings:
 * - channel `is: routingKey` (default): messages go to `exchange.name` (else
 *   the `exchange` option, default `amq.topic`) with the address as routing
 *   key. Exchanges other than `amq.*` and the default one are declared with
 *   the binding's `type` (default `topic`), `durable` (default true) and
 *   `autoDelete` (default false). Subscriptions bind a queue with the address
 *   pattern: a word holding an unfixed parameter becomes `*` (or `#` when the
 *   address has no `.` separator); the engine filters exactly. The queue is a
 *   shared non-durable auto-delete queue per `queueGroup`, else an exclusive
 *   server-named one. (Bindings given to the transport directly may also name
 *   a `queue` here, declared and bound instead; the 0.3.0 binding schema does
 *   not allow that in a document.)
 * - channel `is: queue` (or exchange type `default`): publishing goes to the
 *   default exchange with the queue name (`queue.name`, else the address) as
 *   routing key; subscribing consumes that queue, declared with `durable`,
 *   `exclusive`, `autoDelete` (defaults true, false, false), and reports the
 *   channel address whatever routing key brought a message into the queue.
 *   A non-exclusive queue is also declared by publishers, so nothing is
 *   dropped before a consumer runs. Binding such a queue to an exchange is
 *   not expressible in the bindings: provision it.
 * - `vhost` must match the connection's vhost (one connection, one vhost).
 * - operation: `expiration`, `userId`, `cc`, `bcc`, `priority`,
 *   `deliveryMode`, `mandatory` (publish rejects when unroutable),
 *   `timestamp`, and `ack: false` (consume without acknowledgements).
 * - message: `contentEncoding`, `messageType` (the AMQP `type` property).
 *
 * Messages: payload bytes as they are; headers as AMQP headers (received
 * non-string values are turned into text); `contentType`, `correlationId`
 * and `replyTo` as AMQP properties. Requests use RabbitMQ's direct reply-to
 * (`amq.rabbitmq.reply-to`); `InboundMessage.reply` answers on the request's
 * `replyTo` through the default exchange with its `correlationId`.
 *
 * Delivery: publish resolves once the broker confirmed the message (publisher
 * confirms). Subscribe resolves once the consumer is active. Handlers run one
 * at a time per subscription (`maxInFlight` raises that, it is also the
 * prefetch). `ack` acknowledges; `reject` (or a throwing handler) nacks
 * without requeue, so the broker drops or dead-letters it, never redelivers it.
 *
 * Reconnect: amqplib's connection recovery (backoff with jitter, `reconnect`
 * option); on each new connection the transport redeclares its topology and
 * resubscribes. Publishes made while disconnected wait for the connection;
 * a publish whose confirm was lost with the connection rejects (it may or may
 * not have reached the broker), and so do requests waiting for a reply.
 * Messages in durable named queues survive; exclusive server-named queues
 * are new after a reconnect.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  connect,
  credentials as saslCredentials,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message,
  type Options,
  type RecoveringChannelModel,
  type RecoveryOptions,
  type SocketOptions,
} from 'amqplib';
import { resolveServer, type ResolvedServer, type SecuritySchemeDefinition, type ServerSelection } from '../core/servers.js';
import type {
  AddressPattern,
  Disposition,
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
  closedErrorFor,
  describe,
  processEnvironment,
  readTlsFiles,
  selectionOf,
  timeoutError,
  trackRequest,
} from '../core/transport-support.js';
import { servers } from '../servers.js';

const closedError = closedErrorFor('AMQP');

/** amqplib's reconnect settings (see its RecoveryOptions); `setup` and `waitForConnect` are the transport's. */
export type AmqpReconnectOptions = Omit<RecoveryOptions, 'setup' | 'waitForConnect'>;

/** What the transport adds to amqplib's own options. */
export interface AmqpTransportSettings {
  /** Exchange for channels without an `amqp` exchange binding. Default `amq.topic` (declared as a durable topic exchange unless it starts with `amq.`). */
  readonly exchange?: string;
  /** Messages handled at once per subscription, also its prefetch. Default 1 (in order). */
  readonly maxInFlight?: number;
  /**
   * Reconnect after a lost connection: amqplib's recovery settings, or `false`
   * to give up at the first loss. Default: 100 ms doubling to 5 s with jitter,
   * forever once connected, and no retry of the first connection (so a wrong
   * URL fails fast).
   */
  readonly reconnect?: AmqpReconnectOptions | false;
  /** Problems outside a call: lost connections, failed resubscriptions, cancelled consumers. Default: `console.warn`. */
  readonly onError?: (error: Error) => void;
}

/** amqplib's connection and socket options, passed through (host, port and scheme come from the URL). */
export type AmqpConnectionOptions = Omit<Options.Connect, 'protocol' | 'hostname' | 'port'> & Omit<SocketOptions, 'host' | 'port'>;

export type AmqpTransportOptions = ServerSelection & AmqpConnectionOptions & AmqpTransportSettings;

export interface AmqpTransport extends Transport {
  readonly protocol: 'amqp';
  /** The broker URL, without credentials. */
  readonly url: string;
  /** Whether a connection is up right now (false while reconnecting and after close). */
  readonly connected: boolean;
}

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
const DEFAULT_EXCHANGE = 'amq.topic';
const MAX_QUEUE_NAME_BYTES = 255;
const RESUBSCRIBE_FIRST_DELAY_MS = 200;
const RESUBSCRIBE_MAX_DELAY_MS = 5_000;
const DEFAULT_RECONNECT: AmqpReconnectOptions = { initialDelay: 100, maxDelay: 5_000, initialMaxRetries: 0 };

export async function createAmqpTransport(options: AmqpTransportOptions = {}): Promise<AmqpTransport> {
  const { url: _url, server: _server, exchange, maxInFlight, reconnect, onError, ...libraryOptions } = options;
  const resolved = resolveServer(servers, ['amqp', 'amqps'], 'amqp', selectionOf(options));
  const connection = connectionSettings(resolved, libraryOptions);
  const settings: TransportSettings = {
    defaultExchange: exchange ?? DEFAULT_EXCHANGE,
    maxInFlight: checkedMaxInFlight(maxInFlight),
    vhost: connection.vhost,
    reportError: safeReporter(onError ?? ((error) => console.warn(`[amqp transport] ${error.message}`))),
  };
  const transport = new AmqpTransportImpl(settings, redactedUrl(resolved.url));
  await transport.connect(connection.connect, connection.socket, reconnect === false ? { maxRetries: 0 } : { ...DEFAULT_RECONNECT, ...reconnect });
  return transport;
}

// ---------------------------------------------------------------------------
// Connection settings: URL, vhost, credentials, TLS

interface ConnectionSettings {
  readonly connect: Options.Connect;
  readonly socket: SocketOptions;
  /** The vhost as the broker names it. */
  readonly vhost: string;
}

type LibraryOptions = Omit<AmqpTransportOptions, keyof ServerSelection | keyof AmqpTransportSettings>;

function connectionSettings(resolved: ResolvedServer, library: LibraryOptions): ConnectionSettings {
  const { username, password, vhost, heartbeat, frameMax, maxFrameSize, locale, channelMax, ...socket } = library;
  const scheme = resolved.url.protocol.replace(/:$/, '').toLowerCase();
  if (scheme !== 'amqp' && scheme !== 'amqps') {
    throw new Error(`AMQP transport: cannot connect to '${redactedUrl(resolved.url)}': the scheme must be amqp or amqps`);
  }
  rejectAmqp10(resolved);
  const encodedVhost = vhost === undefined ? vhostFromPath(resolved.url.pathname) : vhost;
  const user = username ?? resolved.username;
  const secret = password ?? resolved.password;
  const auth = authentication(resolved, scheme, user, secret, socket.credentials);
  const connect: Options.Connect = {
    protocol: scheme,
    hostname: resolved.url.hostname.replace(/^\[|\]$/g, ''),
    ...(resolved.url.port === '' ? {} : { port: Number(resolved.url.port) }),
    ...(encodedVhost === undefined ? {} : { vhost: encodedVhost }),
    ...(user === undefined ? {} : { username: user }),
    ...(secret === undefined ? {} : { password: secret }),
    ...tuningFromQuery(resolved.url.searchParams),
    ...definedFields({ heartbeat, frameMax, maxFrameSize, locale, channelMax }),
  };
  const tlsFiles = scheme === 'amqps' ? tlsFilesFromEnv(socket) : {};
  return {
    connect,
    socket: { ...tlsFiles, ...socket, ...(auth === undefined ? {} : { credentials: auth }) },
    vhost: decodeVhost(encodedVhost),
  };
}

/** The tuning amqplib reads from a URL's query (`?heartbeat=30&frameMax=8192`), since the transport passes it an object. */
function tuningFromQuery(query: URLSearchParams): Pick<Options.Connect, 'heartbeat' | 'frameMax' | 'maxFrameSize' | 'channelMax' | 'locale'> {
  const tuning: { heartbeat?: number; frameMax?: number; maxFrameSize?: number; channelMax?: number; locale?: string } = {};
  for (const field of ['heartbeat', 'frameMax', 'maxFrameSize', 'channelMax'] as const) {
    const value = query.get(field);
    if (value === null) continue;
    if (!/^\d+$/.test(value)) throw new Error(`AMQP transport: URL option ${field} must be a whole number, got '${value}'`);
    tuning[field] = Number(value);
  }
  const locale = query.get('locale');
  if (locale !== null) tuning.locale = locale;
  return tuning;
}

function rejectAmqp10(resolved: ResolvedServer): void {
  const version = resolved.server?.protocolVersion;
  if (version !== undefined && /^1(\.|$)/.test(version)) {
    throw new Error(`AMQP transport: server '${resolved.server?.name ?? ''}' speaks AMQP ${version}; this transport speaks AMQP 0-9-1 (RabbitMQ)`);
  }
}

/** The first URL path segment, still percent-encoded (amqplib unescapes it); undefined for the default vhost `/`. */
function vhostFromPath(pathname: string): string | undefined {
  const segment = pathname.replace(/^\//, '');
  return segment === '' ? undefined : segment;
}

function decodeVhost(encoded: string | undefined): string {
  if (encoded === undefined || encoded === '') return '/';
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

type SaslCredentials = NonNullable<SocketOptions['credentials']>;

/**
 * The SASL mechanism for the server's security schemes; undefined leaves
 * amqplib's default (PLAIN with the URL's user, else guest/guest).
 */
function authentication(
  resolved: ResolvedServer,
  scheme: string,
  user: string | undefined,
  secret: string | undefined,
  explicit: SaslCredentials | undefined,
): SaslCredentials | undefined {
  if (explicit !== undefined) return explicit;
  const schemes = resolved.server?.security ?? [];
  if (schemes.length === 0) return undefined;
  const chosen = schemes.find(isSupportedSecurity);
  if (chosen === undefined) {
    throw new Error(
      `AMQP transport: server '${resolved.server?.name ?? ''}' requires ${schemes.map((s) => `${s.name} (${s.type})`).join(' or ')}, ` +
        'which amqplib cannot do; pass the `credentials` option (a SASL mechanism) yourself',
    );
  }
  return credentialsFor(chosen, resolved, scheme, user, secret);
}

const PASSWORD_SECURITY = new Set(['userPassword', 'plain']);
const TOKEN_SECURITY = new Set(['oauth2', 'openIdConnect']);

function isBearer(security: SecuritySchemeDefinition): boolean {
  const scheme = security.details['scheme'];
  return security.type === 'http' && typeof scheme === 'string' && scheme.toLowerCase() === 'bearer';
}

function isSupportedSecurity(security: SecuritySchemeDefinition): boolean {
  return PASSWORD_SECURITY.has(security.type) || TOKEN_SECURITY.has(security.type) || security.type === 'X509' || isBearer(security);
}

function credentialsFor(
  security: SecuritySchemeDefinition,
  resolved: ResolvedServer,
  scheme: string,
  user: string | undefined,
  secret: string | undefined,
): SaslCredentials {
  if (PASSWORD_SECURITY.has(security.type)) {
    if (user === undefined || secret === undefined) {
      throw new Error(`AMQP transport: security scheme '${security.name}' needs a user and password: put them in the URL or set ASYNCAPI_AMQP_USER and ASYNCAPI_AMQP_PASSWORD`);
    }
    return saslCredentials.plain(user, secret);
  }
  if (security.type === 'X509') {
    if (scheme !== 'amqps') throw new Error(`AMQP transport: security scheme '${security.name}' (X509) needs an amqps:// URL`);
    return secret === undefined ? saslCredentials.external() : saslCredentials.plain(user ?? '', secret);
  }
  // A token (OAuth 2, OpenID Connect, bearer): RabbitMQ's OAuth 2 plugin reads it as the password.
  if (resolved.token === undefined) {
    throw new Error(`AMQP transport: security scheme '${security.name}' (${security.type}) needs a token: set ASYNCAPI_AMQP_TOKEN`);
  }
  return saslCredentials.plain(user ?? '', resolved.token);
}

/** `ca`, `cert` and `key` from the files named by ASYNCAPI_AMQP_CA/_CERT/_KEY, unless given as options. */
function tlsFilesFromEnv(socket: Omit<SocketOptions, 'host' | 'port'>): Pick<SocketOptions, 'ca' | 'cert' | 'key'> {
  return readTlsFiles(
    'AMQP',
    processEnvironment(),
    (variable, file, error) => new Error(`AMQP transport: cannot read ${variable} file '${file}': ${describe(error)}`),
    (field) => socket[field] !== undefined,
  );
}

function redactedUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** The fields whose value is not undefined (exactOptionalPropertyTypes forbids passing undefined on). */
function definedFields<T extends Record<string, unknown>>(fields: T): Defined<T> {
  const defined: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) defined[key] = value;
  }
  return defined as Defined<T>;
}

/** A reporter that cannot throw into the transport's own work. */
function safeReporter(report: (error: Error) => void): (error: Error) => void {
  return (error) => {
    try {
      report(error);
    } catch {
      // The application's error handler failed; nothing better to do with it here.
    }
  };
}

function checkedMaxInFlight(value: number | undefined): number {
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new RangeError(`AMQP transport: maxInFlight must be an integer from 1 to 65535, got ${value}`);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Bindings -> topology

interface TransportSettings {
  readonly defaultExchange: string;
  readonly maxInFlight: number;
  /** The connection's vhost; bindings naming another one are refused. */
  readonly vhost: string;
  readonly reportError: (error: Error) => void;
}

interface ExchangeSpec {
  /** '' is the default exchange. */
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
}

interface QueueSpec {
  /** '' lets the broker name it. */
  readonly name: string;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
}

/** What a channel's `amqp` binding says, with defaults filled in. */
type ChannelLayout =
  | { readonly is: 'routingKey'; readonly exchange: ExchangeSpec; readonly queue?: QueueSpec }
  | { readonly is: 'queue'; readonly queue: Omit<QueueSpec, 'name'> & { readonly name?: string } };

type BindingRecord = Readonly<Record<string, unknown>>;

function amqpBinding(bindings: MessageBindings | undefined, object: keyof MessageBindings): BindingRecord {
  return bindings?.[object]?.['amqp'] ?? {};
}

function asRecord(value: unknown): BindingRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as BindingRecord) : undefined;
}

function text(record: BindingRecord | undefined, field: string): string | undefined {
  const value = record?.[field];
  return typeof value === 'string' ? value : undefined;
}

function flag(record: BindingRecord | undefined, field: string): boolean | undefined {
  const value = record?.[field];
  return typeof value === 'boolean' ? value : undefined;
}

function integer(record: BindingRecord | undefined, field: string): number | undefined {
  const value = record?.[field];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function textList(record: BindingRecord | undefined, field: string): string[] | undefined {
  const value = record?.[field];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return undefined;
  const items = value.filter((item): item is string => typeof item === 'string');
  return items.length === 0 ? undefined : items;
}

function channelLayout(bindings: MessageBindings | undefined, settings: TransportSettings): ChannelLayout {
  const binding = amqpBinding(bindings, 'channel');
  const exchange = asRecord(binding['exchange']);
  const queue = asRecord(binding['queue']);
  checkVhost(exchange, settings, 'exchange');
  checkVhost(queue, settings, 'queue');
  const queueOptions = {
    durable: flag(queue, 'durable') ?? true,
    exclusive: flag(queue, 'exclusive') ?? false,
    autoDelete: flag(queue, 'autoDelete') ?? false,
  };
  const queueName = text(queue, 'name');
  const exchangeType = text(exchange, 'type') ?? 'topic';
  if (binding['is'] === 'queue' || exchangeType === 'default') {
    return { is: 'queue', queue: { ...queueOptions, ...(queueName === undefined ? {} : { name: queueName }) } };
  }
  return {
    is: 'routingKey',
    exchange: {
      name: text(exchange, 'name') ?? settings.defaultExchange,
      type: exchangeType,
      durable: flag(exchange, 'durable') ?? true,
      autoDelete: flag(exchange, 'autoDelete') ?? false,
    },
    ...(queueName === undefined ? {} : { queue: { name: queueName, ...queueOptions } }),
  };
}

function checkVhost(record: BindingRecord | undefined, settings: TransportSettings, what: string): void {
  const vhost = text(record, 'vhost');
  if (vhost === undefined || vhost === settings.vhost) return;
  throw new Error(
    `AMQP transport: the channel's ${what} lives in vhost '${vhost}' but this connection is to vhost '${settings.vhost}'; ` +
      `create another transport with { url: 'amqp://host/${encodeURIComponent(vhost)}' } for it`,
  );
}

function isPredeclared(exchange: string): boolean {
  return exchange === '' || exchange.startsWith('amq.');
}

/** Where a publish goes, and what must exist first. */
interface PublishRoute {
  readonly exchange: string;
  readonly routingKey: string;
  readonly declareExchange?: ExchangeSpec;
  readonly declareQueue?: QueueSpec;
}

function publishRoute(address: string, bindings: MessageBindings | undefined, settings: TransportSettings): PublishRoute {
  const layout = channelLayout(bindings, settings);
  if (layout.is === 'queue') {
    const queue: QueueSpec = { ...layout.queue, name: layout.queue.name ?? address };
    // An exclusive queue belongs to its consumer's connection; declaring it here would steal it.
    return { exchange: '', routingKey: queue.name, ...(queue.exclusive ? {} : { declareQueue: queue }) };
  }
  const { exchange } = layout;
  return { exchange: exchange.name, routingKey: address, ...(isPredeclared(exchange.name) ? {} : { declareExchange: exchange }) };
}

/** How a subscription gets its messages. */
interface ConsumePlan {
  readonly queue: QueueSpec;
  /**
   * The address deliveries report, for queue channels: whatever routing key
   * brought a message into the queue, it arrived on the channel's address.
   */
  readonly address?: string;
  /** The exchange the queue is bound to, and the binding key; absent when consuming a queue channel. */
  readonly bind?: { readonly exchange: ExchangeSpec; readonly key: string };
  readonly noAck: boolean;
  readonly description: string;
}

function consumePlan(pattern: AddressPattern, options: SubscribeOptions, settings: TransportSettings): ConsumePlan {
  const layout = channelLayout(options.bindings, settings);
  const noAck = flag(amqpBinding(options.bindings, 'operation'), 'ack') === false;
  if (layout.is === 'queue') {
    const address = concreteAddress(pattern);
    if (address === undefined) {
      throw new Error(`AMQP transport: channel '${pattern.template}' is a queue; fix every parameter to subscribe to it`);
    }
    const name = layout.queue.name ?? address;
    return { queue: { ...layout.queue, name }, address, noAck, description: `queue '${name}'` };
  }
  const { exchange } = layout;
  const key = bindingKey(pattern, exchange);
  const queue = layout.queue ?? (options.queueGroup === undefined ? privateQueue() : groupQueue(options.queueGroup, exchange.name, key));
  return { queue, bind: { exchange, key }, noAck, description: `'${key}' on exchange '${exchange.name}'` };
}

function privateQueue(): QueueSpec {
  return { name: '', durable: false, exclusive: true, autoDelete: true };
}

function groupQueue(group: string, exchange: string, key: string): QueueSpec {
  let name = `asyncapi.group.${group}.${exchange}.${key}`;
  if (Buffer.byteLength(name) > MAX_QUEUE_NAME_BYTES) {
    name = `asyncapi.group.${createHash('sha256').update(name).digest('hex')}`;
  }
  return { name, durable: false, exclusive: false, autoDelete: true };
}

function concreteAddress(pattern: AddressPattern): string | undefined {
  let address = '';
  for (const part of pattern.parts) {
    if (part.kind === 'literal') address += part.text;
    else if (part.value === undefined) return undefined;
    else address += part.value;
  }
  return address;
}

/** Marks an unfixed parameter slot while the binding key is assembled; never part of an address. */
const FREE_SLOT = '\u0000';

/**
 * The binding key for `pattern` on `exchange`: never narrower than the
 * pattern, since the engine filters what arrives exactly.
 */
function bindingKey(pattern: AddressPattern, exchange: ExchangeSpec): string {
  const address = pattern.parts.map((part) => (part.kind === 'literal' ? part.text : (part.value ?? FREE_SLOT))).join('');
  const hasFreeSlot = address.includes(FREE_SLOT);
  switch (exchange.type) {
    case 'fanout':
    case 'headers':
      // Routing keys play no part; binding with an empty key and no arguments receives everything.
      return '';
    case 'topic':
      return topicBindingKey(address, pattern);
    default:
      if (hasFreeSlot) {
        throw new Error(`AMQP transport: exchange '${exchange.name}' is of type '${exchange.type}', which has no wildcards; fix every parameter of '${pattern.template}' to subscribe`);
      }
      return address;
  }
}

function topicBindingKey(address: string, pattern: AddressPattern): string {
  // With `.` separators a parameter value is one word; without them a value could hold dots, so only `#` is safe.
  const dotted = pattern.parts.some((part) => part.kind === 'literal' && part.text.includes('.'));
  const wildcard = dotted ? '*' : '#';
  return address
    .split('.')
    .map((word) => (/[\u0000*#]/.test(word) ? wildcard : word))
    .join('.');
}

/** AMQP basic properties for a message and the operation and message bindings. */
function publishProperties(message: Omit<OutboundMessage, 'address'>, bindings: MessageBindings | undefined): Options.Publish {
  const operation = amqpBinding(bindings, 'operation');
  const messageBinding = amqpBinding(bindings, 'message');
  const expiration = integer(operation, 'expiration');
  const cc = textList(operation, 'cc');
  const bcc = textList(operation, 'bcc');
  const deliveryMode = integer(operation, 'deliveryMode');
  return {
    headers: { ...message.headers },
    ...definedFields({
      contentType: message.contentType,
      correlationId: message.correlationId,
      replyTo: message.replyTo,
      contentEncoding: text(messageBinding, 'contentEncoding'),
      type: text(messageBinding, 'messageType'),
      userId: text(operation, 'userId'),
      priority: integer(operation, 'priority'),
      mandatory: flag(operation, 'mandatory'),
      expiration: expiration === undefined ? undefined : String(expiration),
      CC: cc,
      BCC: bcc,
      deliveryMode: deliveryMode === 1 || deliveryMode === 2 ? deliveryMode : undefined,
      timestamp: flag(operation, 'timestamp') === true ? Math.floor(Date.now() / 1000) : undefined,
    }),
  };
}

// ---------------------------------------------------------------------------
// Received messages

function textHeaders(headers: unknown): MessageHeaders {
  const result: MessageHeaders = {};
  const record = asRecord(headers);
  if (record === undefined) return result;
  for (const [name, value] of Object.entries(record)) {
    const converted = headerText(value);
    if (converted !== undefined) result[name] = converted;
  }
  return result;
}

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  } catch {
    return String(value);
  }
}

function propertyText(message: Message, field: 'contentType' | 'correlationId' | 'replyTo'): string | undefined {
  const value: unknown = message.properties[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// ---------------------------------------------------------------------------
// One connection: the publishing channel (with direct reply-to) and declarations

/** A publish that never left the client (its channel was already closed), so sending it again cannot duplicate it. */
class NotSentError extends Error {
  constructor(readonly reason: Error) {
    super(reason.message, { cause: reason });
    this.name = 'NotSentError';
  }
}

interface PendingReply {
  readonly resolve: (message: InboundMessage) => void;
  readonly reject: (error: Error) => void;
}

/** The confirm channel that publishes, and consumes the replies to this connection's requests. */
class Publisher {
  readonly pendingReplies = new Map<string, PendingReply>();
  private readonly returned = new Set<string>();
  private failure: Error | undefined;
  private open = true;

  private constructor(private readonly channel: ConfirmChannel) {}

  static async create(model: ChannelModel): Promise<Publisher> {
    const channel = await model.createConfirmChannel();
    const publisher = new Publisher(channel);
    channel.on('error', (error: Error) => {
      publisher.failure = error;
    });
    channel.on('close', () => publisher.closed());
    channel.on('return', (message: Message) => {
      const id: unknown = message.properties.messageId;
      if (typeof id === 'string') publisher.returned.add(id);
    });
    await channel.consume(DIRECT_REPLY_TO, (message) => publisher.onReply(message), { noAck: true });
    return publisher;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Resolves when the broker confirms; rejects when it nacks, returns a mandatory message, or the channel dies first. */
  publish(exchange: string, routingKey: string, payload: Uint8Array, properties: Options.Publish): Promise<void> {
    // `mandatory` returns are matched to their publish by message id; RabbitMQ sends the return before the confirm.
    const tracked = properties.mandatory === true ? { ...properties, messageId: properties.messageId ?? randomUUID() } : properties;
    return new Promise((resolve, reject) => {
      const onConfirm = (error: unknown): void => {
        if (error !== null && error !== undefined) {
          reject(this.publishFailure(exchange, routingKey, error));
          return;
        }
        const messageId = tracked.messageId;
        if (tracked.mandatory === true && messageId !== undefined && this.returned.delete(messageId)) {
          reject(new Error(`AMQP transport: message to '${routingKey}' on exchange '${exchange}' is unroutable (mandatory): no queue is bound for it`));
          return;
        }
        resolve();
      };
      try {
        this.channel.publish(exchange, routingKey, Buffer.from(payload), tracked, onConfirm);
      } catch (error) {
        reject(new NotSentError(this.publishFailure(exchange, routingKey, error)));
      }
    });
  }

  expectReply(correlationId: string, pending: PendingReply): void {
    this.pendingReplies.set(correlationId, pending);
  }

  async close(): Promise<void> {
    if (!this.open) return;
    try {
      await this.channel.close();
    } catch {
      // Already closing with its connection.
    }
  }

  private publishFailure(exchange: string, routingKey: string, error: unknown): Error {
    const reason = this.failure === undefined ? describe(error) : this.failure.message;
    return new Error(
      `AMQP transport: the broker did not confirm the message to '${routingKey}' on exchange '${exchange === '' ? '(default)' : exchange}': ${reason}`,
      { cause: this.failure ?? error },
    );
  }

  private onReply(message: ConsumeMessage | null): void {
    if (message === null) return;
    const correlationId = propertyText(message, 'correlationId');
    const pending = correlationId === undefined ? undefined : this.pendingReplies.get(correlationId);
    if (correlationId === undefined || pending === undefined) return;
    this.pendingReplies.delete(correlationId);
    pending.resolve(inboundMessage(message, undefined));
  }

  private closed(): void {
    this.open = false;
    const reason = this.failure?.message ?? 'the connection was lost';
    for (const pending of this.pendingReplies.values()) {
      pending.reject(new Error(`AMQP transport: no reply can arrive now: ${reason}`));
    }
    this.pendingReplies.clear();
  }
}

/** One live connection and what was set up on it. */
class Session {
  alive = true;
  private current: Publisher | undefined;
  private opening: Promise<Publisher> | undefined;
  private readonly declarations = new Map<string, Promise<void>>();

  constructor(readonly model: ChannelModel) {}

  /** The publishing channel, reopened if the broker closed it (after a refused publish, say). */
  publisher(): Promise<Publisher> {
    if (this.current?.isOpen === true) return Promise.resolve(this.current);
    this.opening ??= Publisher.create(this.model)
      .then((publisher) => {
        this.current = publisher;
        return publisher;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  ensureExchange(exchange: ExchangeSpec): Promise<void> {
    if (isPredeclared(exchange.name)) return Promise.resolve();
    return this.declareOnce(`exchange ${exchange.name}`, (channel) =>
      channel.assertExchange(exchange.name, exchange.type, { durable: exchange.durable, autoDelete: exchange.autoDelete }),
    );
  }

  ensureQueue(queue: QueueSpec): Promise<void> {
    return this.declareOnce(`queue ${queue.name}`, (channel) =>
      channel.assertQueue(queue.name, { durable: queue.durable, exclusive: queue.exclusive, autoDelete: queue.autoDelete }),
    );
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    await this.current?.close();
  }

  /** Declares on a channel of its own: a refused declaration closes only that channel. */
  private declareOnce(key: string, declare: (channel: Channel) => Promise<unknown>): Promise<void> {
    const known = this.declarations.get(key);
    if (known !== undefined) return known;
    const declaring = (async () => {
      const channel = await this.model.createChannel();
      channel.on('error', () => {
        // Reported through the rejected declaration.
      });
      try {
        await declare(channel);
      } finally {
        await channel.close().catch(() => undefined);
      }
    })();
    this.declarations.set(key, declaring);
    declaring.catch(() => this.declarations.delete(key));
    return declaring;
  }
}

// ---------------------------------------------------------------------------
// Subscriptions

interface Delivery {
  readonly message: ConsumeMessage;
  readonly channel: Channel;
}

/** One subscription: its consumer on the current connection, its queue of deliveries and its running handlers. */
class Consumer {
  private session: Session | undefined;
  private activation: Promise<void> | undefined;
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private stopped = false;
  private cancelling: Promise<void> | undefined;
  private ending: Promise<void> | undefined;
  private readonly waiting: Delivery[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly plan: ConsumePlan,
    private readonly handler: InboundHandler,
    private readonly maxInFlight: number,
    private readonly reply: (request: Message) => InboundMessage['reply'],
    private readonly reportError: (error: Error) => void,
  ) {}

  /** Consumes on `session` (once per session), declaring and binding the queue first. */
  activate(session: Session): Promise<void> {
    if (this.session === session && this.activation !== undefined) return this.activation;
    this.session = session;
    const activation = this.open(session);
    this.activation = activation;
    activation.catch(() => {
      if (this.activation === activation) this.activation = undefined;
    });
    return activation;
  }

  /**
   * Stops deliveries; resolves once the broker stopped delivering. With
   * `dropWaiting`, deliveries not yet handled are dropped (the broker
   * requeues them when the channel closes) instead of handled.
   */
  stop(dropWaiting: boolean): Promise<void> {
    this.stopped = true;
    if (dropWaiting) this.waiting.length = 0;
    this.cancelling ??= this.cancelConsumer();
    return this.cancelling;
  }

  /** Stops, lets the running (and kept) deliveries finish, then closes the channel. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      await this.stop(false);
      await this.whenIdle();
      await this.closeChannel();
    })();
    return this.ending;
  }

  async whenIdle(): Promise<void> {
    while (this.running.size > 0 || this.waiting.length > 0) {
      await Promise.all(this.running);
      if (this.running.size === 0 && this.waiting.length > 0) this.pump();
    }
  }

  private async open(session: Session): Promise<void> {
    const { plan } = this;
    if (plan.bind !== undefined) await session.ensureExchange(plan.bind.exchange);
    const channel = await session.model.createChannel();
    this.watch(channel);
    try {
      if (!plan.noAck) await channel.prefetch(this.maxInFlight);
      const { queue } = await channel.assertQueue(plan.queue.name, {
        durable: plan.queue.durable,
        exclusive: plan.queue.exclusive,
        autoDelete: plan.queue.autoDelete,
      });
      if (plan.bind !== undefined) await channel.bindQueue(queue, plan.bind.exchange.name, plan.bind.key);
      if (this.stopped) throw new Error('unsubscribed');
      const { consumerTag } = await channel.consume(queue, (message) => this.onMessage(channel, message), { noAck: plan.noAck });
      this.channel = channel;
      this.consumerTag = consumerTag;
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw new Error(`AMQP transport: cannot subscribe to ${plan.description}: ${describe(error)}`, { cause: error });
    }
  }

  private watch(channel: Channel): void {
    channel.on('error', (error: Error) => {
      if (this.channel === channel && !this.stopped) {
        this.reportError(new Error(`AMQP transport: the channel of the subscription to ${this.plan.description} failed: ${error.message}`, { cause: error }));
      }
    });
    channel.on('close', () => {
      // Unacknowledged deliveries of a closed channel are redelivered by the broker; handling them here would duplicate them.
      this.discardWaiting(channel);
      if (this.channel === channel) this.channel = undefined;
    });
  }

  private onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      if (!this.stopped) this.reportError(new Error(`AMQP transport: the broker cancelled the subscription to ${this.plan.description} (queue deleted?)`));
      return;
    }
    if (this.stopped) return;
    this.waiting.push({ message, channel });
    this.pump();
  }

  private pump(): void {
    while (this.running.size < this.maxInFlight) {
      const delivery = this.waiting.shift();
      if (delivery === undefined) return;
      const run: Promise<void> = this.handle(delivery).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async handle({ message, channel }: Delivery): Promise<void> {
    let disposition: Disposition;
    try {
      disposition = await this.handler(inboundMessage(message, this.reply(message), this.plan.address));
    } catch (error) {
      this.reportError(new Error(`AMQP transport: handler for ${this.plan.description} threw: ${describe(error)}`, { cause: error }));
      disposition = 'reject';
    }
    if (this.plan.noAck) return;
    try {
      if (disposition === 'ack') channel.ack(message);
      else channel.nack(message, false, false);
    } catch {
      // The channel died meanwhile: the broker redelivers the message on the next connection.
    }
  }

  private discardWaiting(channel: Channel): void {
    for (let index = this.waiting.length - 1; index >= 0; index -= 1) {
      if (this.waiting[index]?.channel === channel) this.waiting.splice(index, 1);
    }
  }

  private async cancelConsumer(): Promise<void> {
    await this.activation?.catch(() => undefined);
    const { channel, consumerTag } = this;
    this.consumerTag = undefined;
    if (channel === undefined || consumerTag === undefined) return;
    try {
      await channel.cancel(consumerTag);
    } catch {
      // The channel is gone, and its consumer with it.
    }
  }

  private async closeChannel(): Promise<void> {
    const { channel } = this;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }
}

function inboundMessage(message: ConsumeMessage, reply: InboundMessage['reply'], address = message.fields.routingKey): InboundMessage {
  const contentType = propertyText(message, 'contentType');
  const correlationId = propertyText(message, 'correlationId');
  const replyTo = propertyText(message, 'replyTo');
  return {
    address,
    payload: copyBytes(message.content),
    headers: textHeaders(message.properties.headers),
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(reply === undefined ? {} : { reply }),
    raw: message,
  };
}

// ---------------------------------------------------------------------------
// The transport

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  const result: Deferred<T> = {
    promise,
    resolve: (value) => {
      result.settled = true;
      resolve(value);
    },
    reject: (error) => {
      result.settled = true;
      reject(error);
    },
    settled: false,
  };
  return result;
}

class AmqpTransportImpl implements AmqpTransport {
  readonly protocol = 'amqp' as const;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | undefined;
  private model: RecoveringChannelModel | undefined;
  private session: Session | undefined;
  private everConnected = false;
  private ready = deferred<Session>();
  private readonly consumers = new Set<Consumer>();
  /** Unsubscribed consumers whose handlers still run; close() waits for them. */
  private readonly ending = new Set<Promise<void>>();
  private readonly requestCancels = new Set<(error: Error) => void>();

  constructor(
    private readonly settings: TransportSettings,
    readonly url: string,
  ) {}

  get connected(): boolean {
    return this.session?.alive === true;
  }

  async connect(connectOptions: Options.Connect, socketOptions: SocketOptions, reconnect: AmqpReconnectOptions): Promise<void> {
    const model = await connect(connectOptions, {
      ...socketOptions,
      recovery: { ...reconnect, waitForConnect: false, setup: (connection: ChannelModel) => this.setUp(connection) },
    });
    this.model = model;
    model.on('error', () => {
      // Every connection error also closes it; 'disconnect' reports that.
    });
    model.on('disconnect', (error: Error) => this.onDisconnect(error));
    model.on('reconnect-failed', (error: Error) => this.onGiveUp(error));
    try {
      await model.waitForConnect();
    } catch (error) {
      this.state = 'closed';
      throw new Error(`AMQP transport: cannot connect to ${this.url}: ${describe(error)}`, { cause: error });
    }
  }

  async publish(message: OutboundMessage, options: PublishOptions = {}): Promise<void> {
    if (this.state === 'closed') throw closedError(`publish to '${message.address}'`);
    assertPayload(message);
    const route = publishRoute(message.address, options.bindings, this.settings);
    await this.send(route, publishProperties(message, options.bindings), message.payload);
  }

  async subscribe(pattern: AddressPattern, handler: InboundHandler, options: SubscribeOptions = {}): Promise<TransportSubscription> {
    if (this.state !== 'open') throw closedError(`subscribe to '${pattern.template}'`);
    const plan = consumePlan(pattern, options, this.settings);
    const consumer = new Consumer(plan, handler, this.settings.maxInFlight, (request) => this.replyFor(request), this.settings.reportError);
    this.consumers.add(consumer);
    try {
      await this.activateOnCurrentSession(consumer);
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.end();
      throw error;
    }
    if (this.state !== 'open') {
      this.consumers.delete(consumer);
      await consumer.end();
      throw closedError(`subscribe to '${pattern.template}'`);
    }
    return { unsubscribe: () => this.unsubscribe(consumer) };
  }

  async request(message: OutboundMessage, options: RequestOptions): Promise<InboundMessage> {
    const { timeoutMs, signal } = options;
    if (this.state !== 'open') throw closedError(`send a request to '${message.address}'`);
    checkRequestTimeout(timeoutMs);
    signal?.throwIfAborted();
    assertPayload(message);
    const route = publishRoute(message.address, options.bindings, this.settings);
    const correlationId = message.correlationId ?? randomUUID();
    const properties = publishProperties({ ...message, correlationId, replyTo: DIRECT_REPLY_TO }, options.bindings);

    return new Promise<InboundMessage>((resolve, reject) => {
      let publisher: Publisher | undefined;
      const pending = trackRequest(options, reject, () => timeoutError(message.address, timeoutMs, "'"), () => {
        this.requestCancels.delete(cancel);
        publisher?.pendingReplies.delete(correlationId);
      });
      const cancel = (error: Error): void => pending.finish(() => reject(error));
      this.requestCancels.add(cancel);

      const send = (): Promise<void> =>
        this.sendWith(route, async (chosen) => {
          if (pending.settled) return;
          publisher = chosen;
          chosen.expectReply(correlationId, {
            resolve: (reply) => pending.finish(() => resolve(reply)),
            reject: (error) => pending.finish(() => reject(error)),
          });
          await chosen.publish(route.exchange, route.routingKey, message.payload, properties);
        });
      send().catch((error: unknown) => pending.finish(() => reject(error)));
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      for (const cancel of [...this.requestCancels]) cancel(closedError('wait for a reply'));
      const consumers = [...this.consumers];
      this.consumers.clear();
      await Promise.all([...consumers.map((consumer) => consumer.end()), ...this.ending]);
      this.state = 'closed';
      if (this.ready.settled) this.ready = deferred<Session>();
      this.ready.reject(closedError('use the connection'));
      const session = this.session;
      this.session = undefined;
      if (session !== undefined) session.alive = false;
      await session?.close();
      await this.model?.close();
    })();
    return this.closing;
  }

  // -- connection life cycle

  /** Runs on every new connection, before it counts as connected: publisher channel, then every subscription again. */
  private async setUp(connection: ChannelModel): Promise<void> {
    if (this.state === 'closed') return;
    const session = new Session(connection);
    await session.publisher();
    await Promise.all([...this.consumers].map((consumer) => this.reactivate(consumer, session)));
    this.session = session;
    this.everConnected = true;
    if (this.ready.settled) this.ready = deferred<Session>();
    this.ready.resolve(session);
  }

  /**
   * Subscribes again on a new connection. A failure is reported and retried
   * with backoff in the background while the connection lasts: an exclusive
   * queue, say, stays locked until the broker notices the old connection died.
   */
  private async reactivate(consumer: Consumer, session: Session): Promise<void> {
    try {
      await consumer.activate(session);
    } catch (error) {
      this.settings.reportError(new Error(`AMQP transport: resubscribing after a reconnect failed, retrying: ${describe(error)}`, { cause: error }));
      void this.retryActivation(consumer, session);
    }
  }

  private async retryActivation(consumer: Consumer, session: Session): Promise<void> {
    for (let delay = RESUBSCRIBE_FIRST_DELAY_MS; ; delay = Math.min(delay * 2, RESUBSCRIBE_MAX_DELAY_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      if (!session.alive || !this.consumers.has(consumer)) return;
      try {
        await consumer.activate(session);
        return;
      } catch {
        // Reported once already; keep trying while this connection lasts.
      }
    }
  }

  private onDisconnect(error: Error): void {
    const session = this.session;
    if (session !== undefined) session.alive = false;
    this.session = undefined;
    if (this.ready.settled) this.ready = deferred<Session>();
    if (this.state !== 'closed') this.settings.reportError(new Error(`AMQP transport: connection to ${this.url} lost (${error.message}); reconnecting`, { cause: error }));
  }

  private onGiveUp(error: Error): void {
    // A first connection that fails rejects createAmqpTransport() instead.
    if (!this.everConnected) return;
    const failure = new Error(`AMQP transport: gave up reconnecting to ${this.url}: ${error.message}`, { cause: error });
    if (this.ready.settled) this.ready = deferred<Session>();
    this.ready.reject(failure);
    if (this.state !== 'closed') this.settings.reportError(failure);
  }

  private currentSession(): Promise<Session> {
    if (this.state === 'closed') return Promise.reject(closedError('use the connection'));
    return this.ready.promise;
  }

  // -- helpers of the public methods

  private async activateOnCurrentSession(consumer: Consumer): Promise<void> {
    for (;;) {
      const session = await this.currentSession();
      try {
        await consumer.activate(session);
        return;
      } catch (error) {
        // A connection lost mid-way: the next connection's setup resubscribes it.
        if (session.alive || this.state !== 'open') throw error;
      }
    }
  }

  /**
   * Declares what `route` needs, then runs `action` on the publishing channel.
   * When the connection is lost before the message left the client, it waits
   * for the next connection and tries again; once sent, it never resends.
   */
  private async sendWith(route: PublishRoute, action: (publisher: Publisher) => Promise<void>): Promise<void> {
    for (;;) {
      const session = await this.currentSession();
      let publisher: Publisher;
      try {
        if (route.declareExchange !== undefined) await session.ensureExchange(route.declareExchange);
        if (route.declareQueue !== undefined) await session.ensureQueue(route.declareQueue);
        publisher = await session.publisher();
      } catch (error) {
        if (session.alive) throw error;
        continue;
      }
      try {
        await action(publisher);
        return;
      } catch (error) {
        if (error instanceof NotSentError && !session.alive) continue;
        throw error instanceof NotSentError ? error.reason : error;
      }
    }
  }

  private async send(route: PublishRoute, properties: Options.Publish, payload: Uint8Array): Promise<void> {
    await this.sendWith(route, (publisher) => publisher.publish(route.exchange, route.routingKey, payload, properties));
  }

  private replyFor(request: Message): InboundMessage['reply'] {
    const replyTo = propertyText(request, 'replyTo');
    if (replyTo === undefined) return undefined;
    const requestCorrelation = propertyText(request, 'correlationId');
    return async (answer) => {
      if (this.state === 'closed') throw closedError(`reply to '${replyTo}'`);
      assertPayload(answer);
      const correlationId = requestCorrelation ?? answer.correlationId;
      const properties = publishProperties({ ...answer, ...(correlationId === undefined ? {} : { correlationId }) }, undefined);
      await this.send({ exchange: '', routingKey: replyTo }, properties, answer.payload);
    };
  }

  private async unsubscribe(consumer: Consumer): Promise<void> {
    const stopped = consumer.stop(true);
    if (this.consumers.delete(consumer)) {
      const ending = consumer.end();
      this.ending.add(ending);
      void ending.catch(() => undefined).finally(() => this.ending.delete(ending));
    }
    // Not waiting for end(): a handler may unsubscribe its own subscription.
    await stopped;
  }
}

function assertPayload(message: Pick<OutboundMessage, 'payload'>): void {
  if (!(message.payload instanceof Uint8Array)) {
    throw new TypeError('AMQP transport: the payload must be a Uint8Array (encode it before publishing)');
  }
}
