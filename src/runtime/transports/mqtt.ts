/**
 * MQTT transport (MQTT 5 and 3.1.1) over mqtt.js (`mqtt` ^5.16).
 *
 * Connection (`createMqttTransport`): the document's first `mqtt`/`mqtts`/
 * `secure-mqtt`/`mqtt5` server, or `{ server }`, or `{ url }` (see
 * core/servers.ts for the precedence and the environment variables).
 * - Protocol version: the `protocolVersion` option, else the server's
 *   (`3.1.1` -> 4, `3.1` -> 3, `5`/`5.0` or protocol `mqtt5` -> 5), else 5,
 *   falling back to 3.1.1 (with a console.warn) when the broker refuses 5:
 *   aedes, for one, speaks only 3.1/3.1.1.
 * - Server bindings (`mqtt`): `clientId`, `cleanSession` (clean start),
 *   `keepAlive`, `lastWill` {topic, qos, message, retain}; on MQTT 5 also
 *   `sessionExpiryInterval` and `maximumPacketSize` when they are integers
 *   (the deprecated `mqtt5.sessionExpiryInterval` too). `cleanSession: false`
 *   on MQTT 5 without an expiry keeps the session forever, as 3.1.1 does.
 *   Options passed to the factory (mqtt.js `IClientOptions`) win over them.
 * - Credentials: user and password from the URL or ASYNCAPI_MQTT_USER /
 *   _PASSWORD (`userPassword`, `plain`; also sent for `scramSha256/512`, which
 *   MQTT has no SASL for); ASYNCAPI_MQTT_TOKEN as the user or the password for
 *   `apiKey` (per its `in`) and as the password for `httpBearerToken`,
 *   `oauth2` and `openIdConnect`; TLS files from ASYNCAPI_MQTT_CA, _CERT and
 *   _KEY (paths; a client certificate for `X509`, which requires them).
 *   Other scheme types are reported once with console.warn.
 *
 * Messages:
 * - Parameters left free subscribe as `+` for their whole topic level; the
 *   generated code filters deliveries by address.
 * - Operation bindings: `qos` and `retain` when publishing, `qos` as the
 *   subscription's maximum QoS, `messageExpiryInterval` (integer, MQTT 5).
 *   Without a binding, publish with QoS `publishQos` (1) and subscribe with
 *   `subscribeQos` (2, so messages arrive at the QoS they were published with).
 * - Message bindings (MQTT 5): `contentType` (wins over the message's content
 *   type on the wire), `payloadFormatIndicator`, `responseTopic` (a string,
 *   used when the message has no reply address of its own).
 * - Headers travel as MQTT 5 user properties (a repeated property keeps its
 *   last value); the content type as the MQTT 5 content type property. MQTT
 *   3.1.1 has neither: headers are dropped with a console.warn (once).
 * - Request/reply (MQTT 5): the request carries a response topic
 *   `<replyTopicPrefix>/<clientId>/<request id>` and correlation data; the
 *   requester subscribes once to `<replyTopicPrefix>/<clientId>/+`.
 *   `InboundMessage.reply` publishes to the request's response topic with the
 *   same correlation data bytes. On MQTT 3.1.1 `request()` rejects.
 * - Queue groups: MQTT 5 shared subscriptions `$share/<group>/<filter>`;
 *   ignored with a console.warn on 3.1.1.
 * - Deliveries are acknowledged (PUBACK/PUBREC) when they reach the client;
 *   MQTT has no negative acknowledgement, so `reject` is not redelivered.
 *   Handlers run one at a time per subscription (`maxInFlight` to raise it).
 * - Reconnection and resubscription are mqtt.js's (`reconnectPeriod`,
 *   default 1 s). QoS 1/2 messages published while this client was away are
 *   kept by the broker only for a persistent session: a fixed `clientId` and
 *   `clean: false` (with `properties.sessionExpiryInterval` on MQTT 5).
 *   Delivery is at least once: a message whose PUBACK a lost connection
 *   swallowed comes again on the resumed session, with `raw.dup` set.
 *   When such a session resumes in a new process, what the broker kept is
 *   delivered before the application subscribes again: the transport holds
 *   those messages (up to 1000) for the first subscription that matches.
 *   Publishing while disconnected waits until the connection is back.
 *   `close()` stops routing, waits for running and queued handlers (they may
 *   still publish and reply), rejects pending requests, then disconnects
 *   (DISCONNECT, so no last will); later calls reject.
 * - Subscriptions resolve once the broker acknowledged them (SUBACK); one
 *   broker subscription per distinct topic filter, shared by the transport's
 *   subscriptions to it. On MQTT 5 each carries a subscription identifier, so
 *   overlapping filters deliver each message once per subscription; on 3.1.1
 *   a broker that sends one copy per matching filter (the spec allows it;
 *   Mosquitto and aedes send one) would cause duplicates.
 */
