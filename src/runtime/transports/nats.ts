/**
 * The NATS transport: generated App and Client objects over a NATS server,
 * through the nats.js client (`@nats-io/transport-node`, and
 * `@nats-io/jetstream` for the opt-in JetStream mode).
 *
 * - Connection: `createNatsTransport()` connects to the document's first
 *   `nats`/`tls` server; `{ url }`, `{ server }` or `ASYNCAPI_NATS_URL` pick
 *   another (see core/servers.ts). Every nats.js connection option can be
 *   passed too and wins over what is derived here; nats.js `servers` is used
 *   instead of the document only when neither `url` nor `server` is given.
 *   Reconnection is nats.js's own, with `maxReconnectAttempts: -1` (never
 *   give up) by default; nats.js sends the subscriptions again after a
 *   reconnect, and JetStream consumers resume.
 * - Credentials: user and password from the URL or `ASYNCAPI_NATS_USER` /
 *   `_PASSWORD`, a token from `ASYNCAPI_NATS_TOKEN`, a JWT `.creds` file from
 *   `ASYNCAPI_NATS_CREDS` (path), an nkey seed from `ASYNCAPI_NATS_NKEY`.
 *   TLS is on for `tls://` URLs or when `ASYNCAPI_NATS_CA`, `_CERT` or `_KEY`
 *   (file paths) is set. The server's security schemes are checked: one of
 *   them must be satisfied (`userPassword`/`plain`: user and password;
 *   `httpApiKey`/`apiKey`/`http`: token; `X509`: client certificate and key;
 *   `asymmetricEncryption`: creds file or nkey), else the factory throws and
 *   says what to set. Other scheme types need your own `authenticator`, and
 *   one of `user`, `token` or `authenticator` in the options skips the check.
 * - Subjects: a channel address is the subject. A `{parameter}` slot left as
 *   a wildcard turns its whole `.`-separated token into `*` (the engine
 *   filters out what a broader token lets through).
 * - Headers are NATS headers; `contentType` travels as the `content-type`
 *   header and the transport-level `correlationId` as `correlation-id`; both
 *   are taken out of `headers` again on receipt. `key` is ignored.
 * - Queue groups: `SubscribeOptions.queueGroup`, else the NATS operation
 *   binding `queue`.
 * - Request/reply: a private inbox per request. "No responders" (nobody
 *   subscribed to the subject) rejects at once with a `NoRespondersError`
 *   instead of waiting for the timeout; a timeout rejects with a
 *   `TimeoutError`; the signal aborts. A received message with a reply
 *   subject has `replyTo` and `reply()`. `replyTo` on a published message
 *   becomes its reply subject.
 * - Dispositions: ignored by core NATS (it has no acknowledgements).
 * - JetStream (`jetstream` option): publishing waits for the stream's ack;
 *   subscribing creates (or reuses) a pull consumer with explicit acks:
 *   `ack` acknowledges, `reject` (or a throwing handler) terminates the
 *   message, so it is never redelivered. Requests and replies always use core
 *   NATS (a stream does not keep reply subjects).
 * - Handlers run one at a time per subscription, in order, unless
 *   `maxInFlight` allows more.
 * - `unsubscribe()` stops delivery and drops messages not yet handled
 *   (JetStream gets them redelivered at once, except those still on the wire,
 *   which the server redelivers after the ack wait); it does not wait for a
 *   running handler, so a handler may unsubscribe itself. `close()` stops every
 *   subscription, rejects pending requests, lets handlers finish what they
 *   already received (they may still publish and reply), then drains the
 *   connection; later calls reject. (A handler must not await `close()`: it
 *   would wait for itself.)
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  createInbox,
  credsAuthenticator,
  headers as createHeaders,
  nanos,
  nkeyAuthenticator,
  type Authenticator,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type NodeConnectionOptions,
  type Subscription,
} from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
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
import { copyBytes, namesMediaType, payloadKind } from '../core/codec.js';
import { SETTLED_ACK, SETTLED_REJECT } from '../core/transport.js';
import {
  checkRequestTimeout,
  checkedMaxPending,
  closedErrorFor,
  describe,
  reportOverflow,
  selectionOf,
  timeoutError,
  trackRequest,
  type Environment,
} from '../core/transport-support.js';
import { servers } from '../servers.js';

const closedError = closedErrorFor('NATS');

/** Opt-in JetStream persistence for publish and subscribe. */
export interface NatsJetStreamOptions {
  /**
   * The stream holding the subjects. Publishing then expects this stream to
   * store the message. Default: the stream whose subjects cover the
   * subscription's subject, looked up when subscribing. Streams are not
   * created by the transport.
   */
  readonly stream?: string;
  /**
   * Base name of durable consumers: a subscription's consumer is
   * `<durable>_<operation>`, shared by every process using the same name (so
   * they split the messages). Without it, a queue group name serves as the
   * base; without either, each subscription gets an ephemeral consumer that
   * is deleted on unsubscribe. A durable subscribed with another subject
   * (other fixed parameters) is moved to it: updated on nats-server 2.10+,
   * recreated on older servers.
   */
  readonly durable?: string;
  /** Where a newly created consumer starts. Default `new`. */
  readonly deliverPolicy?: 'all' | 'new' | 'last';
  /** How long the server waits for an ack before redelivering. Default 30 000 ms. */
  readonly ackWaitMs?: number;
  /** Deliveries per message before the server gives up. Default: unlimited. */
  readonly maxDeliver?: number;
  /** Only these operations use JetStream; the others use core NATS. Default: all. */
  readonly operations?: ReadonlyArray<string>;
  /**
   * How long each pull request waits on the server. It also bounds how soon a
   * consumer recovers after a lost connection: the server's heartbeats come
   * every half of it, and a failed check after reconnecting is retried after
   * it. At least 1 000 ms; default 5 000 ms.
   */
  readonly pullExpiresMs?: number;
}

