/**
 * An in-process broker and Transport for tests, with the semantics of the real
 * brokers: asynchronous delivery in publish order, wildcard and fixed-parameter
 * subscriptions, queue groups, native request/reply through private inboxes,
 * and copied payloads. It also records what was published and how every
 * delivery was disposed of, for assertions.
 *
 * Several transports can share one broker (`createMemoryBroker()` and the
 * `broker` option); an App and a Client given the same transport object also
 * talk to each other through that transport's broker.
 */
import { randomUUID } from 'node:crypto';
import { addressPatternRegExp } from '../core/address.js';
import { checkRequestTimeout, checkedMaxPending, closedErrorFor, reportOverflow, timeoutError, trackRequest } from '../core/transport-support.js';
import type {
  AddressPattern,
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
import { copyBytes } from '../core/codec.js';

const closedError = closedErrorFor('Memory');

/** A message bus shared by the memory transports attached to it. */
export interface MemoryBroker {
  /**
   * Resolves once no delivery is queued or running on this broker, including
   * messages published by handlers and replies to requests.
   */
  whenIdle(): Promise<void>;
  /** Live subscriptions, request inboxes included (0 when nothing leaked). */
  readonly subscriptionCount: number;
}

export interface MemoryTransportOptions {
  /** The broker to attach to; by default the transport gets a broker of its own. */
  readonly broker?: MemoryBroker;
  /**
   * Messages that may wait for a handler, per subscription; beyond this a
   * message is dropped, recorded with outcome `dropped` and reported
   * (`onError` kind `overflow`), as on brokers that cannot slow a publisher
   * down. Default 10 000.
   */
  readonly maxPending?: number;
}

/**
 * What became of one delivery: `pending` while the handler runs, `failed` when
 * it threw, `dropped` when the subscription's queue was full (`maxPending`).
 */
export type DeliveryOutcome = 'pending' | Disposition | 'failed' | 'dropped';

/** One message delivered to a subscription of this transport. */
export interface DeliveryRecord {
  readonly address: string;
  /** The template of the subscription that received the message. */
  readonly template: string;
  readonly operation?: string;
  readonly queueGroup?: string;
  readonly payload: Uint8Array;
  readonly headers: MessageHeaders;
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
  readonly key?: string;
  readonly outcome: DeliveryOutcome;
  /** What the handler threw, when `outcome` is `failed`. */
  readonly error?: unknown;
}

export interface MemoryTransport extends Transport {
  readonly protocol: 'memory';
  readonly broker: MemoryBroker;
  /** Every message published through this transport (requests and replies included), as sent. */
  readonly published: ReadonlyArray<OutboundMessage>;
  /** Every delivery to this transport's subscriptions, in delivery order (request inboxes excluded). */
  readonly deliveries: ReadonlyArray<DeliveryRecord>;
  /** Same as `broker.whenIdle()`. */
  whenIdle(): Promise<void>;
  /** Empties `published` and `deliveries`. */
  clearHistory(): void;
}

export function createMemoryBroker(): MemoryBroker {
  const core = new BrokerCore();
  const broker: MemoryBroker = {
    whenIdle: () => core.whenIdle(),
    get subscriptionCount() {
      return core.subscriptionCount;
    },
  };
  brokerCores.set(broker, core);
  return broker;
}

/**
 * A transport on `options.broker`, or on a new broker of its own.
 *
 * - Delivery: asynchronous (never inside `publish`), to every matching
 *   subscription, one message at a time per subscription in publish order
 *   (a handler must not wait for a later message to its own subscription).
 *   Address matching follows `addressPatternRegExp` in `core/address.ts`.
 * - Queue groups: among matching subscriptions with the same group and the
 *   same pattern, each message goes to one member, round-robin.
 * - Handlers: the returned Disposition is recorded; a throw is recorded as
 *   `failed` (a broker would nack it) and never escapes.
 * - `unsubscribe()`: stops routing and drops messages not yet handled;
 *   idempotent.
 * - `close()`: stops routing to this transport's subscriptions, rejects its
 *   pending requests, lets handlers finish the messages already routed to
 *   them (they may still publish and reply), then rejects every later
 *   publish, subscribe and request.
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const broker = options.broker ?? createMemoryBroker();
  const core = coreOf(broker);
  const maxPending = checkedMaxPending(options.maxPending);

  let state: 'open' | 'closing' | 'closed' = 'open';
  let closing: Promise<void> | undefined;
  const ownSubscriptions = new Set<Subscription>();
  const pendingRequests = new Set<(error: Error) => void>();
  const published: OutboundMessage[] = [];
  const deliveries: DeliveryRecord[] = [];

  async function publish(message: OutboundMessage, _options?: PublishOptions): Promise<void> {
    if (state === 'closed') throw closedError(`publish to "${message.address}"`);
    const wire = snapshot(message);
    published.push(wire);
    core.route(wire);
  }

  async function subscribe(
    pattern: AddressPattern,
    handler: InboundHandler,
    subscribeOptions: SubscribeOptions = {},
  ): Promise<TransportSubscription> {
    if (state !== 'open') throw closedError(`subscribe to "${pattern.template}"`);
    const regex = addressPatternRegExp(pattern);
    const { queueGroup, operation, onDropped } = subscribeOptions;
    const recordOf = (wire: OutboundMessage, outcome: DeliveryOutcome): Mutable<DeliveryRecord> => ({
      ...messageFields(wire),
      template: pattern.template,
      ...(operation === undefined ? {} : { operation }),
      ...(queueGroup === undefined ? {} : { queueGroup }),
      outcome,
    });
    const subscription = newSubscription(
      (address) => regex.test(address),
      queueGroup === undefined ? undefined : `${queueGroup}\u0000${regex.source}`,
      maxPending,
      (wire) => {
        deliveries.push(recordOf(wire, 'dropped'));
        reportOverflow('memory', inbound(wire), maxPending, onDropped);
      },
      async (wire) => {
        const record = recordOf(wire, 'pending');
        deliveries.push(record);
        try {
          record.outcome = await handler(inbound(wire));
        } catch (error) {
          record.outcome = 'failed';
          record.error = error;
        }
      },
    );
    core.add(subscription);
    ownSubscriptions.add(subscription);
    return {
      unsubscribe: async () => {
        core.remove(subscription);
        // Kept until its running handler finishes, so close() still waits for it.
        void (subscription.pumping ?? Promise.resolve()).then(() => ownSubscriptions.delete(subscription));
      },
    };
  }

  async function request(message: OutboundMessage, requestOptions: RequestOptions): Promise<InboundMessage> {
    const { timeoutMs, signal } = requestOptions;
    if (state !== 'open') throw closedError(`send a request to "${message.address}"`);
    checkRequestTimeout(timeoutMs);
    signal?.throwIfAborted();

    const inbox = `_INBOX.${randomUUID()}`;
    const correlationId = message.correlationId ?? randomUUID();
    return new Promise<InboundMessage>((resolve, reject) => {
      const inboxSubscription = newSubscription(
        (address) => address === inbox,
        undefined,
        Infinity,
        () => undefined,
        async (wire) => pending.finish(() => resolve(inbound(wire))),
      );
      const pending = trackRequest(requestOptions, reject, () => timeoutError(message.address, timeoutMs), () => {
        core.remove(inboxSubscription);
        pendingRequests.delete(cancel);
      });
      const cancel = (error: Error): void => pending.finish(() => reject(error));

      pendingRequests.add(cancel);
      core.add(inboxSubscription);
      publish({ ...message, correlationId, replyTo: inbox }).catch((error: unknown) => pending.finish(() => reject(error)));
    });
  }

  function inbound(wire: OutboundMessage): InboundMessage {
    const { replyTo } = wire;
    return {
      ...messageFields(wire),
      ...(replyTo === undefined ? {} : { reply: (answer: Omit<OutboundMessage, 'address'>) => reply(wire, replyTo, answer) }),
    };
  }

  function reply(request: OutboundMessage, replyTo: string, answer: Omit<OutboundMessage, 'address'>): Promise<void> {
    // The requester matches replies by the correlation id it sent.
    const correlationId = request.correlationId ?? answer.correlationId;
    return publish({ ...answer, address: replyTo, ...(correlationId === undefined ? {} : { correlationId }) });
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      state = 'closing';
      for (const subscription of ownSubscriptions) core.stopRouting(subscription);
      for (const cancel of [...pendingRequests]) cancel(closedError('wait for a reply'));
      await whenSubscriptionsIdle(ownSubscriptions);
      ownSubscriptions.clear();
      state = 'closed';
    })();
    return closing;
  }

  return {
    protocol: 'memory',
    broker,
    published,
    deliveries,
    publish,
    subscribe,
    request,
    close,
    whenIdle: () => broker.whenIdle(),
    clearHistory: () => {
      published.length = 0;
      deliveries.length = 0;
    },
  };
}

/** One subscription's routing rule and its queue of messages not yet handled. */
interface Subscription {
  readonly matches: (address: string) => boolean;
  /** Group name plus pattern; undefined outside queue groups. */
  readonly groupKey: string | undefined;
  /** Messages that may wait in `queue`; `drop` gets the ones beyond. */
  readonly maxPending: number;
  readonly drop: (wire: OutboundMessage) => void;
  /** Runs the handler for one message; never rejects. */
  readonly deliver: (wire: OutboundMessage) => Promise<void>;
  readonly queue: OutboundMessage[];
  pumping: Promise<void> | undefined;
  /** True while the handler runs for a message taken from `queue`. */
  delivering: boolean;
}

/** Messages waiting for the handler: the head of an idle queue is about to run, so it does not wait. */
function waitingIn(subscription: Subscription): number {
  return subscription.delivering ? subscription.queue.length : Math.max(0, subscription.queue.length - 1);
}

function newSubscription(
  matches: Subscription['matches'],
  groupKey: string | undefined,
  maxPending: number,
  drop: Subscription['drop'],
  deliver: Subscription['deliver'],
): Subscription {
  return { matches, groupKey, maxPending, drop, deliver, queue: [], pumping: undefined, delivering: false };
}

/** Routing and delivery scheduling for one broker. */
class BrokerCore {
  private readonly subscriptions = new Set<Subscription>();
  private readonly groupCursors = new Map<string, number>();
  private readonly pumps = new Set<Promise<void>>();

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  add(subscription: Subscription): void {
    this.subscriptions.add(subscription);
  }

  /** Stops routing to the subscription but lets it handle what is already queued. */
  stopRouting(subscription: Subscription): void {
    this.subscriptions.delete(subscription);
  }

  remove(subscription: Subscription): void {
    this.subscriptions.delete(subscription);
    subscription.queue.length = 0;
  }

  route(wire: OutboundMessage): void {
    const groups = new Map<string, Subscription[]>();
    for (const subscription of this.subscriptions) {
      if (!subscription.matches(wire.address)) continue;
      if (subscription.groupKey === undefined) {
        this.enqueue(subscription, wire);
      } else {
        const members = groups.get(subscription.groupKey) ?? [];
        members.push(subscription);
        groups.set(subscription.groupKey, members);
      }
    }
    for (const [groupKey, members] of groups) {
      const cursor = this.groupCursors.get(groupKey) ?? 0;
      this.groupCursors.set(groupKey, cursor + 1);
      // Round-robin, passing over members whose queue is full while another has room.
      const rotated = members.map((_, offset) => members[(cursor + offset) % members.length]);
      const chosen = rotated.find((member) => member !== undefined && waitingIn(member) < member.maxPending) ?? rotated[0];
      if (chosen !== undefined) this.enqueue(chosen, wire);
    }
  }

  async whenIdle(): Promise<void> {
    while (this.pumps.size > 0) await Promise.all(this.pumps);
  }

  private enqueue(subscription: Subscription, wire: OutboundMessage): void {
    if (waitingIn(subscription) >= subscription.maxPending) {
      subscription.drop(wire);
      return;
    }
    subscription.queue.push(wire);
    if (subscription.pumping !== undefined) return;
    const pump = drainQueue(subscription);
    subscription.pumping = pump;
    this.pumps.add(pump);
    void pump.finally(() => this.pumps.delete(pump));
  }
}

const brokerCores = new WeakMap<MemoryBroker, BrokerCore>();

function coreOf(broker: MemoryBroker): BrokerCore {
  const core = brokerCores.get(broker);
  if (core === undefined) throw new TypeError('The broker option must be a broker made by createMemoryBroker()');
  return core;
}

async function drainQueue(subscription: Subscription): Promise<void> {
  await Promise.resolve(); // deliver after publish returns, never re-entrantly
  for (let wire = subscription.queue.shift(); wire !== undefined; wire = subscription.queue.shift()) {
    subscription.delivering = true;
    await subscription.deliver(wire);
    subscription.delivering = false;
  }
  // Cleared in the same turn as the empty-queue check, so no message can be stranded.
  subscription.pumping = undefined;
}

async function whenSubscriptionsIdle(subscriptions: ReadonlySet<Subscription>): Promise<void> {
  for (;;) {
    const running = [...subscriptions].flatMap((subscription) => subscription.pumping ?? []);
    if (running.length === 0) return;
    await Promise.all(running);
  }
}

/** A private copy, so later changes by the sender do not reach receivers. */
function snapshot(message: OutboundMessage): OutboundMessage {
  if (!(message.payload instanceof Uint8Array)) {
    throw new TypeError(`Payload for "${message.address}" must be a Uint8Array (encode it before publishing)`);
  }
  return { ...message, payload: copyBytes(message.payload), headers: { ...message.headers } };
}

/** The wire fields of a message, with fresh payload and header copies for one receiver. */
function messageFields(wire: OutboundMessage): Omit<InboundMessage, 'reply' | 'raw'> {
  const { contentType, correlationId, replyTo, key } = wire;
  return {
    address: wire.address,
    payload: copyBytes(wire.payload),
    headers: { ...wire.headers },
    ...(contentType === undefined ? {} : { contentType }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(replyTo === undefined ? {} : { replyTo }),
    ...(key === undefined ? {} : { key }),
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