// mqtt.js's types import worker-timers, whose declarations use DOM types
// (Worker, MessagePort): without this, strict projects (skipLibCheck off) fail.
/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import {
  connect,
  type IClientOptions,
  type IClientPublishOptions,
  type IPublishPacket,
  type MqttClient,
} from 'mqtt';
import { encodeParameterValue } from '../core/address.js';
import { resolveServer, type ResolvedServer, type ServerDefinition, type ServerSelection } from '../core/servers.js';
import type {
  AddressPattern,
  BindingsByProtocol,
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
  processEnvironment,
  readTlsFiles,
  reportOverflow,
  selectionOf,
  timeoutError,
  watchRequest,
} from '../core/transport-support.js';
import { servers } from '../servers.js';

const closedError = closedErrorFor('MQTT');

export type MqttQoS = 0 | 1 | 2;
export type MqttProtocolVersion = 3 | 4 | 5;

/** Options of this transport, on top of the server selection and mqtt.js's own options. */
export interface MqttTransportSettings {
  /** QoS of publications whose operation has no `qos` binding. Default 1. */
  readonly publishQos?: MqttQoS;
  /** Maximum QoS of subscriptions whose operation has no `qos` binding. Default 2. */
  readonly subscribeQos?: MqttQoS;
  /** Handlers running at once per subscription. Default 1 (in order). */
  readonly maxInFlight?: number;
  /**
   * Messages that may wait for a handler, per subscription. The broker counts
   * a message as delivered once it arrives (MQTT has no negative ack), and
   * mqtt.js cannot hold back one subscription's messages without stalling the
   * whole connection, so beyond this a message is dropped and reported
   * (`onError` kind `overflow`). Default 10 000.
   */
  readonly maxPending?: number;
  /** First levels of the reply topics of requests. Default `_asyncapi/replies`. */
  readonly replyTopicPrefix?: string;
  /** How long `close()` waits for the broker to acknowledge pending publications. Default 5000 ms. */
  readonly closeTimeoutMs?: number;
}

export type MqttTransportOptions = ServerSelection & IClientOptions & MqttTransportSettings;

export interface MqttTransport extends Transport {
  readonly protocol: 'mqtt';
  /** The MQTT version in use: 3 (3.1), 4 (3.1.1) or 5. */
  readonly protocolVersion: MqttProtocolVersion;
  /** The mqtt.js client, for diagnostics and escape hatches. */
  readonly client: MqttClient;
}

const PROTOCOL_ALIASES = ['mqtt', 'mqtts', 'secure-mqtt', 'mqtt5'] as const;
const SESSION_NEVER_EXPIRES = 0xffffffff;
const MAX_SUBSCRIPTION_IDENTIFIER = 268_435_455;
const MAX_HELD_DELIVERIES = 1000;

type BindingRecord = Readonly<Record<string, unknown>>;
type PublishProperties = NonNullable<IClientPublishOptions['properties']>;
type ConnectProperties = NonNullable<IClientOptions['properties']>;

export async function createMqttTransport(options: MqttTransportOptions = {}): Promise<MqttTransport> {
  const { url: _url, server: _server, publishQos, subscribeQos, maxInFlight, maxPending, replyTopicPrefix, closeTimeoutMs, ...clientOptions } = options;
  const settings: Settings = {
    publishQos: publishQos ?? 1,
    subscribeQos: subscribeQos ?? 2,
    maxInFlight: positiveInteger(maxInFlight ?? 1, 'maxInFlight'),
    maxPending: checkedMaxPending(maxPending),
    replyTopicPrefix: replyTopicPrefix ?? '_asyncapi/replies',
    closeTimeoutMs: closeTimeoutMs ?? 5000,
  };
  const resolved = resolveServer(servers, PROTOCOL_ALIASES, 'mqtt', selectionOf(options));
  const chosenVersion = options.protocolVersion ?? declaredProtocolVersion(resolved.server);
  const warnings = new Warnings();
  const brokerUrl = connectionUrl(resolved.url);
  const connectWith = async (version: MqttProtocolVersion): Promise<OpenedClient> => {
    const connectOptions = buildConnectOptions(resolved, clientOptions, version, warnings);
    try {
      return await openClient(brokerUrl, connectOptions);
    } catch (error) {
      throw new Error(`cannot connect to the MQTT broker at ${brokerUrl}: ${describe(error)}${credentialsHint(resolved, connectOptions)}`, { cause: error });
    }
  };
  let protocolVersion = chosenVersion ?? 5;
  let opened: OpenedClient;
  try {
    opened = await connectWith(protocolVersion);
  } catch (error) {
    if (chosenVersion !== undefined || !refusedProtocolVersion(error)) throw error;
    // Neither the caller nor the document chose MQTT 5, and this broker (aedes, for one) does not speak it.
    protocolVersion = 4;
    opened = await connectWith(protocolVersion);
    warnings.once('fallback', `the broker at ${brokerUrl} refused MQTT 5; connected with MQTT 3.1.1, which carries no headers and no response topics for request/reply (pass protocolVersion to choose)`);
  }
  return new MqttConnection(opened, protocolVersion, settings, warnings).transport();
}

