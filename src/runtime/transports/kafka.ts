/**
 * Kafka transport for the generated App and Client, on kafkajs 2.x.
 *
 * Connection: with no options it connects to the document's first `kafka` or
 * `kafka-secure` server (see core/servers.ts for `url`, `server` and the
 * environment variables); kafkajs options (`brokers`, `clientId`, `ssl`,
 * `sasl`, `retry`, `logLevel`, ...) are passed through and win over what is
 * derived from the document. One producer and one admin client per transport,
 * connected by the factory and closed by `close()`.
 *
 * Security of the chosen server: `userPassword`/`plain` -> SASL PLAIN,
 * `scramSha256`/`scramSha512` -> SASL SCRAM, `oauth2`/`openIdConnect` -> SASL
 * OAUTHBEARER with the token from `ASYNCAPI_KAFKA_TOKEN`, `X509` -> TLS with
 * the client certificate; `kafka-secure` servers use TLS. Credentials come from
 * the URL or `ASYNCAPI_KAFKA_USER`/`_PASSWORD`; TLS files from the paths in
 * `ASYNCAPI_KAFKA_CA`, `_CERT`, `_KEY`. `gssapi` is refused (kafkajs has no
 * Kerberos): pass `sasl` yourself. Credentials without a scheme use SASL PLAIN.
 *
 * Messages: the payload bytes are the Kafka value, `key` the Kafka key,
 * headers Kafka headers (UTF-8), `contentType` the `content-type` header;
 * `correlationId` and `replyTo` travel as headers of those names. On receipt
 * `content-type` moves to `contentType`, `correlationId` and `replyTo` are
 * copied to their fields, and `raw` is kafkajs's `{ topic, partition, message }`.
 *
 * Subscriptions: every free `{parameter}` slot is a wildcard. Kafka consumers
 * subscribe to topic names, and a kafkajs RegExp subscription only sees the
 * topics that exist when it starts, so the transport matches the pattern
 * itself: it lists the topics when subscribing and again every
 * `topicRefreshIntervalMs`, and consumes a topic that appears later from its
 * beginning (every message on it is newer than the subscription). A topic
 * without free slots is created if missing (where the broker auto-creates
 * topics). `subscribe()` resolves once the consumer has joined its group and
 * will read from the offsets current at the call, so a message published after
 * it resolves is delivered; with no matching topic yet it resolves at once.
 * Consumer group: the `queueGroup` option, else the operation binding's
 * `groupId` (load-balanced, committed offsets; a new topic restarts the
 * member), else a new group per subscription (every subscriber gets every
 * message; such groups stay on the broker until their offsets expire). The
 * binding's `clientId` names the subscription's consumer. Handlers run one at
 * a time per subscription, in partition order.
 *
 * Dispositions: Kafka cannot reject a single message; `reject` moves past it
 * (it is not redelivered) and, with `deadLetterTopic`, copies it there.
 *
 * Request/reply: `request()` sends `replyTo: _asyncapi.replies.<clientId>` and
 * a `correlationId` header and waits on that topic (read through a group of
 * its own, so transports sharing a clientId still work). The timeout counts
 * from the send; the first request also waits for the reply consumer to join.
 * A received message with a `replyTo` header gets `reply()`, which answers on
 * that topic with the request's correlation id.
 *
 * Addresses must be Kafka topic names (`[a-zA-Z0-9._-]`, at most 249): a
 * parameter value with other characters is percent-encoded and `%` is not
 * allowed, so publishing or subscribing to it is refused with an error.
 *
 * Reconnection is kafkajs's (retries, consumer restarts); a consumer that
 * crashes for good is replaced. `close()` stops consuming, rejects pending
 * requests, waits for running handlers (they may still publish), then
 * disconnects; later calls reject.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type {
  Admin,
  Consumer,
  ConsumerConfig,
  EachMessagePayload,
  IHeaders,
  IMemberAssignment,
  KafkaConfig,
  KafkaMessage,
  Message,
  Producer,
  ProducerConfig,
  SASLOptions,
} from 'kafkajs';
import { addressPatternRegExp } from '../core/address.js';
import { resolveServer, type ResolvedServer, type ServerSelection } from '../core/servers.js';
import type {
  AddressPattern,
  BindingsByProtocol,
  Disposition,
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
import { checkRequestTimeout, closedErrorFor, describe, timeoutError, watchRequest, type Environment } from '../core/transport-support.js';
import { servers } from '../servers.js';

const closedError = closedErrorFor('Kafka');

/** Settings of this transport, beside the connection ones. */
export interface KafkaTransportSettings {
  /** kafkajs producer options (the transport's single producer). */
  readonly producer?: ProducerConfig;
  /**
   * kafkajs consumer options for every subscription; the group id is chosen per
   * subscription. `maxWaitTimeInMs` defaults to 1000 here, which bounds how long
   * stopping a consumer waits for its fetch.
   */
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** Read topics that exist at subscribe time from their beginning instead of from now. Default false. */
  readonly fromBeginning?: boolean;
  /** How often wildcard subscriptions look for new matching topics. Default 1000 ms. */
  readonly topicRefreshIntervalMs?: number;
  /** How long `subscribe()` waits for its consumer to join the group (one that crashes while joining is replaced meanwhile). Default 60000 ms. */
  readonly joinTimeoutMs?: number;
  /** Where rejected messages are copied (with `asyncapi-rejected-*` headers); by default they are skipped. */
  readonly deadLetterTopic?: string;
  /** Receives errors no caller can be given (topic discovery, consumer crashes). Default `console.error`. */
  readonly onError?: (error: Error) => void;
}