/** The options of this transport itself, next to the nats.js ones. */
export interface NatsTransportSettings {
  /** Use JetStream for publish and subscribe (see NatsJetStreamOptions). */
  readonly jetstream?: NatsJetStreamOptions;
  /** Handlers running at once per subscription. Default 1 (messages handled in order). */
  readonly maxInFlight?: number;
  /**
   * Core NATS messages that may wait for a handler, per subscription. Core
   * NATS cannot slow a publisher down, so beyond this a message is dropped and
   * reported (`onError` kind `overflow`). JetStream subscriptions pull only what
   * their handlers can take and never drop. Default 10 000.
   */
  readonly maxPending?: number;
}

export type NatsTransportOptions = ServerSelection & NodeConnectionOptions & NatsTransportSettings;

export interface NatsTransport extends Transport {
  readonly protocol: 'nats';
  /** The nats.js connection, for status(), rtt() and other escape hatches. */
  readonly connection: NatsConnection;
}

const PROTOCOL_ALIASES = ['nats', 'tls'];
const CONTENT_TYPE_HEADER = 'content-type';
const CORRELATION_ID_HEADER = 'correlation-id';
const NO_RESPONDERS_STATUS = 503;
/** An ephemeral JetStream consumer outlives a lost connection by this much. */
const EPHEMERAL_INACTIVE_MS = 5 * 60_000;
/** nats.js defaults to 30 s, so a consumer could sit idle for 30 s after a reconnect. */
const DEFAULT_PULL_EXPIRES_MS = 5_000;
/** Bounds the final drain, which would otherwise wait for a server that never comes back. */
const DRAIN_TIMEOUT_MS = 5_000;
/** Marks a wildcard slot while the subject is split into tokens; never part of a subject. */
const SLOT_MARK = '\u0000';

/**
 * Connects to NATS (the document's first `nats`/`tls` server unless `url` or
 * `server` says otherwise) and resolves with a transport once connected.
 * Rejects when the server is unreachable or refuses the credentials.
 */
export async function createNatsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const { url: _url, server: _server, jetstream: jetStreamOptions, maxInFlight = 1, maxPending, ...library } = options;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }
  const pendingLimit = checkedMaxPending(maxPending);
  const connectOptions = connectionOptions(selectionOf(options), library);
  let connection: NatsConnection;
  try {
    connection = await connect(connectOptions);
  } catch (error) {
    throw new Error(`cannot connect to NATS at ${String(connectOptions.servers ?? 'the default server')}: ${describe(error)}`, { cause: error });
  }
  return openTransport(connection, {
    maxInFlight,
    maxPending: pendingLimit,
    inboxPrefix: library.inboxPrefix,
    jetstream: jetStreamOptions,
  });
}

// ---------------------------------------------------------------------------
// Connection options: address, credentials, TLS

function connectionOptions(selection: ServerSelection, library: NodeConnectionOptions, env: Environment = process.env): NodeConnectionOptions {
  const defaults: NodeConnectionOptions = { maxReconnectAttempts: -1 };
  if (library.servers !== undefined && selection.url === undefined && selection.server === undefined) {
    return { ...defaults, ...library };
  }
  const resolved = resolveServer(servers, PROTOCOL_ALIASES, 'nats', selection, env);
  return {
    ...defaults,
    ...credentialOptions(resolved, library, env),
    ...tlsOptions(resolved, env),
    ...library,
    servers: hostPort(resolved.url),
  };
}

function hostPort(url: URL): string {
  return url.port === '' ? `${url.host}:4222` : url.host;
}

interface AvailableCredentials {
  readonly userPassword: boolean;
  readonly token: boolean;
  readonly clientCertificate: boolean;
  readonly keyPair: boolean;
}

function credentialOptions(resolved: ResolvedServer, library: NodeConnectionOptions, env: Environment): NodeConnectionOptions {
  if (library.user !== undefined || library.token !== undefined || library.authenticator !== undefined) return {};
  const credsFile = env['ASYNCAPI_NATS_CREDS'];
  const nkeySeed = env['ASYNCAPI_NATS_NKEY'];
  const available: AvailableCredentials = {
    userPassword: resolved.username !== undefined,
    token: resolved.token !== undefined,
    clientCertificate: env['ASYNCAPI_NATS_CERT'] !== undefined && env['ASYNCAPI_NATS_KEY'] !== undefined,
    keyPair: credsFile !== undefined || nkeySeed !== undefined,
  };
  requireSecurity(resolved.server?.name, resolved.server?.security ?? [], available);
  const authenticators: Authenticator[] = [];
  if (credsFile !== undefined) authenticators.push(credsAuthenticator(readFileSync(credsFile)));
  else if (nkeySeed !== undefined) authenticators.push(nkeyAuthenticator(new TextEncoder().encode(nkeySeed)));
  return {
    ...(resolved.username === undefined ? {} : { user: resolved.username }),
    ...(resolved.password === undefined ? {} : { pass: resolved.password }),
    ...(resolved.token === undefined ? {} : { token: resolved.token }),
    ...(authenticators.length === 0 ? {} : { authenticator: authenticators }),
  };
}