interface Settings {
  readonly publishQos: MqttQoS;
  readonly subscribeQos: MqttQoS;
  readonly maxInFlight: number;
  readonly maxPending: number;
  readonly replyTopicPrefix: string;
  readonly closeTimeoutMs: number;
}

/** A connected client, and what it received before the transport took it over. */
interface OpenedClient {
  readonly client: MqttClient;
  /** Hands the deliveries received so far to `route` and stops buffering; later ones go to `route` only. */
  readonly takeOver: (route: (delivery: Delivery) => void) => void;
}

/**
 * Connects, failing on the first error instead of retrying (as connectAsync
 * with allowRetries false). Messages are listened to from the start: a
 * resumed persistent session delivers right after CONNACK, possibly in the
 * same read, before an awaiting caller could attach a listener.
 */
function openClient(brokerUrl: string, options: IClientOptions): Promise<OpenedClient> {
  const client = connect(brokerUrl, options);
  const early: Delivery[] = [];
  let forward = (delivery: Delivery): void => {
    early.push(delivery);
  };
  client.on('message', (topic, payload, packet) => forward({ topic, payload, packet }));
  const takeOver = (route: (delivery: Delivery) => void): void => {
    forward = route;
    for (const delivery of early.splice(0)) route(delivery);
  };
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void): void => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
      outcome();
    };
    const onConnect = (): void => settle(() => resolve({ client, takeOver }));
    const onError = (error: Error): void => settle(() => {
      client.end(true);
      reject(error);
    });
    const onClose = (): void => onError(new Error('the connection closed before the broker accepted it'));
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

/** A received message as mqtt.js hands it over. */
interface Delivery {
  /** Not `packet.topic`, which is empty when the broker used a topic alias. */
  readonly topic: string;
  readonly payload: Buffer;
  readonly packet: IPublishPacket;
}

/** One subscription of the transport's user, with its queue of deliveries not yet handled. */
interface LocalSubscription {
  readonly filter: BrokerFilter;
  readonly handler: InboundHandler;
  readonly queue: Delivery[];
  readonly onDropped: SubscribeOptions['onDropped'];
  running: number;
  /** False until the broker confirmed the subscription. */
  started: boolean;
  /** False after unsubscribe() and close(): no new deliveries are queued. */
  routing: boolean;
}

/** One topic filter subscribed on the broker, shared by the local subscriptions to it. */
interface BrokerFilter {
  /** What is sent to the broker, `$share/<group>/` included. */
  readonly key: string;
  /** The filter matched against topics (without `$share/<group>/`). */
  readonly topicFilter: string;
  readonly identifier: number | undefined;
  readonly members: Set<LocalSubscription>;
  qos: MqttQoS;
  ready: Promise<void>;
}

interface PendingRequest {
  readonly resolve: (message: InboundMessage) => void;
  readonly reject: (error: unknown) => void;
}

class MqttConnection {
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | undefined;
  private readonly filters = new Map<string, BrokerFilter>();
  private readonly filtersById = new Map<number, BrokerFilter>();
  /** Unsubscriptions in flight, per filter key, so that a new subscription waits for them. */
  private readonly leaving = new Map<string, Promise<void>>();
  private readonly liveSubscriptions = new Set<LocalSubscription>();
  private readonly runningHandlers = new Set<Promise<void>>();
  private readonly pendingPublications = new Set<Promise<unknown>>();
  private readonly pendingRequests = new Map<string, PendingRequest>();
  /**
   * Deliveries of a persistent session that no subscription wanted yet: a
   * resumed session delivers what was queued right after connecting, before
   * the application has subscribed again.
   */
  private readonly held: Delivery[] = [];
  private replyInbox: { readonly base: string; readonly filter: BrokerFilter } | undefined;
  private nextIdentifier = 1;

  private readonly client: MqttClient;

  constructor(
    opened: OpenedClient,
    private readonly protocolVersion: MqttProtocolVersion,
    private readonly settings: Settings,
    private readonly warnings: Warnings,
  ) {
    const client = opened.client;
    this.client = client;
    opened.takeOver((delivery) => this.route(delivery));
    client.on('error', (error) => warnings.perConnection(`error:${error.message}`, `MQTT client error: ${error.message}`));
    client.on('connect', () => warnings.newConnection());
    client.on('disconnect', (packet) => {
      const takenOver = packet.reasonCode === 0x8e ? ': session taken over, another client uses the same clientId' : '';
      const reason = packet.reasonCode === undefined ? '' : ` (reason code ${packet.reasonCode}${takenOver})`;
      warnings.perConnection('disconnect', `the MQTT broker disconnected client '${client.options.clientId ?? ''}'${reason}; reconnecting`);
    });
  }

  transport(): MqttTransport {
    return {
      protocol: 'mqtt',
      protocolVersion: this.protocolVersion,
      client: this.client,
      publish: (message, options) => this.publish(message, options),
      subscribe: (pattern, handler, options) => this.subscribe(pattern, handler, options),
      request: (message, options) => this.request(message, options),
      close: () => this.close(),
    };
  }

  // --- sending ---------------------------------------------------------------