export type KafkaTransportOptions = ServerSelection & Partial<KafkaConfig> & KafkaTransportSettings;

export interface KafkaTransport extends Transport {
  readonly protocol: 'kafka';
  /** The topic replies to this transport's requests arrive on. */
  readonly replyTopic: string;
  /** The kafkajs client, for administration beyond this interface. */
  readonly client: Kafka;
}

const PROTOCOLS = ['kafka', 'kafka-secure'] as const;
const DEFAULT_PORT = '9092';
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const CONTENT_TYPE_HEADER = 'content-type';
const CORRELATION_ID_HEADER = 'correlationId';
const REPLY_TO_HEADER = 'replyTo';

export async function createKafkaTransport(options: KafkaTransportOptions = {}): Promise<KafkaTransport> {
  const config = kafkaClientConfig(options);
  const kafka = new Kafka(config);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options.producer });
  const admin = kafka.admin();
  try {
    await producer.connect();
    await admin.connect();
  } catch (error) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw error;
  }
  return openTransport({ options, config, kafka, producer, admin });
}

// ---------------------------------------------------------------------------
// Connection settings

/** The kafkajs client configuration `createKafkaTransport(options)` connects with (brokers, TLS, SASL, client id). */
export function kafkaClientConfig(options: KafkaTransportOptions = {}, env: Environment = globalThis.process?.env ?? {}): KafkaConfig {
  const {
    url,
    server,
    producer: _producer,
    consumer: _consumer,
    fromBeginning: _fromBeginning,
    topicRefreshIntervalMs: _refresh,
    joinTimeoutMs: _join,
    deadLetterTopic: _deadLetters,
    onError: _onError,
    ...clientOptions
  } = options;
  const selection: ServerSelection = { ...(url === undefined ? {} : { url }), ...(server === undefined ? {} : { server }) };
  const resolved = resolveConnection(selection, clientOptions.brokers !== undefined, env);
  const ssl = clientOptions.ssl ?? tlsOptionsFor(resolved, env);
  const sasl = clientOptions.sasl ?? saslOptionsFor(resolved);
  return {
    clientId: `asyncapi-${randomUUID().slice(0, 8)}`,
    logLevel: logLevel.ERROR,
    ...(ssl === undefined ? {} : { ssl }),
    ...(sasl === undefined ? {} : { sasl }),
    ...clientOptions,
    brokers: clientOptions.brokers ?? [brokerAddress(requireResolved(resolved))],
  };
}

/** With explicit `brokers` the document's server is optional (it may still provide security). */
function resolveConnection(selection: ServerSelection, hasBrokers: boolean, env: Environment): ResolvedServer | undefined {
  const explicit = selection.url !== undefined || selection.server !== undefined;
  if (!hasBrokers || explicit) return resolveServer(servers, PROTOCOLS, 'kafka', selection, env);
  try {
    return resolveServer(servers, PROTOCOLS, 'kafka', selection, env);
  } catch {
    return undefined;
  }
}

function requireResolved(resolved: ResolvedServer | undefined): ResolvedServer {
  if (resolved === undefined) throw new Error('Kafka transport: no broker to connect to; pass { url } or { brokers }');
  return resolved;
}

function brokerAddress(resolved: ResolvedServer): string {
  return `${resolved.url.hostname}:${resolved.url.port === '' ? DEFAULT_PORT : resolved.url.port}`;
}

function securityTypes(resolved: ResolvedServer | undefined): string[] {
  return (resolved?.server?.security ?? []).map((scheme) => scheme.type);
}