/** What each security scheme type needs, and how to provide it. */
const SCHEME_REQUIREMENTS: Readonly<Record<string, { readonly satisfied: (available: AvailableCredentials) => boolean; readonly how: string }>> = {
  userPassword: { satisfied: (a) => a.userPassword, how: 'user and password in the url, or ASYNCAPI_NATS_USER and ASYNCAPI_NATS_PASSWORD' },
  plain: { satisfied: (a) => a.userPassword, how: 'user and password in the url, or ASYNCAPI_NATS_USER and ASYNCAPI_NATS_PASSWORD' },
  httpApiKey: { satisfied: (a) => a.token, how: 'ASYNCAPI_NATS_TOKEN' },
  apiKey: { satisfied: (a) => a.token, how: 'ASYNCAPI_NATS_TOKEN' },
  http: { satisfied: (a) => a.token, how: 'ASYNCAPI_NATS_TOKEN' },
  X509: { satisfied: (a) => a.clientCertificate, how: 'ASYNCAPI_NATS_CERT and ASYNCAPI_NATS_KEY (file paths)' },
  asymmetricEncryption: { satisfied: (a) => a.keyPair, how: 'ASYNCAPI_NATS_CREDS (a .creds file) or ASYNCAPI_NATS_NKEY (an nkey seed)' },
};

/** The server's schemes are alternatives: one satisfied scheme is enough. */
function requireSecurity(serverName: string | undefined, schemes: ReadonlyArray<SecuritySchemeDefinition>, available: AvailableCredentials): void {
  if (schemes.length === 0) return;
  if (schemes.some((scheme) => SCHEME_REQUIREMENTS[scheme.type]?.satisfied(available) === true)) return;
  const ways = schemes.map((scheme) => {
    const requirement = SCHEME_REQUIREMENTS[scheme.type];
    return requirement === undefined
      ? `'${scheme.name}' (${scheme.type}): not mapped by the NATS transport; pass an \`authenticator\``
      : `'${scheme.name}' (${scheme.type}): set ${requirement.how}`;
  });
  throw new Error(`server '${serverName ?? '?'}' requires credentials, none found. Provide one of:\n  ${ways.join('\n  ')}`);
}

function tlsOptions(resolved: ResolvedServer, env: Environment): NodeConnectionOptions {
  const caFile = env['ASYNCAPI_NATS_CA'];
  const certFile = env['ASYNCAPI_NATS_CERT'];
  const keyFile = env['ASYNCAPI_NATS_KEY'];
  const wanted = resolved.url.protocol === 'tls:' || caFile !== undefined || certFile !== undefined || keyFile !== undefined;
  if (!wanted) return {};
  return {
    tls: {
      ...(caFile === undefined ? {} : { caFile }),
      ...(certFile === undefined ? {} : { certFile }),
      ...(keyFile === undefined ? {} : { keyFile }),
    },
  };
}

// ---------------------------------------------------------------------------
// The transport

interface TransportSettings {
  readonly maxInFlight: number;
  readonly maxPending: number;
  readonly inboxPrefix: string | undefined;
  readonly jetstream: NatsJetStreamOptions | undefined;
}

/** A subscription of this transport, as close() and unsubscribe() see it. */
interface ActiveSubscription {
  readonly deliveries: DeliveryQueue;
  /** Stops the broker delivering to it, without waiting for running handlers; idempotent. */
  stop(): Promise<void>;
  /** Releases what it holds on the broker; called once its handlers are done. */
  release(): Promise<void>;
}