  private async publish(message: OutboundMessage, options: PublishOptions = {}): Promise<void> {
    if (this.state === 'closed') throw closedError(`publish to "${message.address}"`);
    await this.send(message, options.bindings, undefined);
  }

  private async send(message: OutboundMessage, bindings: MessageBindings | undefined, correlationData: Buffer | undefined): Promise<void> {
    checkTopicName(message.address);
    if (!(message.payload instanceof Uint8Array)) {
      throw new TypeError(`Payload for "${message.address}" must be a Uint8Array (encode it before publishing)`);
    }
    const operationBinding = bindings?.operation?.['mqtt'];
    const publishOptions: IClientPublishOptions = {
      qos: qosField(operationBinding, 'qos') ?? this.settings.publishQos,
      retain: booleanField(operationBinding, 'retain') ?? false,
    };
    if (this.protocolVersion === 5) {
      publishOptions.properties = publishProperties(message, operationBinding, bindings?.message?.['mqtt'], correlationData);
    } else if (Object.keys(message.headers).length > 0) {
      this.warnings.once('v4-headers', `MQTT 3.1.1 cannot carry message headers: the headers of messages published to "${message.address}" and others are dropped; connect with protocolVersion 5 to send them as user properties`);
    }
    // A private copy: the caller may reuse its buffer while mqtt.js still holds this one.
    const sending = this.client.publishAsync(message.address, Buffer.from(message.payload), publishOptions);
    this.pendingPublications.add(sending);
    try {
      await sending;
    } finally {
      this.pendingPublications.delete(sending);
    }
  }

  // --- receiving -------------------------------------------------------------

  private async subscribe(pattern: AddressPattern, handler: InboundHandler, options: SubscribeOptions = {}): Promise<TransportSubscription> {
    if (this.state !== 'open') throw closedError(`subscribe to "${pattern.template}"`);
    const topicFilter = topicFilterFor(pattern);
    const key = this.sharedKey(topicFilter, options.queueGroup);
    const qos = qosField(options.bindings?.operation?.['mqtt'], 'qos') ?? this.settings.subscribeQos;
    const filter = await this.filterFor(key, topicFilter, qos);
    const subscription: LocalSubscription = { filter, handler, queue: [], onDropped: options.onDropped, running: 0, started: false, routing: true };
    filter.members.add(subscription);
    this.liveSubscriptions.add(subscription);
    try {
      await filter.ready;
    } catch (error) {
      this.detach(subscription);
      throw error;
    }
    const held = this.takeHeld(topicFilter);
    for (const excess of held.splice(this.settings.maxPending)) {
      reportOverflow('MQTT', this.inbound(excess), this.settings.maxPending, options.onDropped);
    }
    subscription.queue.unshift(...held);
    subscription.started = true;
    this.pump(subscription);
    return { unsubscribe: () => this.unsubscribe(subscription) };
  }