function tlsOptionsFor(resolved: ResolvedServer | undefined, env: Environment): ConnectionOptions | true | undefined {
  const files = { ca: env['ASYNCAPI_KAFKA_CA'], cert: env['ASYNCAPI_KAFKA_CERT'], key: env['ASYNCAPI_KAFKA_KEY'] };
  const wantsClientCertificate = securityTypes(resolved).includes('X509');
  if (wantsClientCertificate && (files.cert === undefined || files.key === undefined)) {
    throw new Error(`Kafka server '${resolved?.server?.name ?? ''}' uses X509: set ASYNCAPI_KAFKA_CERT and ASYNCAPI_KAFKA_KEY to the client certificate and key files`);
  }
  const secure = resolved?.url.protocol === 'kafka-secure:' || wantsClientCertificate || Object.values(files).some((file) => file !== undefined);
  if (!secure) return undefined;
  const tls: ConnectionOptions = {
    ...(files.ca === undefined ? {} : { ca: readFileSync(files.ca) }),
    ...(files.cert === undefined ? {} : { cert: readFileSync(files.cert) }),
    ...(files.key === undefined ? {} : { key: readFileSync(files.key) }),
  };
  return Object.keys(tls).length === 0 ? true : tls;
}

const PASSWORD_MECHANISMS: Readonly<Record<string, 'plain' | 'scram-sha-256' | 'scram-sha-512'>> = {
  userPassword: 'plain',
  plain: 'plain',
  scramSha256: 'scram-sha-256',
  scramSha512: 'scram-sha-512',
};

function saslOptionsFor(resolved: ResolvedServer | undefined): SASLOptions | undefined {
  if (resolved === undefined) return undefined;
  const serverName = resolved.server?.name ?? '';
  for (const type of securityTypes(resolved)) {
    const mechanism = PASSWORD_MECHANISMS[type];
    if (mechanism !== undefined) return passwordSasl(mechanism, resolved, `Kafka server '${serverName}' uses ${type}`);
    if (type === 'oauth2' || type === 'openIdConnect') return bearerSasl(resolved, `Kafka server '${serverName}' uses ${type}`);
    if (type === 'gssapi') {
      throw new Error(`Kafka server '${serverName}' uses GSSAPI (Kerberos), which kafkajs does not support; pass your own { sasl } mechanism`);
    }
  }
  if (resolved.username !== undefined && resolved.password !== undefined) return passwordSasl('plain', resolved, 'credentials');
  return undefined;
}

function passwordSasl(mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', resolved: ResolvedServer, why: string): SASLOptions {
  const { username, password } = resolved;
  if (username === undefined || password === undefined) {
    throw new Error(`${why}: put the credentials in the url or set ASYNCAPI_KAFKA_USER and ASYNCAPI_KAFKA_PASSWORD`);
  }
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
      return { mechanism, username, password };
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}

function bearerSasl(resolved: ResolvedServer, why: string): SASLOptions {
  const { token } = resolved;
  if (token === undefined) throw new Error(`${why}: set ASYNCAPI_KAFKA_TOKEN to the OAuth bearer token`);
  return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token }) };
}

// ---------------------------------------------------------------------------
// The transport

interface TransportParts {
  readonly options: KafkaTransportOptions;
  readonly config: KafkaConfig;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly admin: Admin;
}

interface PendingRequest {
  readonly resolve: (message: InboundMessage) => void;
  readonly reject: (error: unknown) => void;
}

