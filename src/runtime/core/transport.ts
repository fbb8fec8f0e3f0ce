/**
 * The contract between generated code and a message broker.
 *
 * Generated App and Client objects speak only this interface; each transport
 * (memory, NATS, MQTT, AMQP, Kafka, WebSocket, Redis) implements it for one
 * protocol. Payloads cross it as encoded bytes: the generated code encodes and
 * validates, the transport only moves bytes, headers and addresses.
 */

/** Message headers as they travel on the wire (string values only). */
export type MessageHeaders = Record<string, string>;

/** Protocol bindings of one AsyncAPI object, keyed by protocol (`mqtt`, `amqp`, `kafka`, ...). */
export type BindingsByProtocol = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** The bindings that apply to one publish or subscribe call, per AsyncAPI object. */
export interface MessageBindings {
  readonly server?: BindingsByProtocol;
  readonly channel?: BindingsByProtocol;
  readonly operation?: BindingsByProtocol;
  readonly message?: BindingsByProtocol;
}

/** One piece of a channel address template. */
export type AddressPart =
  | { readonly kind: 'literal'; readonly text: string }
  /**
   * A `{parameter}` slot. `value` is set (already encoded for the address) when
   * the subscriber fixed the parameter; otherwise the transport subscribes with
   * its wildcard for that slot.
   */
  | { readonly kind: 'parameter'; readonly name: string; readonly value?: string };

/** A channel address with its parameter slots, used to subscribe. */
export interface AddressPattern {
  /** The address as written in the document, for example `user/{userId}/signedup`. */
  readonly template: string;
  readonly parts: ReadonlyArray<AddressPart>;
}

/** A message handed to the transport for sending. */
export interface OutboundMessage {
  /** The concrete address (topic, subject, routing key, path). */
  readonly address: string;
  readonly payload: Uint8Array;
  readonly headers: MessageHeaders;
  readonly contentType?: string;
  /** Transport-level correlation id (AMQP property, MQTT 5 correlation data, ...). */
  readonly correlationId?: string;
  /** Transport-level reply address (AMQP `replyTo`, MQTT 5 response topic, ...). */
  readonly replyTo?: string;
  /** Message key where the protocol has one (Kafka); ignored by others. */
  readonly key?: string;
}

/** A message received from the transport. */
export interface InboundMessage {
  /** The concrete address the message arrived on. */
  readonly address: string;
  readonly payload: Uint8Array;
  readonly headers: MessageHeaders;
  readonly contentType?: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
  readonly key?: string;
  /**
   * Answers this message through the transport's native request/reply mechanism
   * (NATS inbox, AMQP `replyTo`, MQTT 5 response topic). Absent when the sender
   * did not ask for a reply in a way this transport understands.
   */
  readonly reply?: (message: Omit<OutboundMessage, 'address'>) => Promise<void>;
  /** The client library's own message object, for diagnostics and escape hatches. */
  readonly raw?: unknown;
}

/**
 * What the generated code decided about a received message: `ack` when it was
 * handled, `reject` when it was invalid or the handler failed. Transports with
 * acknowledgements map these to ack and nack-without-requeue; others ignore them.
 */
export type Disposition = 'ack' | 'reject';

export type InboundHandler = (message: InboundMessage) => Promise<Disposition>;

/**
 * What the generated operations hand back for a delivery that was settled synchronously (its
 * handler returned without a promise): shared promises, already resolved. A transport that gets
 * one of these very objects from a handler may settle the message at once, without waiting a
 * microtask for the promise; every other promise it awaits as usual.
 */
export const SETTLED_ACK: Promise<Disposition> = Promise.resolve('ack');
export const SETTLED_REJECT: Promise<Disposition> = Promise.resolve('reject');

export interface PublishOptions {
  readonly bindings?: MessageBindings;
  /** The operation publishing, for logging and per-operation transport settings. */
  readonly operation?: string;
}

export interface SubscribeOptions {
  readonly bindings?: MessageBindings;
  readonly operation?: string;
  /** Load-balance deliveries among subscribers sharing this group, where the broker supports it. */
  readonly queueGroup?: string;
  /**
   * Told about a message the transport received but will never hand to the
   * handler: its queue of messages waiting for a handler was full (`maxPending`)
   * and the protocol offers no way to slow the sender down.
   */
  readonly onDropped?: (message: InboundMessage, reason: string) => void;
}

export interface RequestOptions extends PublishOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface TransportSubscription {
  unsubscribe(): Promise<void>;
}

export interface Transport {
  /** The protocol name, for example `memory` or `nats`. */
  readonly protocol: string;
  publish(message: OutboundMessage, options?: PublishOptions): Promise<void>;
  subscribe(
    pattern: AddressPattern,
    handler: InboundHandler,
    options?: SubscribeOptions,
  ): Promise<TransportSubscription>;
  /** Sends a request and resolves with the first reply, using the native reply mechanism. */
  request(message: OutboundMessage, options: RequestOptions): Promise<InboundMessage>;
  /** Stops receiving, waits for in-flight handlers, then disconnects. */
  close(): Promise<void>;
}