  private sharedKey(topicFilter: string, queueGroup: string | undefined): string {
    if (queueGroup === undefined) return topicFilter;
    if (this.protocolVersion !== 5) {
      this.warnings.once('v4-groups', `MQTT 3.1.1 has no shared subscriptions: queue group '${queueGroup}' is ignored and every subscriber receives every message`);
      return topicFilter;
    }
    if (queueGroup === '' || /[/+#]/.test(queueGroup)) {
      throw new Error(`MQTT shared subscription group '${queueGroup}' must be non-empty and contain no '/', '+' or '#'`);
    }
    return `$share/${queueGroup}/${topicFilter}`;
  }

  /** The broker subscription for `key`, created or upgraded to `qos` when needed. */
  private async filterFor(key: string, topicFilter: string, qos: MqttQoS): Promise<BrokerFilter> {
    await this.leaving.get(key);
    const existing = this.filters.get(key);
    if (existing !== undefined) {
      if (qos > existing.qos) {
        existing.qos = qos;
        const previous = existing.ready;
        existing.ready = previous.catch(() => undefined).then(() => this.brokerSubscribe(existing));
      }
      return existing;
    }
    const filter: BrokerFilter = {
      key,
      topicFilter,
      identifier: this.allocateIdentifier(),
      members: new Set(),
      qos,
      ready: Promise.resolve(),
    };
    this.filters.set(key, filter);
    if (filter.identifier !== undefined) this.filtersById.set(filter.identifier, filter);
    filter.ready = this.brokerSubscribe(filter);
    filter.ready.catch(() => this.forgetFilter(filter));
    return filter;
  }

  private allocateIdentifier(): number | undefined {
    if (this.protocolVersion !== 5 || this.client.serverProperties?.subscriptionIdentifiersAvailable === false) return undefined;
    const identifier = this.nextIdentifier;
    this.nextIdentifier = identifier >= MAX_SUBSCRIPTION_IDENTIFIER ? 1 : identifier + 1;
    return identifier;
  }

  private async brokerSubscribe(filter: BrokerFilter): Promise<void> {
    const properties = filter.identifier === undefined ? {} : { properties: { subscriptionIdentifier: filter.identifier } };
    let granted: ReadonlyArray<{ readonly qos: number }>;
    try {
      granted = await this.client.subscribeAsync(filter.key, { qos: filter.qos, ...properties });
    } catch (error) {
      throw new Error(`the MQTT broker refused the subscription to "${filter.key}": ${describe(error)}`, { cause: error });
    }
    const refused = granted.find((grant) => grant.qos >= 0x80);
    if (refused !== undefined) {
      throw new Error(`the MQTT broker refused the subscription to "${filter.key}" (reason code ${refused.qos})`);
    }
  }

  private forgetFilter(filter: BrokerFilter): void {
    if (this.filters.get(filter.key) === filter) this.filters.delete(filter.key);
    if (filter.identifier !== undefined) this.filtersById.delete(filter.identifier);
  }

  private async unsubscribe(subscription: LocalSubscription): Promise<void> {
    if (!subscription.routing && !subscription.filter.members.has(subscription)) return;
    subscription.routing = false;
    subscription.queue.length = 0;
    const filter = subscription.filter;
    this.detach(subscription);
    if (filter.members.size > 0 || this.filters.get(filter.key) !== filter) return;
    this.forgetFilter(filter);
    if (this.state === 'closed') return;
    const leaving = this.client.unsubscribeAsync(filter.key).then(() => undefined);
    const settled = leaving.catch(() => undefined);
    this.leaving.set(filter.key, settled);
    try {
      await leaving;
    } finally {
      if (this.leaving.get(filter.key) === settled) this.leaving.delete(filter.key);
    }
  }

  /** Removes a subscription from its filter; close() keeps waiting for its running handlers. */
  private detach(subscription: LocalSubscription): void {
    subscription.filter.members.delete(subscription);
    if (subscription.running === 0) this.liveSubscriptions.delete(subscription);
  }

  private route(delivery: Delivery): void {
    if (this.state === 'closed') return;
    const { topic, packet } = delivery;
    const identifiers = subscriptionIdentifiers(packet);
    const isReply = this.replyInbox !== undefined && topicMatches(this.replyInbox.filter.topicFilter, topic);
    if (isReply) this.settleRequest(delivery);
    const targets = identifiers === undefined
      ? [...this.filters.values()]
      : identifiers.flatMap((identifier) => this.filtersById.get(identifier) ?? []);
    const delivered = new Set<LocalSubscription>();
    for (const filter of targets) {
      if (!topicMatches(filter.topicFilter, topic)) continue;
      for (const subscription of filter.members) {
        if (!subscription.routing || delivered.has(subscription)) continue;
        delivered.add(subscription);
        if (subscription.queue.length >= this.settings.maxPending) {
          reportOverflow('MQTT', this.inbound(delivery), this.settings.maxPending, subscription.onDropped);
          continue;
        }
        subscription.queue.push(delivery);
        this.pump(subscription);
      }
    }
    if (delivered.size === 0 && !isReply && this.state === 'open') this.hold(delivery);
  }

  private hold(delivery: Delivery): void {
    if (this.client.options.clean !== false) return;
    this.held.push(delivery);
    if (this.held.length > MAX_HELD_DELIVERIES) {
      this.held.shift();
      this.warnings.once('held-overflow', `more than ${MAX_HELD_DELIVERIES} messages of the persistent session arrived for topics nothing subscribes to; the oldest are dropped`);
    }
  }

  /** The held deliveries a new subscription to `topicFilter` takes over, oldest first. */
  private takeHeld(topicFilter: string): Delivery[] {
    const taken: Delivery[] = [];
    for (let index = 0; index < this.held.length; ) {
      const delivery = this.held[index];
      if (delivery !== undefined && topicMatches(topicFilter, delivery.topic)) {
        taken.push(delivery);
        this.held.splice(index, 1);
      } else {
        index += 1;
      }
    }
    return taken;
  }

  private pump(subscription: LocalSubscription): void {
    while (subscription.started && subscription.running < this.settings.maxInFlight) {
      const delivery = subscription.queue.shift();
      if (delivery === undefined) return;
      subscription.running += 1;
      const handled = this.handle(subscription, delivery).finally(() => {
        subscription.running -= 1;
        this.runningHandlers.delete(handled);
        if (!subscription.filter.members.has(subscription) && subscription.running === 0) {
          this.liveSubscriptions.delete(subscription);
        }
        this.pump(subscription);
      });
      this.runningHandlers.add(handled);
    }
  }

  private async handle(subscription: LocalSubscription, delivery: Delivery): Promise<void> {
    try {
      // MQTT has no negative acknowledgement: the delivery was acknowledged on arrival.
      await subscription.handler(this.inbound(delivery));
    } catch {
      // A handler failure must not stop the subscription; the generated code reports its own errors.
    }
  }

  private inbound({ topic, payload, packet }: Delivery): InboundMessage {
    const properties = packet.properties ?? {};
    const { contentType, responseTopic, correlationData } = properties;
    const correlationId = correlationData === undefined ? undefined : correlationData.toString('utf8');
    return {
      address: topic,
      payload: copyBytes(payload),
      headers: headersOf(properties.userProperties),
      ...(contentType === undefined ? {} : { contentType }),
      ...(correlationId === undefined ? {} : { correlationId }),
      ...(responseTopic === undefined ? {} : {
        replyTo: responseTopic,
        reply: (answer: Omit<OutboundMessage, 'address'>) => this.reply(responseTopic, correlationData, answer),
      }),
      raw: packet,
    };
  }

  private async reply(responseTopic: string, correlationData: Buffer | undefined, answer: Omit<OutboundMessage, 'address'>): Promise<void> {
    if (this.state === 'closed') throw closedError(`reply on "${responseTopic}"`);
    const { replyTo: _ignored, ...rest } = answer;
    await this.send({ ...rest, address: responseTopic }, undefined, correlationData);
  }

  // --- request/reply ---------------------------------------------------------

  private async request(message: OutboundMessage, options: RequestOptions): Promise<InboundMessage> {
    const { timeoutMs, signal } = options;
    if (this.state !== 'open') throw closedError(`send a request to "${message.address}"`);
    if (this.protocolVersion !== 5) {
      throw new Error(
        `MQTT request/reply needs MQTT 5 (response topic and correlation data), but this connection uses MQTT ${versionLabel(this.protocolVersion)}: ` +
          'connect with protocolVersion 5, or describe the reply with a fixed reply channel and a correlationId in the messages',
      );
    }
    checkRequestTimeout(timeoutMs);
    signal?.throwIfAborted();
    const inbox = await this.ensureReplyInbox();
    signal?.throwIfAborted();
    if (this.state !== 'open') throw closedError(`send a request to "${message.address}"`);
    const replyTopic = `${inbox}/${randomUUID()}`;
    const correlationId = message.correlationId ?? randomUUID();
    return new Promise<InboundMessage>((resolve, reject) => {
      const finish = (settle: () => void): void => {
        if (!this.pendingRequests.delete(replyTopic)) return;
        stopWatching();
        settle();
      };
      const stopWatching = watchRequest(
        options,
        () => finish(() => reject(timeoutError(message.address, timeoutMs))),
        (reason) => finish(() => reject(reason)),
      );
      this.pendingRequests.set(replyTopic, {
        resolve: (reply) => finish(() => resolve(reply)),
        reject: (error) => finish(() => reject(error)),
      });
      this.send({ ...message, correlationId, replyTo: replyTopic }, options.bindings, undefined).catch((error: unknown) => {
        finish(() => reject(error));
      });
    });
  }

  /** Subscribes once to this client's reply topics; resolves to their common prefix. */
  private async ensureReplyInbox(): Promise<string> {
    if (this.replyInbox === undefined) {
      const clientId = this.client.options.clientId ?? randomUUID();
      const base = `${this.settings.replyTopicPrefix}/${encodeParameterValue(clientId)}`;
      const topicFilter = `${base}/+`;
      const filter: BrokerFilter = {
        key: topicFilter,
        topicFilter,
        identifier: this.allocateIdentifier(),
        members: new Set(),
        qos: 1,
        ready: Promise.resolve(),
      };
      filter.ready = this.brokerSubscribe(filter);
      this.replyInbox = { base, filter };
      filter.ready.catch(() => {
        if (this.replyInbox?.filter === filter) this.replyInbox = undefined;
      });
    }
    await this.replyInbox.filter.ready;
    return this.replyInbox.base;
  }

  private settleRequest(delivery: Delivery): void {
    this.pendingRequests.get(delivery.topic)?.resolve(this.inbound(delivery));
  }

  // --- closing ---------------------------------------------------------------

  private close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      for (const subscription of this.liveSubscriptions) subscription.routing = false;
      for (const pending of [...this.pendingRequests.values()]) pending.reject(closedError('wait for a reply'));
      await this.handlersIdle();
      this.state = 'closed';
      await this.disconnect();
    })();
    return this.closing;
  }

  /** Waits until every queued delivery of every subscription has been handled. */
  private async handlersIdle(): Promise<void> {
    for (const subscription of this.liveSubscriptions) this.pump(subscription);
    while (this.runningHandlers.size > 0) {
      await Promise.allSettled([...this.runningHandlers]);
    }
  }

  private async disconnect(): Promise<void> {
    const acknowledged = await withinTime(Promise.allSettled([...this.pendingPublications]), this.settings.closeTimeoutMs);
    // A graceful end sends DISCONNECT (so no last will); it can only complete while connected.
    const graceful = acknowledged && this.client.connected;
    const ended = await withinTime(this.client.endAsync(!graceful), this.settings.closeTimeoutMs);
    if (!ended) {
      this.warnings.once('close-timeout', 'the MQTT broker did not acknowledge the disconnection in time; closing the socket');
      this.client.stream.destroy();
    }
  }
}