function openTransport(nc: NatsConnection, settings: TransportSettings): NatsTransport {
  let state: 'open' | 'closing' | 'closed' = 'open';
  let closing: Promise<void> | undefined;
  const active = new Set<ActiveSubscription>();
  const retiring = new WeakMap<ActiveSubscription, Promise<void>>();
  const pendingRequests = new Set<(error: Error) => void>();
  const jetStream = settings.jetstream === undefined ? undefined : new JetStreamSupport(nc, settings.jetstream);

  /** Throws when the transport cannot `verb` `target` now; the message is only made then (publish calls this per message). */
  function ensureUsable(verb: string, target: string, allowWhileClosing: boolean): void {
    const usable = state === 'open' || (allowWhileClosing && state === 'closing');
    if (!usable) throw closedError(`${verb} "${target}"`);
    if (nc.isClosed()) throw new Error(`the NATS connection is closed (lost and not re-established); cannot ${verb} "${target}"`);
  }

  /** Once a stopped subscription's handlers are done: release it and forget it. */
  function retire(subscription: ActiveSubscription): Promise<void> {
    let retired = retiring.get(subscription);
    if (retired === undefined) {
      retired = subscription.deliveries.whenIdle().then(async () => {
        await subscription.release();
        active.delete(subscription);
      });
      retiring.set(subscription, retired);
    }
    return retired;
  }

  /** Not async: a core publish is done when nats.js has queued it, and runs for every message sent. */
  function publish(message: OutboundMessage, options: PublishOptions = {}): Promise<void> {
    try {
      ensureUsable('publish to', message.address, true);
      const subject = publishSubject(message.address);
      const payload = payloadOf(message);
      if (jetStream !== undefined && jetStream.covers(options.operation)) {
        if (message.replyTo !== undefined) {
          throw new Error(`cannot publish to "${subject}" with a reply subject through JetStream (a stream does not keep it); use request()`);
        }
        return jetStream.publish(subject, payload, toNatsHeaders(message));
      }
      const headers = coreHeaders(message);
      nc.publish(subject, payload, message.replyTo === undefined ? { headers } : { headers, reply: message.replyTo });
      return PUBLISHED;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  const reader = new CoreMessageReader();

  function inboundOf(msg: Msg, exactSubject?: ExactSubject): InboundMessage {
    const inbound = reader.read(msg, exactSubject);
    const replySubject = inbound.replyTo;
    if (replySubject !== undefined) {
      inbound.reply = (answer: Omit<OutboundMessage, 'address'>) => publish({ ...answer, address: replySubject });
    }
    return inbound;
  }

  async function subscribe(
    pattern: AddressPattern,
    handler: InboundHandler,
    options: SubscribeOptions = {},
  ): Promise<TransportSubscription> {
    ensureUsable('subscribe to', pattern.template, false);
    const subject = subscriptionSubject(pattern);
    const queueGroup = options.queueGroup ?? queueBinding(options.bindings);
    const deliveries = new DeliveryQueue(settings.maxInFlight, handler);
    const subscription = jetStream !== undefined && jetStream.covers(options.operation)
      ? await jetStream.subscribe(subject, queueGroup, options.operation, deliveries)
      : await coreSubscribe(subject, queueGroup, deliveries, options.onDropped);
    if (state !== 'open') {
      await subscription.stop();
      await subscription.release();
      throw closedError(`subscribe to "${pattern.template}"`);
    }
    active.add(subscription);
    let unsubscribed: Promise<void> | undefined;
    return {
      unsubscribe: () => {
        // Synchronously: a handler that unsubscribes and returns settled must not see the next message.
        subscription.deliveries.stopStarting();
        unsubscribed ??= (async () => {
          await subscription.stop();
          subscription.deliveries.dropWaiting();
          // Not awaited, so a handler may unsubscribe its own subscription; close() still waits for it.
          void retire(subscription);
        })();
        return unsubscribed;
      },
    };
  }

  async function coreSubscribe(
    subject: string,
    queueGroup: string | undefined,
    deliveries: DeliveryQueue,
    onDropped: SubscribeOptions['onDropped'],
  ): Promise<ActiveSubscription> {
    const exactSubject = exactSubjectOf(subject);
    const sub: Subscription = nc.subscribe(subject, {
      ...(queueGroup === undefined ? {} : { queue: queueGroup }),
      callback: (error, msg) => {
        if (error !== null) {
          console.error(`NATS subscription to "${subject}" failed: ${describe(error)}`);
          return;
        }
        const inbound = inboundOf(msg, exactSubject);
        if (deliveries.waitingCount >= settings.maxPending) {
          reportOverflow('NATS', inbound, settings.maxPending, onDropped);
          return;
        }
        deliveries.push({ inbound, settle: NOTHING_TO_SETTLE, drop: NOTHING_TO_DROP });
      },
    });
    // The server has processed the SUB once it answers the flush's PING.
    try {
      await nc.flush();
    } catch (error) {
      if (!sub.isClosed()) sub.unsubscribe();
      throw new Error(`cannot subscribe to "${subject}": ${describe(error)}`, { cause: error });
    }
    if (sub.isClosed()) {
      const reason = await sub.closed;
      throw new Error(`cannot subscribe to "${subject}": ${reason instanceof Error ? reason.message : 'the subscription was closed'}`);
    }
    return {
      deliveries,
      stop: async () => {
        if (!sub.isClosed()) sub.unsubscribe();
      },
      release: async () => undefined,
    };
  }

  async function request(message: OutboundMessage, options: RequestOptions): Promise<InboundMessage> {
    const { timeoutMs, signal } = options;
    ensureUsable('send a request to', message.address, false);
    checkRequestTimeout(timeoutMs);
    signal?.throwIfAborted();
    const subject = publishSubject(message.address);
    const payload = payloadOf(message);
    const inbox = createInbox(settings.inboxPrefix);

    return new Promise<InboundMessage>((resolve, reject) => {
      const inboxSubscription = nc.subscribe(inbox, {
        max: 1,
        callback: (error, msg) => {
          if (error !== null) pending.finish(() => reject(error));
          else if (isNoResponders(msg)) pending.finish(() => reject(noRespondersError(subject)));
          else pending.finish(() => resolve(inboundOf(msg)));
        },
      });
      const pending = trackRequest(options, reject, () => timeoutError(subject, timeoutMs), () => {
        pendingRequests.delete(cancel);
        if (!inboxSubscription.isClosed()) inboxSubscription.unsubscribe();
      });
      const cancel = (error: Error): void => pending.finish(() => reject(error));
      pendingRequests.add(cancel);
      try {
        nc.publish(subject, payload, { reply: inbox, headers: toNatsHeaders(message) });
      } catch (error) {
        pending.finish(() => reject(error));
      }
    });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      state = 'closing';
      const subscriptions = [...active];
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
      for (const cancel of [...pendingRequests]) cancel(closedError('wait for a reply'));
      await Promise.all(subscriptions.map(retire));
      state = 'closed';
      await disconnect(nc);
    })();
    return closing;
  }

  return { protocol: 'nats', connection: nc, publish, subscribe, request, close };
}

async function disconnect(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
  });
  // drain() flushes what handlers published while the transport was closing.
  await Promise.race([nc.drain().catch(() => undefined), timedOut]);
  clearTimeout(timer);
  if (!nc.isClosed()) await nc.close();
}

// ---------------------------------------------------------------------------
// JetStream