function openTransport(parts: TransportParts): KafkaTransport {
  const { options, config, kafka, producer, admin } = parts;
  const clientId = config.clientId ?? 'asyncapi';
  const replyTopic = `_asyncapi.replies.${clientId.replace(/[^a-zA-Z0-9._-]/g, '_')}`.slice(0, 249);
  const reportError = options.onError ?? ((error: Error) => console.error(`[kafka transport] ${error.message}`));
  const topicAdmin = createTopicAdmin(admin);
  const watcher = createTopicWatcher(topicAdmin, options.topicRefreshIntervalMs ?? 1000);
  const subscriptions = new Set<TopicSubscription>();
  const pendingRequests = new Map<string, PendingRequest>();
  const clientsById = new Map<string, Kafka>();
  let replyListener: Promise<TopicSubscription> | undefined;
  let state: 'open' | 'closing' | 'closed' = 'open';
  let closing: Promise<void> | undefined;

  function clientFor(consumerClientId: string | undefined): Kafka {
    if (consumerClientId === undefined || consumerClientId === clientId) return kafka;
    let client = clientsById.get(consumerClientId);
    if (client === undefined) {
      client = new Kafka({ ...config, clientId: consumerClientId });
      clientsById.set(consumerClientId, client);
    }
    return client;
  }

  async function publish(message: OutboundMessage, _options?: PublishOptions): Promise<void> {
    if (state === 'closed') throw closedError(`publish to "${message.address}"`);
    assertTopicName(message.address, 'publish to');
    await producer.send({ topic: message.address, messages: [kafkaMessage(message)] });
  }

  function inboundFrom(payload: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>): InboundMessage {
    const fields = inboundFields(payload);
    const { replyTo, correlationId } = fields;
    if (replyTo === undefined) return fields;
    const reply = (answer: Omit<OutboundMessage, 'address'>): Promise<void> => {
      const id = correlationId ?? answer.correlationId;
      return publish({ ...answer, address: replyTo, ...(id === undefined ? {} : { correlationId: id }) });
    };
    return { ...fields, reply };
  }

  async function forwardRejected(payload: EachMessagePayload): Promise<void> {
    const deadLetterTopic = options.deadLetterTopic;
    if (deadLetterTopic === undefined) return;
    const { topic, partition, message } = payload;
    await producer.send({
      topic: deadLetterTopic,
      messages: [{
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          'asyncapi-rejected-topic': topic,
          'asyncapi-rejected-partition': String(partition),
          'asyncapi-rejected-offset': message.offset,
        },
      }],
    });
  }

  function subscriptionContext(consumerClientId: string | undefined): SubscriptionContext {
    return {
      kafka: clientFor(consumerClientId),
      admin: topicAdmin,
      watcher,
      consumerConfig: { maxWaitTimeInMs: 1000, ...options.consumer },
      fromBeginning: options.fromBeginning ?? false,
      joinTimeoutMs: options.joinTimeoutMs ?? 60_000,
      uniqueGroupPrefix: `asyncapi.${clientId}`,
      inboundFrom,
      onRejected: forwardRejected,
      reportError,
    };
  }

  async function subscribe(
    pattern: AddressPattern,
    handler: InboundHandler,
    subscribeOptions: SubscribeOptions = {},
  ): Promise<TransportSubscription> {
    if (state !== 'open') throw closedError(`subscribe to "${pattern.template}"`);
    const matcher = topicMatcherFor(pattern);
    const binding = subscribeOptions.bindings?.operation?.['kafka'];
    const groupId = subscribeOptions.queueGroup ?? bindingString(binding, 'groupId');
    const subscription = new TopicSubscription(
      subscriptionContext(bindingString(binding, 'clientId')),
      matcher,
      handler,
      groupId === undefined ? { kind: 'unique' } : { kind: 'shared', groupId },
    );
    subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      subscriptions.delete(subscription);
      await subscription.stop();
      throw error;
    }
    if (state !== 'open') {
      await subscription.stop();
      throw closedError(`subscribe to "${pattern.template}"`);
    }
    return {
      unsubscribe: async () => {
        // Kept until stopped, so that close() waits for a running handler.
        const stopped = subscription.stop().finally(() => subscriptions.delete(subscription));
        // Called from the subscription's own handler, waiting would deadlock.
        if (!subscription.handling) await stopped;
      },
    };
  }

  function startReplyListener(): Promise<TopicSubscription> {
    const listener = new TopicSubscription(
      subscriptionContext(undefined),
      { regex: exactTopicRegExp(replyTopic), fixedTopic: replyTopic, hasWildcards: false },
      async (message) => {
        const pending = message.correlationId === undefined ? undefined : pendingRequests.get(message.correlationId);
        pending?.resolve(message);
        return 'ack';
      },
      { kind: 'unique' },
    );
    subscriptions.add(listener);
    return listener.start().then(
      () => listener,
      async (error: unknown) => {
        subscriptions.delete(listener);
        await listener.stop();
        throw error;
      },
    );
  }

  function replyListenerReady(): Promise<TopicSubscription> {
    if (replyListener === undefined) {
      const starting = startReplyListener();
      replyListener = starting;
      starting.catch(() => {
        if (replyListener === starting) replyListener = undefined;
      });
    }
    return replyListener;
  }

  async function request(message: OutboundMessage, requestOptions: RequestOptions): Promise<InboundMessage> {
    const { timeoutMs, signal } = requestOptions;
    if (state !== 'open') throw closedError(`send a request to "${message.address}"`);
    checkRequestTimeout(timeoutMs);
    assertTopicName(message.address, 'send a request to');
    signal?.throwIfAborted();
    try {
      await untilAborted(replyListenerReady(), signal);
    } catch (error) {
      throw state === 'open' ? error : closedError(`send a request to "${message.address}"`);
    }
    if (state !== 'open') throw closedError(`send a request to "${message.address}"`);
    const correlationId = message.correlationId ?? randomUUID();
    return new Promise<InboundMessage>((resolve, reject) => {
      const finish = (settle: () => void): void => {
        if (pendingRequests.get(correlationId) !== pending) return;
        pendingRequests.delete(correlationId);
        stopWatching();
        settle();
      };
      const pending: PendingRequest = {
        resolve: (reply) => finish(() => resolve(reply)),
        reject: (error) => finish(() => reject(error)),
      };
      const stopWatching = watchRequest(
        requestOptions,
        () => pending.reject(timeoutError(message.address, timeoutMs)),
        (reason) => pending.reject(reason),
      );
      pendingRequests.set(correlationId, pending);
      publish({ ...message, correlationId, replyTo: replyTopic }).catch((error: unknown) => pending.reject(error));
    });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      state = 'closing';
      watcher.stop();
      for (const pending of [...pendingRequests.values()]) pending.reject(closedError('wait for a reply'));
      await Promise.allSettled([...subscriptions].map((subscription) => subscription.stop()));
      subscriptions.clear();
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      state = 'closed';
    })();
    return closing;
  }

  return { protocol: 'kafka', replyTopic, client: kafka, publish, subscribe, request, close };
}