// --- connection options --------------------------------------------------------

/** The MQTT version the document's server declares, if it declares one. */
function declaredProtocolVersion(server: ServerDefinition | undefined): MqttProtocolVersion | undefined {
  if (server === undefined) return undefined;
  if (server.protocol.toLowerCase() === 'mqtt5') return 5;
  const declared = server.protocolVersion?.trim() ?? '';
  if (declared === '') return undefined;
  if (/^5(\.0)*$/.test(declared)) return 5;
  if (declared === '3.1') return 3;
  if (/^(3|3\.1\.1|4)$/.test(declared)) return 4;
  throw new Error(`server '${server.name}': unsupported MQTT protocolVersion '${declared}' (use 3.1.1 or 5, or pass protocolVersion)`);
}

function buildConnectOptions(
  resolved: ResolvedServer,
  userOptions: IClientOptions,
  protocolVersion: MqttProtocolVersion,
  warnings: Warnings,
): IClientOptions {
  const fromBindings = serverBindingOptions(resolved.server?.bindings, protocolVersion);
  const fromSecurity = securityOptions(resolved, userOptions, warnings);
  const properties = {
    ...fromBindings.properties,
    ...userOptions.properties,
  };
  if (protocolVersion === 5 && (userOptions.clean ?? fromBindings.clean) === false && properties.sessionExpiryInterval === undefined) {
    properties.sessionExpiryInterval = SESSION_NEVER_EXPIRES;
  }
  const options: IClientOptions = {
    ...fromBindings.options,
    ...fromSecurity,
    ...userOptions,
    protocolVersion,
  };
  if (protocolVersion === 3) options.protocolId ??= 'MQIsdp';
  if (protocolVersion === 5 && Object.keys(properties).length > 0) options.properties = properties;
  return options;
}