class JetStreamSupport {
  private readonly client: JetStreamClient;
  private manager: Promise<JetStreamManager> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsJetStreamOptions,
  ) {
    this.client = jetstream(nc);
  }

  covers(operation: string | undefined): boolean {
    const only = this.options.operations;
    return only === undefined || (operation !== undefined && only.includes(operation));
  }

  async publish(subject: string, payload: Uint8Array, headers: MsgHdrs): Promise<void> {
    const stream = this.options.stream;
    try {
      await this.client.publish(subject, payload, { headers, ...(stream === undefined ? {} : { expect: { streamName: stream } }) });
    } catch (error) {
      throw new Error(`JetStream did not store the message on "${subject}"${stream === undefined ? '' : ` in stream '${stream}'`}: ${describe(error)}`, { cause: error });
    }
  }

  async subscribe(
    subject: string,
    queueGroup: string | undefined,
    operation: string | undefined,
    deliveries: DeliveryQueue,
  ): Promise<ActiveSubscription> {
    const manager = await this.managerOnce();
    const stream = this.options.stream ?? (await findStream(manager, subject));
    const base = this.options.durable ?? queueGroup;
    const durable = base === undefined ? undefined : consumerName(`${base}_${operation ?? subject}`);
    const info = await ensureConsumer(manager, stream, durable, this.consumerConfig(subject, durable), updatesFilters(this.nc));
    const consumer = await this.client.consumers.get(stream, info.name);
    const messages = await consumer.consume({
      max_messages: Math.max(10, deliveries.limit),
      expires: this.options.pullExpiresMs ?? DEFAULT_PULL_EXPIRES_MS,
    });
    let stopped = false;
    const pumping = pumpJetStream(messages, deliveries, () => stopped);
    return {
      deliveries,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        // Not awaited: the close takes effect when the pump next reads the iterator,
        // which may be after a running handler (perhaps the caller) finishes.
        void messages.close().catch(() => undefined);
      },
      release: async () => {
        await pumping;
        if (durable !== undefined || this.nc.isClosed()) return;
        await manager.consumers.delete(stream, info.name).catch(() => false);
      },
    };
  }

  private consumerConfig(subject: string, durable: string | undefined): Partial<ConsumerConfig> {
    const { deliverPolicy = 'new', ackWaitMs, maxDeliver } = this.options;
    return {
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DELIVER_POLICIES[deliverPolicy],
      filter_subject: subject,
      ...(durable === undefined ? { inactive_threshold: nanos(EPHEMERAL_INACTIVE_MS) } : { durable_name: durable }),
      ...(ackWaitMs === undefined ? {} : { ack_wait: nanos(ackWaitMs) }),
      ...(maxDeliver === undefined ? {} : { max_deliver: maxDeliver }),
    };
  }

  private managerOnce(): Promise<JetStreamManager> {
    this.manager ??= jetstreamManager(this.nc).catch((error: unknown) => {
      this.manager = undefined;
      throw new Error(`JetStream is not available on this NATS server: ${describe(error)}`, { cause: error });
    });
    return this.manager;
  }
}

const DELIVER_POLICIES = { all: DeliverPolicy.All, new: DeliverPolicy.New, last: DeliverPolicy.Last } as const;

async function findStream(manager: JetStreamManager, subject: string): Promise<string> {
  try {
    return await manager.streams.find(subject);
  } catch (error) {
    throw new Error(`no JetStream stream stores "${subject}": create one, or name it with the jetstream.stream option (${describe(error)})`, { cause: error });
  }
}

/** Consumer names may not contain `.`, `*`, `>`, whitespace or path separators. */
function consumerName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Whether the server applies a changed consumer filter to waiting pulls:
 * nats-server before 2.10 accepts the change but does not deliver new
 * messages on the new subject to pulls already waiting.
 */
function updatesFilters(nc: NatsConnection): boolean {
  const [major = 0, minor = 0] = (nc.info?.version ?? '0.0').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

/**
 * Reuses a durable consumer, else creates the consumer. A durable whose
 * subject or settings changed is updated; on servers that cannot update its
 * subject it is recreated, starting anew by the deliver policy.
 */
async function ensureConsumer(
  manager: JetStreamManager,
  stream: string,
  durable: string | undefined,
  config: Partial<ConsumerConfig>,
  canUpdateFilter: boolean,
): Promise<ConsumerInfo> {
  if (durable !== undefined) {
    const existing = await manager.consumers.info(stream, durable).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw error;
    });
    if (existing !== undefined) {
      const current = existing.config;
      const unchanged = current.filter_subject === config.filter_subject
        && (config.ack_wait === undefined || current.ack_wait === config.ack_wait)
        && (config.max_deliver === undefined || current.max_deliver === config.max_deliver);
      if (unchanged) return existing;
      if (current.filter_subject !== config.filter_subject && !canUpdateFilter) {
        await manager.consumers.delete(stream, durable);
        return manager.consumers.add(stream, config);
      }
      const { filter_subject, ack_wait, max_deliver } = config;
      return manager.consumers.update(stream, durable, {
        ...(filter_subject === undefined ? {} : { filter_subject }),
        ...(ack_wait === undefined ? {} : { ack_wait }),
        ...(max_deliver === undefined ? {} : { max_deliver }),
      });
    }
  }
  return manager.consumers.add(stream, config);
}

/** Feeds a consumer's messages to the handlers, never more than they can take. */
async function pumpJetStream(messages: ConsumerMessages, deliveries: DeliveryQueue, stopped: () => boolean): Promise<void> {
  try {
    for await (const msg of messages) {
      if (!stopped()) await deliveries.whenBelowLimit();
      if (stopped()) {
        msg.nak();
        continue;
      }
      deliveries.push({
        inbound: jetStreamInbound(msg),
        settle: (disposition) => (disposition === 'ack' ? msg.ack() : msg.term()),
        drop: () => msg.nak(),
      });
    }
  } catch (error) {
    if (!stopped()) console.error(`JetStream consumer stopped: ${describe(error)}`);
  }
}