// ---------------------------------------------------------------------------
// Messages

function kafkaMessage(message: OutboundMessage): Message {
  if (!(message.payload instanceof Uint8Array)) {
    throw new TypeError(`Payload for "${message.address}" must be a Uint8Array (encode it before publishing)`);
  }
  const headers: IHeaders = { ...message.headers };
  if (message.contentType !== undefined) headers[CONTENT_TYPE_HEADER] = message.contentType;
  if (message.correlationId !== undefined) headers[CORRELATION_ID_HEADER] = message.correlationId;
  if (message.replyTo !== undefined) headers[REPLY_TO_HEADER] = message.replyTo;
  const { payload } = message;
  return {
    key: message.key ?? null,
    value: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    headers,
  };
}

function inboundFields(payload: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>): InboundMessage {
  const { topic, message } = payload;
  const headers = decodeHeaders(message);
  const contentType = headers[CONTENT_TYPE_HEADER];
  delete headers[CONTENT_TYPE_HEADER];
  const correlationId = headers[CORRELATION_ID_HEADER];
  const replyTo = headers[REPLY_TO_HEADER];
  const value = message.value;
  return {
    address: topic,
    payload: value === null ? new Uint8Array(0) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
    headers,
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(message.key === null ? {} : { key: message.key.toString('utf8') }),
    raw: payload,
  };
}

/** Kafka headers as strings; of a header repeated on the wire, the last value counts. */
function decodeHeaders(message: KafkaMessage): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) headers[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return headers;
}

// ---------------------------------------------------------------------------
// Topics and patterns

interface TopicMatcher {
  readonly regex: RegExp;
  /** The single topic of a pattern without wildcard slots. */
  readonly fixedTopic?: string;
  readonly hasWildcards: boolean;
}

function assertTopicName(topic: string, action: string): void {
  if (TOPIC_NAME.test(topic) && topic !== '.' && topic !== '..') return;
  throw new Error(
    `Kafka transport cannot ${action} "${topic}": topic names may contain only letters, digits, '.', '_' and '-' (at most 249)` +
      (topic.includes('%') ? '; a parameter value with other characters is percent-encoded, and "%" is not allowed' : ''),
  );
}

function topicMatcherFor(pattern: AddressPattern): TopicMatcher {
  let fixed = '';
  let hasWildcards = false;
  for (const part of pattern.parts) {
    if (part.kind === 'parameter' && part.value === undefined) {
      hasWildcards = true;
      continue;
    }
    const text = part.kind === 'literal' ? part.text : part.value ?? '';
    if (!/^[a-zA-Z0-9._-]*$/.test(text)) {
      assertTopicName(text, `subscribe to "${pattern.template}" with`);
    }
    fixed += text;
  }
  const regex = addressPatternRegExp(pattern);
  if (hasWildcards) return { regex, hasWildcards };
  assertTopicName(fixed, 'subscribe to');
  return { regex, fixedTopic: fixed, hasWildcards };
}

function exactTopicRegExp(topic: string): RegExp {
  return new RegExp(`^${topic.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}$`);
}

function bindingString(binding: BindingsByProtocol[string] | undefined, field: string): string | undefined {
  return schemaValue(binding?.[field]);
}

/** Kafka binding ids are JSON Schemas: their `const`, first `enum` value or `default`; a plain string also counts. */
function schemaValue(schema: unknown): string | undefined {
  if (typeof schema === 'string') return schema;
  if (typeof schema !== 'object' || schema === null) return undefined;
  const record = schema as Record<string, unknown>;
  const candidates = [record['const'], Array.isArray(record['enum']) ? (record['enum'] as unknown[])[0] : undefined, record['default']];
  const found = candidates.find((candidate) => typeof candidate === 'string');
  return typeof found === 'string' ? found : undefined;
}