function serverBindingOptions(
  bindings: BindingsByProtocol | undefined,
  protocolVersion: MqttProtocolVersion,
): { options: IClientOptions; clean: boolean | undefined; properties: ConnectProperties } {
  const binding = bindings?.['mqtt'];
  const options: IClientOptions = {};
  const clientId = stringField(binding, 'clientId');
  if (clientId !== undefined) options.clientId = clientId;
  const clean = booleanField(binding, 'cleanSession');
  if (clean !== undefined) options.clean = clean;
  const keepAlive = integerField(binding, 'keepAlive');
  if (keepAlive !== undefined) options.keepalive = keepAlive;
  const will = lastWill(binding?.['lastWill']);
  if (will !== undefined) options.will = will;
  const properties: ConnectProperties = {};
  if (protocolVersion === 5) {
    const sessionExpiry = integerField(binding, 'sessionExpiryInterval') ?? integerField(bindings?.['mqtt5'], 'sessionExpiryInterval');
    if (sessionExpiry !== undefined) properties.sessionExpiryInterval = sessionExpiry;
    const maximumPacketSize = integerField(binding, 'maximumPacketSize');
    if (maximumPacketSize !== undefined) properties.maximumPacketSize = maximumPacketSize;
  }
  return { options, clean, properties };
}

function lastWill(value: unknown): IClientOptions['will'] {
  if (!isRecord(value)) return undefined;
  const topic = stringField(value, 'topic');
  if (topic === undefined) return undefined;
  return {
    topic,
    payload: Buffer.from(stringField(value, 'message') ?? '', 'utf8'),
    qos: qosField(value, 'qos') ?? 0,
    retain: booleanField(value, 'retain') ?? false,
  };
}

function securityOptions(resolved: ResolvedServer, userOptions: IClientOptions, warnings: Warnings): IClientOptions {
  const options: IClientOptions = {
    ...(resolved.username === undefined ? {} : { username: resolved.username }),
    ...(resolved.password === undefined ? {} : { password: resolved.password }),
    ...tlsFiles(),
  };
  const token = resolved.token;
  for (const scheme of resolved.server?.security ?? []) {
    switch (scheme.type) {
      case 'userPassword':
      case 'plain':
      case 'scramSha256':
      case 'scramSha512':
        break;
      case 'X509':
        if ((userOptions.cert ?? options.cert) === undefined || (userOptions.key ?? options.key) === undefined) {
          throw new Error(`server '${resolved.server?.name ?? ''}' requires an X509 client certificate: set ASYNCAPI_MQTT_CERT and ASYNCAPI_MQTT_KEY to the certificate and key files (and ASYNCAPI_MQTT_CA if needed)`);
        }
        break;
      case 'apiKey':
        if (token !== undefined) {
          if (scheme.details['in'] === 'user') options.username = token;
          else options.password = token;
        }
        break;
      case 'httpBearerToken':
      case 'oauth2':
      case 'openIdConnect':
        if (token !== undefined && resolved.password === undefined) options.password = token;
        break;
      default:
        warnings.once(`security:${scheme.type}`, `security scheme '${scheme.name}' (${scheme.type}) has no MQTT mapping and is not applied`);
    }
  }
  return options;
}

function tlsFiles(): Pick<IClientOptions, 'ca' | 'cert' | 'key'> {
  return readTlsFiles('MQTT', processEnvironment(), (variable, file, error) => new Error(`${variable}: cannot read '${file}': ${describe(error)}`, { cause: error }));
}

/** The URL mqtt.js understands: AsyncAPI protocol names mapped to its schemes. */
/** CONNACK return code 1 (3.1.1) or reason code 0x84 (MQTT 5): unacceptable protocol version. */
function refusedProtocolVersion(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
  return code === 1 || code === 0x84;
}