/** A stored message: its reply subject is the ack subject, so it offers no reply(). */
function jetStreamInbound(msg: JsMsg): InboundMessage {
  return messageFields(msg.subject, msg.data, msg.headers, msg);
}

// ---------------------------------------------------------------------------
// Deliveries: per-subscription ordering and concurrency

interface Delivery {
  readonly inbound: InboundMessage;
  /** Acts on the handler's verdict (a throwing handler counts as `reject`). */
  readonly settle: (disposition: Disposition) => void;
  /** Gives back a message that will not be handled. */
  readonly drop: () => void;
}

/** Core NATS has nothing to acknowledge or give back. */
const NOTHING_TO_SETTLE = (): void => undefined;
const NOTHING_TO_DROP = (): void => undefined;

class DeliveryQueue {
  private readonly waiting: Delivery[] = [];
  private running = 0;
  /** Set on unsubscribe: nothing more is handed to the handler; what arrives is dropped. */
  private stopped = false;
  private readonly watchers = new Set<{ readonly ready: () => boolean; readonly resolve: () => void }>();

  constructor(
    readonly limit: number,
    private readonly handler: InboundHandler,
  ) {}

  get waitingCount(): number {
    return this.waiting.length;
  }

  push(delivery: Delivery): void {
    if (this.stopped) {
      delivery.drop();
      return;
    }
    if (this.waiting.length === 0 && this.running < this.limit) {
      // Nothing ahead of it: started directly, without passing through the waiting line.
      this.running += 1;
      this.run(delivery);
      return;
    }
    this.waiting.push(delivery);
    this.pump();
  }

  /** From now on no delivery starts; those waiting stay until dropWaiting(). */
  stopStarting(): void {
    this.stopped = true;
  }

  /** Drops the messages not yet handed to the handler. */
  dropWaiting(): void {
    for (const delivery of this.waiting.splice(0)) delivery.drop();
    this.notify();
  }

  whenIdle(): Promise<void> {
    return this.until(() => this.running === 0 && this.waiting.length === 0);
  }

  whenBelowLimit(): Promise<void> {
    return this.until(() => this.running + this.waiting.length < this.limit);
  }

  private until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.watchers.add({ ready, resolve }));
  }

  private pump(): void {
    while (this.running < this.limit && !this.stopped) {
      const next = this.waiting.shift();
      if (next === undefined) break;
      this.running += 1;
      this.run(next);
    }
  }

  /**
   * Not async: one `then` per message instead of an async function's promise and its await, and
   * none for a delivery the operations settled synchronously (SETTLED_ACK, SETTLED_REJECT): that
   * one is settled here and now, and pump() goes on with the next.
   */
  private run(delivery: Delivery): void {
    let handled: Promise<Disposition>;
    try {
      handled = this.handler(delivery.inbound);
      // A handler typed loosely elsewhere may hand back a plain disposition.
      if (!(handled instanceof Promise)) handled = Promise.resolve(handled);
    } catch {
      this.settle(delivery, 'reject');
      return;
    }
    if (handled === SETTLED_ACK || handled === SETTLED_REJECT) {
      this.settle(delivery, handled === SETTLED_ACK ? 'ack' : 'reject');
      return;
    }
    handled.then(
      (disposition) => this.finish(delivery, disposition),
      () => this.finish(delivery, 'reject'),
    );
  }

  /** Settles a delivery whose handler finished later, then starts what waits. */
  private finish(delivery: Delivery, disposition: Disposition): void {
    this.settle(delivery, disposition);
    this.pump();
  }

  private settle(delivery: Delivery, disposition: Disposition): void {
    try {
      delivery.settle(disposition);
    } catch (error) {
      console.error(`NATS: cannot ${disposition} a message on "${delivery.inbound.address}": ${describe(error)}`);
    }
    this.running -= 1;
    this.notify();
  }

  private notify(): void {
    if (this.watchers.size === 0) return;
    for (const watcher of [...this.watchers]) {
      if (!watcher.ready()) continue;
      this.watchers.delete(watcher);
      watcher.resolve();
    }
  }
}

// ---------------------------------------------------------------------------
// Subjects, headers and messages

/**
 * The subject to subscribe to: fixed values in place, and every token that
 * holds a wildcard slot (wholly or partly) replaced by `*`.
 */
export function subscriptionSubject(pattern: AddressPattern): string {
  const marked = pattern.parts
    .map((part) => (part.kind === 'literal' ? part.text : (part.value ?? SLOT_MARK)))
    .join('');
  return marked
    .split('.')
    .map((token) => (token.includes(SLOT_MARK) ? '*' : token))
    .join('.');
}

function publishSubject(address: string): string {
  // Most publishes repeat the last subject: comparing is cheaper than hashing a freshly built string.
  if (address === lastPublishable) return address;
  if (publishableSubjects.has(address)) {
    lastPublishable = address;
    return address;
  }
  const tokens = address.split('.');
  if (address === '' || /\s/.test(address) || tokens.some((token) => token === '' || token === '*' || token === '>')) {
    throw new Error(`"${address}" is not a NATS subject to publish to (empty tokens, whitespace and wildcards are not allowed)`);
  }
  if (publishableSubjects.size >= 4096) publishableSubjects.clear();
  publishableSubjects.add(address);
  lastPublishable = address;
  return address;
}

/** Subjects already checked: a service publishes to few subjects, many times. */
const publishableSubjects = new Set<string>();
let lastPublishable: string | undefined;