/** The admin requests of a transport. */
interface TopicAdmin {
  listTopics(): Promise<string[]>;
  /** Whether the topic exists, creating it where the broker auto-creates topics. */
  ensureTopic(topic: string): Promise<boolean>;
  /** The offset after the last message of each partition. */
  endOffsets(topic: string): Promise<Array<{ partition: number; offset: string }>>;
  /** The partitions (as `partitionKey`s) where the group has committed no offset. */
  uncommittedPartitions(groupId: string, topics: ReadonlyArray<string>): Promise<Set<string>>;
}

/**
 * Runs admin requests one at a time: concurrent kafkajs admin calls share
 * metadata refreshes, and one may miss the topic another just added.
 */
function createTopicAdmin(admin: Admin): TopicAdmin {
  let tail: Promise<unknown> = Promise.resolve();
  function serially<T>(task: () => Promise<T>): Promise<T> {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  }
  return {
    listTopics: () => serially(() => admin.listTopics()),
    ensureTopic: (topic) =>
      serially(async () => {
        try {
          const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
          return topics.some((found) => found.name === topic && found.partitions.length > 0);
        } catch {
          return false;
        }
      }),
    endOffsets: (topic) =>
      serially(() =>
        withRetries(
          async () => (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high })),
          // Refreshes the metadata the next attempt reads.
          () => admin.fetchTopicMetadata({ topics: [topic] }),
        ),
      ),
    uncommittedPartitions: (groupId, topics) =>
      serially(async () => {
        const keys = new Set<string>();
        for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
          for (const { partition, offset } of partitions) if (offset === '-1') keys.add(partitionKey(topic, partition));
        }
        return keys;
      }),
  };
}

/** Metadata of a topic created a moment ago can lag behind: try a few times, refreshing in between. */
async function withRetries<T>(task: () => Promise<T>, beforeRetry: () => Promise<unknown>, attempts = 5, delayMs = 200): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await beforeRetry().catch(() => undefined);
    }
  }
}

interface TopicWatcher {
  /** Calls `onTopics` with all topic names every interval, until it returns false or is removed. */
  watch(onTopics: (topics: ReadonlyArray<string>) => boolean): () => void;
  stop(): void;
}