function connectionUrl(url: URL): string {
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const mapped = scheme === 'secure-mqtt' ? 'mqtts' : scheme === 'mqtt5' ? 'mqtt' : scheme;
  return `${mapped}://${url.host}${url.pathname}${url.search}`;
}

function credentialsHint(resolved: ResolvedServer, options: IClientOptions): string {
  const schemes = resolved.server?.security ?? [];
  if (schemes.length === 0 || options.username !== undefined || options.password !== undefined) return '';
  return ` (server '${resolved.server?.name ?? ''}' declares security ${schemes.map((scheme) => scheme.type).join(', ')}: set ASYNCAPI_MQTT_USER and ASYNCAPI_MQTT_PASSWORD, or put them in the URL)`;
}

// --- messages ------------------------------------------------------------------

function publishProperties(
  message: OutboundMessage,
  operationBinding: BindingRecord | undefined,
  messageBinding: BindingRecord | undefined,
  correlationData: Buffer | undefined,
): PublishProperties {
  const properties: PublishProperties = {};
  if (Object.keys(message.headers).length > 0) properties.userProperties = { ...message.headers };
  const contentType = stringField(messageBinding, 'contentType') ?? message.contentType;
  if (contentType !== undefined) properties.contentType = contentType;
  const data = correlationData ?? (message.correlationId === undefined ? undefined : Buffer.from(message.correlationId, 'utf8'));
  if (data !== undefined) properties.correlationData = data;
  const responseTopic = message.replyTo ?? stringField(messageBinding, 'responseTopic');
  if (responseTopic !== undefined) properties.responseTopic = responseTopic;
  const payloadFormat = integerField(messageBinding, 'payloadFormatIndicator');
  if (payloadFormat !== undefined) properties.payloadFormatIndicator = payloadFormat === 1;
  const expiry = integerField(operationBinding, 'messageExpiryInterval');
  if (expiry !== undefined) properties.messageExpiryInterval = expiry;
  return properties;
}

function headersOf(userProperties: Readonly<Record<string, string | string[]>> | undefined): MessageHeaders {
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(userProperties ?? {})) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) headers[name] = last;
  }
  return headers;
}

function subscriptionIdentifiers(packet: IPublishPacket): number[] | undefined {
  const value = packet.properties?.subscriptionIdentifier;
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

// --- topics --------------------------------------------------------------------

/**
 * The MQTT topic filter of a pattern: free parameters become `+` for the
 * whole level they are in (a level such as `{id}-suffix` too), and so does
 * a literal level containing `+` or `#`, which topic names cannot contain.
 */
export function topicFilterFor(pattern: AddressPattern): string {
  const FREE = '\u0000';
  let text = '';
  for (const part of pattern.parts) {
    if (part.kind === 'literal') text += part.text;
    else text += part.value ?? FREE;
  }
  return text
    .split('/')
    .map((level) => (level.includes(FREE) || level.includes('+') || level.includes('#') ? '+' : level))
    .join('/');
}

/** Whether an MQTT topic filter (`+`, `#`) matches a topic name. */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) return false;
  for (let index = 0; index < filterLevels.length; index += 1) {
    const level = filterLevels[index];
    if (level === '#') return true;
    const actual = topicLevels[index];
    if (actual === undefined) return false;
    if (level !== '+' && level !== actual) return false;
  }
  return filterLevels.length === topicLevels.length;
}

function checkTopicName(topic: string): void {
  if (topic === '' || /[+#\u0000]/.test(topic)) {
    throw new Error(`"${topic}" is not a valid MQTT topic name: it must be non-empty and contain no '+', '#' or NUL`);
  }
}

// --- small helpers -------------------------------------------------------------

function isRecord(value: unknown): value is BindingRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: unknown, name: string): string | undefined {
  const value = isRecord(record) ? record[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function booleanField(record: unknown, name: string): boolean | undefined {
  const value = isRecord(record) ? record[name] : undefined;
  return typeof value === 'boolean' ? value : undefined;
}

function integerField(record: unknown, name: string): number | undefined {
  const value = isRecord(record) ? record[name] : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function qosField(record: unknown, name: string): MqttQoS | undefined {
  const value = integerField(record, name);
  return value === 0 || value === 1 || value === 2 ? value : undefined;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Runtime warnings through console.warn, each at most once (connection problems once per connection). */
class Warnings {
  private readonly seen = new Set<string>();
  private readonly seenThisConnection = new Set<string>();

  once(key: string, message: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    console.warn(`[asyncapi-gen mqtt] ${message}`);
  }

  perConnection(key: string, message: string): void {
    if (this.seenThisConnection.has(key)) return;
    this.seenThisConnection.add(key);
    console.warn(`[asyncapi-gen mqtt] ${message}`);
  }

  newConnection(): void {
    this.seenThisConnection.clear();
  }
}

async function withinTime(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function versionLabel(version: MqttProtocolVersion): string {
  return version === 5 ? '5' : version === 4 ? '3.1.1' : '3.1';
}