function queueBinding(bindings: MessageBindings | undefined): string | undefined {
  const queue = bindings?.operation?.['nats']?.['queue'];
  return typeof queue === 'string' && queue !== '' ? queue : undefined;
}

function payloadOf(message: OutboundMessage): Uint8Array {
  if (!(message.payload instanceof Uint8Array)) {
    throw new TypeError(`Payload for "${message.address}" must be a Uint8Array (encode it before publishing)`);
  }
  return message.payload;
}

/**
 * The headers of a core publish. A message that carries only its content type
 * (the usual case) shares one header set per content type: nats.js only reads
 * them, and building them costs as much as a tenth of a publish.
 */
function coreHeaders(message: Omit<OutboundMessage, 'address' | 'payload'>): MsgHdrs {
  const contentType = message.contentType;
  if (contentType === undefined || message.correlationId !== undefined || hasEntries(message.headers)) return toNatsHeaders(message);
  let shared = contentTypeHeaders.get(contentType);
  if (shared === undefined) {
    shared = withEncodingKept(toNatsHeaders(message));
    if (contentTypeHeaders.size >= 64) contentTypeHeaders.clear();
    contentTypeHeaders.set(contentType, shared);
  }
  return shared;
}

/**
 * nats.js encodes a message's headers for every publish (a string built and UTF-8 encoded, about
 * 0.3 µs); shared headers never change, so their bytes are made once. nats.js only reads them.
 */
function withEncodingKept(headers: MsgHdrs): MsgHdrs {
  const encode: unknown = Reflect.get(headers, 'encode');
  if (typeof encode !== 'function') return headers;
  const bytes: unknown = Reflect.apply(encode, headers, []);
  if (bytes instanceof Uint8Array) Object.defineProperty(headers, 'encode', { value: () => bytes });
  return headers;
}

const PUBLISHED: Promise<void> = Promise.resolve();

const contentTypeHeaders = new Map<string, MsgHdrs>();

function hasEntries(record: object): boolean {
  for (const _name in record) return true;
  return false;
}

function toNatsHeaders(message: Omit<OutboundMessage, 'address' | 'payload'>): MsgHdrs {
  const natsHeaders = createHeaders();
  for (const [name, value] of Object.entries(message.headers)) natsHeaders.set(name, value);
  if (message.contentType !== undefined) natsHeaders.set(CONTENT_TYPE_HEADER, message.contentType);
  if (message.correlationId !== undefined) natsHeaders.set(CORRELATION_ID_HEADER, message.correlationId);
  return natsHeaders;
}

/** An inbound message of a delivery, built field by field: this runs for every message received. */
function messageFields(subject: string, data: Uint8Array, natsHeaders: MsgHdrs | undefined, raw: Msg | JsMsg): Mutable<InboundMessage> {
  return inboundWith(subject, data, natsHeaders === undefined ? NO_HEADER_FIELDS : headerFields(natsHeaders), raw);
}

/**
 * A message that says it is JSON or text gets nats.js' own view of its bytes as payload, not a copy:
 * nats.js never reuses them (each socket read and each message split over reads has its own
 * buffer), decoding makes a string or value of them that holds none of them, and `raw`, the message
 * object, keeps them alive as long as the InboundMessage anyway. Other payloads are copied: a
 * binary payload is handed to the handler as it is, and a handler keeping only that must not keep
 * the whole 64 KiB socket read alive with it.
 */
function inboundWith(subject: string, data: Uint8Array, fields: HeaderFields, raw: Msg | JsMsg): Mutable<InboundMessage> {
  const contentType = fields.contentType;
  const payload = namesMediaType(contentType) && payloadKind(contentType) !== 'binary' ? plainView(data) : copyBytes(data);
  // A copy of the other headers for every message: a handler may change its own.
  const inbound: Mutable<InboundMessage> = { address: subject, payload, headers: fields.others === undefined ? {} : { ...fields.others }, raw };
  if (fields.contentType !== undefined) inbound.contentType = fields.contentType;
  if (fields.correlationId !== undefined) inbound.correlationId = fields.correlationId;
  return inbound;
}

/** What a message's NATS headers carry, split the way InboundMessage holds it. */
interface HeaderFields {
  readonly contentType?: string;
  readonly correlationId?: string;
  /** The other headers; undefined when there are none. */
  readonly others?: Readonly<Record<string, string>>;
}

const NO_HEADER_FIELDS: HeaderFields = {};

function headerFields(natsHeaders: MsgHdrs): HeaderFields {
  let contentType: string | undefined;
  let correlationId: string | undefined;
  const entries: Array<[string, string]> = [];
  for (const [name, values] of natsHeaders) {
    const value = values.join(', ');
    const lower = name.toLowerCase();
    if (lower === CONTENT_TYPE_HEADER) contentType = value;
    else if (lower === CORRELATION_ID_HEADER) correlationId = value;
    else entries.push([name, value]);
  }
  return {
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    // fromEntries, not assignment: a header named `__proto__` stays an ordinary header.
    ...(entries.length === 0 ? {} : { others: Object.fromEntries(entries) }),
  };
}

/**
 * Turns core NATS messages into InboundMessages. nats.js decodes a message's subject, reply subject
 * and header block anew on each access (TextDecoder calls and a header map: together about 1 µs);
 * consecutive messages of a subscription nearly always repeat the subject and header block of the
 * one before, so the reader compares their bytes with the last ones and decodes only what differs.
 * The bytes come from nats.js' parsed message (`_msg`, `_rdata`) when that has the expected shape;
 * otherwise, and for a header block carrying a correlation id (different every time), the public
 * getters decode as usual.
 */