function createTopicWatcher(admin: TopicAdmin, intervalMs: number): TopicWatcher {
  const watchers = new Set<(topics: ReadonlyArray<string>) => boolean>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function schedule(): void {
    if (timer !== undefined || stopped || watchers.size === 0) return;
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref?.();
  }

  async function tick(): Promise<void> {
    try {
      const topics = await admin.listTopics();
      for (const onTopics of [...watchers]) {
        if (!onTopics(topics)) watchers.delete(onTopics);
      }
    } catch {
      // The broker is unreachable for now; kafkajs reconnects and the next tick retries.
    } finally {
      timer = undefined;
      schedule();
    }
  }

  return {
    watch(onTopics) {
      watchers.add(onTopics);
      schedule();
      return () => watchers.delete(onTopics);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------------------
// Subscriptions

interface SubscriptionContext {
  readonly kafka: Kafka;
  readonly admin: TopicAdmin;
  readonly watcher: TopicWatcher;
  readonly consumerConfig: Omit<ConsumerConfig, 'groupId'>;
  readonly fromBeginning: boolean;
  readonly joinTimeoutMs: number;
  readonly uniqueGroupPrefix: string;
  readonly inboundFrom: (payload: EachMessagePayload) => InboundMessage;
  readonly onRejected: (payload: EachMessagePayload) => Promise<void>;
  readonly reportError: (error: Error) => void;
}

type GroupChoice = { readonly kind: 'unique' } | { readonly kind: 'shared'; readonly groupId: string };

/** One consumer of a subscription; a subscription replaces its consumer when it finds new topics. */
interface Generation {
  readonly id: number;
  readonly consumer: Consumer;
  joined: boolean;
  retired: boolean;
  /** Settles the wait for the first join; undefined once settled. */
  settleJoin: ((error?: Error) => void) | undefined;
  /** The disconnection, once retired. */
  stopping: Promise<void> | undefined;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * One `subscribe()`: the topics matching its pattern, read by one consumer
 * group. Unique groups pick up new topics with a fresh consumer that joins
 * before the old one stops and starts at the offsets the subscription reached
 * (messages seen twice during the switch are skipped by offset); a shared
 * group restarts its member instead, since two members of one subscription
 * would split its partitions.
 */
class TopicSubscription {
  handling = false;
  private readonly topics = new Set<string>();
  private readonly initialTopics = new Set<string>();
  /** Where a new consumer starts, per partition, for partitions not yet handled. */
  private readonly startOffsets = new Map<string, string>();
  /** The offset after the last message handled, per partition. */
  private readonly nextOffsets = new Map<string, bigint>();
  private readonly generations = new Set<Generation>();
  private generationCount = 0;
  private everJoined = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private handlerTail: Promise<void> = Promise.resolve();
  private launchTail: Promise<void> = Promise.resolve();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly context: SubscriptionContext,
    private readonly matcher: TopicMatcher,
    private readonly handler: InboundHandler,
    private readonly group: GroupChoice,
  ) {}

  /** Resolves once the consumer has joined its group, or at once when no topic matches yet. */
  async start(): Promise<void> {
    const topics = await this.existingTopics();
    if (this.matcher.hasWildcards || topics.length === 0) {
      this.unwatch = this.context.watcher.watch((all) => this.onTopics(all));
    }
    if (topics.length === 0) return;
    for (const topic of topics) {
      this.topics.add(topic);
      this.initialTopics.add(topic);
    }
    if (!this.context.fromBeginning) await this.recordStartOffsets(topics);
    await this.launch();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.unwatch?.();
      const generations = [...this.generations];
      for (const generation of generations) this.retire(generation);
      await this.handlerTail;
      await Promise.allSettled(generations.map((generation) => generation.stopping));
    })();
    return this.stopping;
  }

  private async existingTopics(): Promise<string[]> {
    const { fixedTopic } = this.matcher;
    if (fixedTopic === undefined) {
      return (await this.context.admin.listTopics()).filter((topic) => this.matcher.regex.test(topic));
    }
    return (await this.context.admin.ensureTopic(fixedTopic)) ? [fixedTopic] : [];
  }

  /** The current end of each partition (for a shared group, only where it has committed nothing). */
  private async recordStartOffsets(topics: ReadonlyArray<string>): Promise<void> {
    const { admin } = this.context;
    const uncommitted = this.group.kind === 'shared' ? await admin.uncommittedPartitions(this.group.groupId, topics) : undefined;
    for (const topic of topics) {
      for (const { partition, offset } of await admin.endOffsets(topic)) {
        const key = partitionKey(topic, partition);
        if (uncommitted === undefined || uncommitted.has(key)) this.startOffsets.set(key, offset);
      }
    }
  }

  private onTopics(all: ReadonlyArray<string>): boolean {
    if (this.stopped) return false;
    const fresh = all.filter((topic) => !this.topics.has(topic) && this.matcher.regex.test(topic));
    if (fresh.length > 0) {
      for (const topic of fresh) this.topics.add(topic);
      this.launch().catch((error: unknown) => {
        if (!this.stopped) this.context.reportError(asError(error, `cannot consume the new topics ${fresh.join(', ')}`));
      });
    }
    // A missing fixed topic is watched for until it appears.
    return this.matcher.hasWildcards || this.topics.size === 0;
  }

  /** Starts a consumer for all known topics; a shared group's launches run one after the other. */
  private launch(): Promise<void> {
    if (this.group.kind === 'unique') return this.launchGeneration();
    const launched = this.launchTail.then(() => this.launchGeneration());
    this.launchTail = launched.catch(() => undefined);
    return launched;
  }

  /**
   * Starts a consumer and waits until it has joined its group. A consumer that crashes while
   * joining (a group coordinator answering a join or sync with an error during a rebalance) is
   * replaced by a new one, with a growing pause, until the join timeout has passed.
   */
  private async launchGeneration(): Promise<void> {
    const deadline = Date.now() + this.context.joinTimeoutMs;
    for (let pauseMs = 200; ; pauseMs = Math.min(pauseMs * 2, 2_000)) {
      try {
        await this.launchOnce(deadline);
        return;
      } catch (error) {
        if (!(error instanceof CrashedWhileJoining)) throw error;
        if (this.stopped || Date.now() + pauseMs >= deadline) throw error.cause;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        // Stopped meanwhile: no new consumer, and the caller learns why it has none.
        if (this.stopped) throw error.cause;
      }
    }
  }

  private async launchOnce(deadline: number): Promise<void> {
    if (this.stopped) return;
    if (this.group.kind === 'shared') {
      const previous = [...this.generations];
      for (const generation of previous) this.retire(generation);
      await Promise.allSettled(previous.map((generation) => generation.stopping));
    }
    const generation = this.newGeneration();
    const joined = this.joinedOrFailed(generation, Math.max(0, deadline - Date.now()));
    // Awaited below unless run() fails first; the retire then rejects it with nobody listening.
    joined.catch(() => undefined);
    try {
      await this.run(generation);
      await joined;
    } catch (error) {
      this.retire(generation);
      throw error;
    }
  }

  private newGeneration(): Generation {
    this.generationCount += 1;
    const groupId = this.group.kind === 'shared' ? this.group.groupId : `${this.context.uniqueGroupPrefix}.${randomUUID()}`;
    const consumer = this.context.kafka.consumer({ ...this.context.consumerConfig, groupId });
    const generation: Generation = { id: this.generationCount, consumer, joined: false, retired: false, settleJoin: undefined, stopping: undefined };
    this.generations.add(generation);
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onJoin(generation, event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(generation, event.payload.error, event.payload.restart));
    return generation;
  }

  private async run(generation: Generation): Promise<void> {
    const { consumer } = generation;
    await consumer.connect();
    const initial = [...this.topics].filter((topic) => this.initialTopics.has(topic));
    const discovered = [...this.topics].filter((topic) => !this.initialTopics.has(topic));
    if (initial.length > 0) await consumer.subscribe({ topics: initial, fromBeginning: this.context.fromBeginning });
    // Every message on a topic that appeared after subscribing is new to this subscription.
    if (discovered.length > 0) await consumer.subscribe({ topics: discovered, fromBeginning: true });
    await consumer.run({ eachMessage: (payload) => this.receive(generation, payload) });
  }

  private joinedOrFailed(generation: Generation, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => generation.settleJoin?.(new Error(`Kafka consumer did not join its group within ${this.context.joinTimeoutMs} ms`)),
        timeoutMs,
      );
      generation.settleJoin = (error) => {
        generation.settleJoin = undefined;
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
    });
  }

  /** Runs synchronously before the first fetch, so the seeks apply to it. */
  private onJoin(generation: Generation, assignment: IMemberAssignment): void {
    if (generation.joined) return;
    generation.joined = true;
    if (!generation.retired) {
      this.seekStartOffsets(generation, assignment);
      this.everJoined = true;
      for (const older of this.generations) if (older.id < generation.id) this.retire(older);
    }
    generation.settleJoin?.();
  }

  private seekStartOffsets(generation: Generation, assignment: IMemberAssignment): void {
    // A shared group resumes from its committed offsets once it has joined.
    if (this.group.kind === 'shared' && this.everJoined) return;
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const key = partitionKey(topic, partition);
        const offset = this.nextOffsets.get(key)?.toString() ?? this.startOffsets.get(key);
        if (offset !== undefined) generation.consumer.seek({ topic, partition, offset });
      }
    }
  }

  private onCrash(generation: Generation, error: Error, restarting: boolean): void {
    if (restarting || generation.retired) return;
    if (!generation.joined) {
      generation.settleJoin?.(new CrashedWhileJoining(error));
      return;
    }
    this.retire(generation);
    if (this.stopped) return;
    this.context.reportError(asError(error, 'Kafka consumer crashed; starting a new one'));
    this.launch().catch((launchError: unknown) => this.context.reportError(asError(launchError, 'cannot restart the Kafka consumer')));
  }

  /** Stops delivering from the generation and disconnects it in the background. */
  private retire(generation: Generation): void {
    if (generation.retired) return;
    generation.retired = true;
    generation.settleJoin?.(new Error('Kafka subscription stopped before its consumer joined the group'));
    generation.stopping = generation.consumer
      .disconnect()
      .catch(() => undefined)
      .finally(() => this.generations.delete(generation));
  }

  private async receive(generation: Generation, payload: EachMessagePayload): Promise<void> {
    if (generation.retired || this.stopped) return;
    const handled = this.handlerTail.then(() => this.handleOnce(generation, payload));
    this.handlerTail = handled.catch(() => undefined);
    await handled;
  }

  private async handleOnce(generation: Generation, payload: EachMessagePayload): Promise<void> {
    if (generation.retired || this.stopped) return;
    const key = partitionKey(payload.topic, payload.partition);
    const offset = BigInt(payload.message.offset);
    const next = this.nextOffsets.get(key);
    if (next !== undefined && offset < next) return;
    const disposition = await this.invokeHandler(payload);
    if (disposition === 'reject') await this.context.onRejected(payload);
    this.nextOffsets.set(key, offset + 1n);
  }

  private async invokeHandler(payload: EachMessagePayload): Promise<Disposition> {
    this.handling = true;
    try {
      return await this.handler(this.context.inboundFrom(payload));
    } catch (error) {
      this.context.reportError(asError(error, `handler failed for a message on "${payload.topic}"`));
      return 'reject';
    } finally {
      this.handling = false;
    }
  }
}

// ---------------------------------------------------------------------------
// Small helpers

/** Resolves like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A consumer crashed before it joined its group; `cause` is kafkajs' error. */
class CrashedWhileJoining extends Error {
  override readonly cause: Error;

  constructor(cause: Error) {
    super(cause.message, { cause });
    this.cause = cause;
  }
}

function asError(error: unknown, context: string): Error {
  return new Error(`${context}: ${describe(error)}`, { cause: error });
}