class CoreMessageReader {
  #subjectBytes: Uint8Array = EMPTY_BYTES;
  #subject = '';
  #headerBytes: Uint8Array = EMPTY_BYTES;
  #headerFields: HeaderFields = NO_HEADER_FIELDS;

  /** `exactSubject`: the subscription's subject when it has no wildcard, which most messages arrive on. */
  read(msg: Msg, exactSubject?: ExactSubject): Mutable<InboundMessage> {
    const internals = msg as unknown as MsgInternals;
    const parsed = internals._msg;
    const bytes = internals._rdata;
    if (typeof parsed !== 'object' || parsed === null || !(bytes instanceof Uint8Array)) return withReplyTo(messageFields(msg.subject, msg.data, msg.headers, msg), msg);
    const subjectBytes = parsed.subject;
    const headerLength = parsed.hdr;
    const replyBytes = parsed.reply;
    const usable =
      subjectBytes instanceof Uint8Array &&
      typeof headerLength === 'number' &&
      headerLength <= bytes.byteLength &&
      // A header block starts with its version line: that is how `_rdata` is known to hold it before the payload.
      (headerLength <= 0 || startsWithNatsVersion(bytes, headerLength));
    if (!usable) return withReplyTo(messageFields(msg.subject, msg.data, msg.headers, msg), msg);
    // Compared, not assumed: a JetStream push consumer may deliver to a plain subject messages stored under another.
    const subject = exactSubject !== undefined && startsWithBytes(subjectBytes, subjectBytes.length, exactSubject.bytes) ? exactSubject.subject : this.#subjectOf(subjectBytes, msg);
    const inbound = headerLength <= 0
      ? inboundWith(subject, bytes, NO_HEADER_FIELDS, msg)
      : inboundWith(subject, new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, bytes.byteLength - headerLength), this.#headerFieldsOf(bytes, headerLength, msg), msg);
    // Decoded only when there is one: most messages have none, and nats.js decodes the absent one to ''.
    return replyBytes === undefined ? inbound : withReplyTo(inbound, msg);
  }

  #subjectOf(subjectBytes: Uint8Array, msg: Msg): string {
    if (startsWithBytes(subjectBytes, subjectBytes.length, this.#subjectBytes)) return this.#subject;
    const subject = msg.subject;
    // A copy (new Uint8Array, not slice: Buffer's slice is a view and would keep the socket chunk alive).
    this.#subjectBytes = new Uint8Array(subjectBytes);
    this.#subject = subject;
    return subject;
  }

  #headerFieldsOf(bytes: Uint8Array, headerLength: number, msg: Msg): HeaderFields {
    if (startsWithBytes(bytes, headerLength, this.#headerBytes)) return this.#headerFields;
    const natsHeaders = msg.headers;
    const fields = natsHeaders === undefined ? NO_HEADER_FIELDS : headerFields(natsHeaders);
    if (fields.correlationId === undefined && headerLength <= MAX_REMEMBERED_HEADER_BYTES) {
      this.#headerBytes = new Uint8Array(bytes.subarray(0, headerLength));
      this.#headerFields = fields;
    }
    return fields;
  }
}

/** The bytes as a plain Uint8Array (nats.js hands out Buffers, whose slice() is a view, not a copy). */
function plainView(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A subscription subject without wildcards and its UTF-8 bytes: most messages arrive on it. */
interface ExactSubject {
  readonly subject: string;
  readonly bytes: Uint8Array;
}

function exactSubjectOf(subject: string): ExactSubject | undefined {
  if (subject.includes('*') || subject.includes('>')) return undefined;
  return { subject, bytes: new TextEncoder().encode(subject) };
}

function withReplyTo(inbound: Mutable<InboundMessage>, msg: Msg): Mutable<InboundMessage> {
  const replySubject = msg.reply;
  if (replySubject !== undefined && replySubject !== '') inbound.replyTo = replySubject;
  return inbound;
}

/** What the reader expects of nats.js' message object; every field is checked before use. */
interface MsgInternals {
  readonly _msg?: { readonly subject?: unknown; readonly hdr?: unknown; readonly reply?: unknown } | null;
  readonly _rdata?: unknown;
}

const EMPTY_BYTES = new Uint8Array(0);
const MAX_REMEMBERED_HEADER_BYTES = 4096;

/** Whether a header block of `length` bytes at the start of `bytes` begins with `NATS/`. */
function startsWithNatsVersion(bytes: Uint8Array, length: number): boolean {
  return length >= 5 && bytes.length >= 5 && bytes[0] === 0x4e && bytes[1] === 0x41 && bytes[2] === 0x54 && bytes[3] === 0x53 && bytes[4] === 0x2f;
}

/** Whether the first `length` bytes of `bytes` are `expected` (compared in place: no view made per message). */
function startsWithBytes(bytes: Uint8Array, length: number, expected: Uint8Array): boolean {
  // `length` passed in: `byteLength` in the loop condition makes this loop ten times slower.
  if (length !== expected.length || length === 0) return false;
  for (let index = 0; index < length; index += 1) {
    if (bytes[index] !== expected[index]) return false;
  }
  return true;
}

type Mutable<T> = { -readonly [Key in keyof T]: T[Key] };

function isNoResponders(msg: Msg): boolean {
  return msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS_STATUS;
}

// ---------------------------------------------------------------------------
// Errors

function noRespondersError(subject: string): Error {
  const error = new Error(`No responders: nobody is subscribed to "${subject}" to answer the request`);
  error.name = 'NoRespondersError';
  return error;
}
