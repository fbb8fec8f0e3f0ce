/**
 * The engine behind every generated operation method: validate, encode and
 * publish on the sending side; subscribe, parse the address, decode, validate,
 * pick the message and call the handler on the receiving side; and correlate
 * requests with replies. Generated code only describes operations (see the
 * descriptor types below) and forwards calls here, so the logic is written,
 * type-checked and tested once.
 */
import type {
  AddressPattern,
  BindingsByProtocol,
  Disposition,
  InboundMessage,
  MessageBindings,
  MessageHeaders,
  OutboundMessage,
  Transport,
} from './transport.js';
import { SETTLED_ACK, SETTLED_REJECT } from './transport.js';
import { encodePayload, decodePayload, namesMediaType, payloadKind } from './codec.js';
import { buildAddress, createAddressMatcher, patternFor } from './address.js';
import { ValidationError, formatIssues, type ValidationIssue } from './validation.js';
import { convertParameterText } from './channels.js';

export type ValidateMode = 'both' | 'send' | 'receive' | 'none';

/** What went wrong with a received message or a handler; the subscription keeps running. */
export type OperationErrorKind =
  | 'decode'
  | 'validation'
  | 'content-type'
  | 'oversize'
  | 'overflow'
  | 'address'
  | 'handler'
  | 'reply';

export class OperationError extends Error {
  readonly kind: OperationErrorKind;
  readonly operation: string;
  /** The raw message as the transport delivered it, when the error is about one. */
  readonly inbound: InboundMessage | undefined;
  readonly issues: ReadonlyArray<ValidationIssue>;
  constructor(
    kind: OperationErrorKind,
    operation: string,
    message: string,
    details: { inbound?: InboundMessage; issues?: ReadonlyArray<ValidationIssue>; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OperationError';
    this.kind = kind;
    this.operation = operation;
    this.inbound = details.inbound;
    this.issues = details.issues ?? [];
  }
}

export type ErrorHandler = (error: OperationError) => void;

export interface RuntimeOptions {
  readonly transport: Transport;
  /** Which directions validate messages against their schemas. Default `both`. */
  readonly validate?: ValidateMode;
  /** Receives errors about incoming messages and handlers. Default: printed with `console.error`. */
  readonly onError?: ErrorHandler;
  /** Incoming payloads larger than this many bytes are not decoded but reported. Default 8 MiB. */
  readonly maxMessageBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** A `$message.header#/a/b` or `$message.payload#/a/b` runtime expression, parsed at generation time. */
export interface MessageLocation {
  readonly source: 'header' | 'payload';
  readonly path: ReadonlyArray<string>;
}

export type ParameterKind = 'string' | 'number' | 'integer' | 'boolean';

export interface ParameterDescriptor {
  readonly name: string;
  readonly kind: ParameterKind;
  readonly validate?: (value: unknown) => ValidationIssue[];
}

export interface ChannelDescriptor {
  /** The address template with `{parameter}` slots. */
  readonly address: string;
  readonly parameters: ReadonlyArray<ParameterDescriptor>;
  readonly bindings?: BindingsByProtocol;
}

export interface MessageDescriptor {
  /** The message's name in the document; handlers receive it as `message`. */
  readonly name: string;
  readonly contentType: string;
  readonly validatePayload?: (value: unknown) => ValidationIssue[];
  readonly validateHeaders?: (value: unknown) => ValidationIssue[];
  /** Checks the message key (Kafka message binding `key`). */
  readonly validateKey?: (value: unknown) => ValidationIssue[];
  /** Header names whose values are JSON (numbers, booleans, objects) rather than plain strings. */
  readonly jsonHeaders?: ReadonlyArray<string>;
  /** Payload properties whose schema fixes their value (`const`, `enum`), like `event: pong`. */
  readonly discriminators?: ReadonlyArray<string>;
  readonly correlationId?: MessageLocation;
  readonly bindings?: BindingsByProtocol;
}

export interface ReplyDescriptor {
  /** The channel replies travel on, when it has a fixed address. */
  readonly channel?: ChannelDescriptor;
  /** Where the requester puts, and the replier reads, the reply address. */
  readonly addressLocation?: MessageLocation;
  readonly messages: ReadonlyArray<MessageDescriptor>;
}

export interface OperationDescriptor {
  /** The operation id in the document. */
  readonly id: string;
  readonly channel: ChannelDescriptor;
  readonly messages: ReadonlyArray<MessageDescriptor>;
  /**
   * Messages other operations declare on the same address. A delivery that is
   * not one of `messages` but passes one of these schemas belongs to another
   * operation: it is skipped, not reported.
   */
  readonly neighbours?: ReadonlyArray<MessageDescriptor>;
  readonly reply?: ReplyDescriptor;
  readonly bindings?: BindingsByProtocol;
  readonly serverBindings?: BindingsByProtocol;
}

type ParamValue = string | number | boolean;
type ParamRecord = Readonly<Record<string, ParamValue>>;

/** What a sending method accepts, before typing by the generated code. */
export interface OutgoingInput {
  readonly payload: unknown;
  readonly params?: object;
  readonly headers?: object;
  readonly message?: string;
  /** The message key (Kafka); numbers and other values are sent as their string form. */
  readonly key?: unknown;
}

/** What a receiving handler gets, before typing by the generated code. */
export interface IncomingEnvelope {
  readonly message: string;
  readonly payload: unknown;
  readonly headers: Record<string, unknown>;
  readonly params: Record<string, ParamValue>;
  readonly key?: string;
  readonly raw: InboundMessage;
}

export interface ReplyInput {
  readonly payload: unknown;
  readonly headers?: object;
  readonly message?: string;
}

export interface ReplyEnvelope {
  readonly message: string;
  readonly payload: unknown;
  readonly headers: Record<string, unknown>;
}

/** Options of a receiving method. Parameters left out subscribe with the broker's wildcard. */
export interface ReceiveOptions<Params extends object = Record<string, ParamValue>> {
  readonly params?: Partial<Params>;
  /** Share deliveries among the subscribers of this group (where the broker supports it). */
  readonly queueGroup?: string;
}

/** Options of a requesting method. */
export interface RequestOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The methods generated code forwards to. The type parameters are the
 * generated envelope types; the engine guarantees their shape by decoding and
 * (unless validation is off) validating before it calls a handler.
 */
export interface OperationRuntime {
  send(operation: OperationDescriptor, input: OutgoingInput): Promise<void>;
  receive<Event>(
    operation: OperationDescriptor,
    handler: (event: Event) => unknown,
    options?: ReceiveOptions<object>,
  ): Promise<Subscription>;
  request<Reply>(
    operation: OperationDescriptor,
    input: OutgoingInput,
    options?: RequestOptions,
  ): Promise<Reply>;
  reply<Event>(
    operation: OperationDescriptor,
    handler: (event: Event) => ReplyInput | Promise<ReplyInput>,
    options?: ReceiveOptions<object>,
  ): Promise<Subscription>;
}

function defaultErrorHandler(error: OperationError): void {
  const issues = error.issues.length > 0 ? `\n${formatIssues(error.issues)}` : '';
  console.error(`[${error.operation}] ${error.kind} error: ${error.message}${issues}`);
}

function messageLabel(operation: OperationDescriptor): string {
  return `operation '${operation.id}'`;
}

export function createOperationRuntime(options: RuntimeOptions): OperationRuntime {
  const { transport } = options;
  const mode = options.validate ?? 'both';
  const validateOnSend = mode === 'both' || mode === 'send';
  const validateOnReceive = mode === 'both' || mode === 'receive';
  const reportError = options.onError ?? defaultErrorHandler;
  const maxMessageBytes = checkedMaxMessageBytes(options.maxMessageBytes);

  function prepareOutbound(
    operation: OperationDescriptor,
    candidates: ReadonlyArray<MessageDescriptor>,
    input: OutgoingInput | ReplyInput,
    address: string,
  ): { outbound: OutboundMessage; descriptor: MessageDescriptor } {
    const descriptor = chooseOutgoingMessage(operation, candidates, input, validateOnSend);
    const headers = encodeHeaders(input.headers ?? {}, descriptor);
    const key = 'key' in input ? keyText(input.key) : undefined;
    const payload = encodePayload(input.payload, descriptor.contentType);
    const contentType = descriptor.contentType;
    // Two literals, not a spread: this is made for every message sent.
    const outbound: OutboundMessage = key === undefined ? { address, payload, headers, contentType } : { address, payload, headers, contentType, key };
    return { outbound, descriptor };
  }

  /**
   * The concrete address. With send validation on, the parameters are checked against their
   * schemas first, as a receiver validating would check them: a value the receiver would reject
   * rejects the send instead.
   */
  function resolveAddress(operation: OperationDescriptor, channel: ChannelDescriptor, params: object | undefined): string {
    if (channel.parameters.length === 0) return channel.address;
    const values = (params ?? {}) as ParamRecord;
    if (validateOnSend) {
      const issues = parameterIssues(channel, values);
      if (issues.length > 0) throw new ValidationError(issues, `Invalid parameters for ${messageLabel(operation)}`);
    }
    return buildAddress(channel.address, values);
  }

  /** Not async, to spare a promise per message; every failure still comes as a rejection. */
  function send(operation: OperationDescriptor, input: OutgoingInput): Promise<void> {
    try {
      const address = resolveAddress(operation, operation.channel, input.params);
      const { outbound, descriptor } = prepareOutbound(operation, operation.messages, input, address);
      // Promise.resolve hands back a native promise as it is; it also covers a JavaScript transport
      // whose publish returns nothing.
      return Promise.resolve(transport.publish(outbound, { operation: operation.id, bindings: bindingsOf(operation, descriptor) }));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Turns a delivery into a typed envelope, or reports why it cannot be one.
   * Returns undefined for a delivery that a broader broker wildcard let through
   * but that does not belong to this channel.
   */
  function openInbound(
    operation: OperationDescriptor,
    channel: ChannelDescriptor,
    candidates: ReadonlyArray<MessageDescriptor>,
    matchAddress: (address: string) => Record<string, string> | undefined,
    inbound: InboundMessage,
    neighbours: ReadonlyArray<Neighbour> = [],
  ): IncomingEnvelope | OperationError | undefined {
    let rawParams: Record<string, string> | undefined;
    try {
      rawParams = matchAddress(inbound.address);
    } catch (error) {
      return new OperationError('address', operation.id, `cannot parse address '${inbound.address}': ${describe(error)}`, { inbound, cause: error });
    }
    if (rawParams === undefined) return undefined;
    if (inbound.payload.byteLength > maxMessageBytes) {
      return new OperationError(
        'oversize',
        operation.id,
        `message on '${inbound.address}' has ${inbound.payload.byteLength} bytes, more than the limit of ${maxMessageBytes} (maxMessageBytes)`,
        { inbound },
      );
    }
    const params = convertParameters(operation, channel, rawParams, inbound);
    if (params instanceof OperationError) return params;
    const accepting = acceptingMessages(candidates, inbound.contentType);
    // Nearly every delivery has one candidate and no neighbour: decoded once, without the memo.
    const decode = accepting.length === 1 && neighbours.length === 0 ? undefined : decoderOf(inbound);
    if (accepting.length === 0) {
      if (isOneOf(neighbours, inbound, decode ?? decoderOf(inbound))) return undefined;
      const expected = [...new Set(candidates.map((descriptor) => descriptor.contentType))].join("' or '");
      return new OperationError(
        'content-type',
        operation.id,
        `message on '${inbound.address}' has content type '${inbound.contentType ?? ''}', expected '${expected}'`,
        { inbound },
      );
    }
    // Made only when a message fails: most do not.
    let failures: string[] | undefined;
    let issues: ValidationIssue[] | undefined;
    let fallback: IncomingEnvelope | undefined;
    for (const descriptor of accepting) {
      const decoded = decode === undefined ? decodePayload(inbound.payload, descriptor.contentType) : decode(descriptor.contentType);
      if (!decoded.ok) {
        (failures ??= []).push(`${descriptor.name}: ${decoded.error}`);
        continue;
      }
      const headers = decodeHeaders(inbound.headers, descriptor);
      const envelope: IncomingEnvelope = inbound.key === undefined
        ? { message: descriptor.name, payload: decoded.value, headers, params, raw: inbound }
        : { message: descriptor.name, payload: decoded.value, headers, params, key: inbound.key, raw: inbound };
      // Without receive validation a lone candidate is the message whatever it holds.
      if (!validateOnReceive && accepting.length === 1) return envelope;
      const payloadIssues = descriptor.validatePayload?.(decoded.value) ?? NO_ISSUES;
      const headerIssues = descriptor.validateHeaders?.(headers) ?? NO_ISSUES;
      if (payloadIssues.length === 0 && headerIssues.length === 0) return envelope;
      const messageIssues = [...payloadIssues, ...headerIssues.map(prefixIssue('headers'))];
      fallback ??= envelope;
      (issues ??= []).push(...(accepting.length > 1 ? messageIssues.map(prefixIssue(descriptor.name)) : messageIssues));
    }
    if (fallback !== undefined && !validateOnReceive) return fallback;
    if (isOneOf(neighbours, inbound, decode ?? decoderOf(inbound))) return undefined;
    if (fallback === undefined) {
      return new OperationError('decode', operation.id, `cannot decode message on '${inbound.address}': ${(failures ?? []).join('; ')}`, { inbound });
    }
    return new OperationError(
      'validation',
      operation.id,
      `invalid message on '${inbound.address}' for ${messageLabel(operation)}`,
      { inbound, issues: issues ?? [] },
    );
  }

  async function subscribeWith(
    operation: OperationDescriptor,
    options: ReceiveOptions<object> | undefined,
    /** The handler; what it returns is awaited when it is a promise. */
    onEnvelope: (envelope: IncomingEnvelope) => unknown,
  ): Promise<Subscription> {
    const channel = operation.channel;
    const pattern: AddressPattern = patternFor(channel.address, fixedParameters(options?.params));
    const matchAddress = rememberingLastMatch(createAddressMatcher(channel.address));
    const neighbours = usableNeighbours(operation, options);
    const subscription = await transport.subscribe(
      pattern,
      // Not async: a delivery whose handler returns synchronously is settled with a shared,
      // already resolved promise, without allocating one per message. Anything that throws
      // still ends as a rejected promise, as the Transport contract expects.
      (inbound): Promise<Disposition> => {
        try {
          const opened = openInbound(operation, channel, operation.messages, matchAddress, inbound, neighbours);
          if (opened === undefined) return SETTLED_ACK;
          if (opened instanceof OperationError) {
            reportError(opened);
            return SETTLED_REJECT;
          }
          let handled: unknown;
          try {
            handled = onEnvelope(opened);
          } catch (error) {
            reportHandlerFailure(operation, inbound, error);
            return SETTLED_REJECT;
          }
          if (!isPromiseLike(handled)) return SETTLED_ACK;
          return Promise.resolve(handled).then(
            (): Disposition => 'ack',
            (error: unknown): Disposition => {
              reportHandlerFailure(operation, inbound, error);
              return 'reject';
            },
          );
        } catch (error) {
          return Promise.reject(error);
        }
      },
      {
        operation: operation.id,
        bindings: bindingsOf(operation, undefined),
        ...(options?.queueGroup === undefined ? {} : { queueGroup: options.queueGroup }),
        onDropped: (inbound, reason) => reportError(new OperationError('overflow', operation.id, reason, { inbound })),
      },
    );
    return { unsubscribe: () => subscription.unsubscribe() };
  }

  /** Reports a handler's failure (a throw or a rejected promise); the caller rejects the delivery. */
  function reportHandlerFailure(operation: OperationDescriptor, inbound: InboundMessage, error: unknown): void {
    reportError(
      error instanceof OperationError
        ? error
        : new OperationError('handler', operation.id, `handler failed: ${describe(error)}`, { inbound, cause: error }),
    );
  }

  /**
   * The neighbours that may claim a delivery for another operation. None when
   * validation is off (nothing tells messages apart), or when this subscription
   * competes with others for one queue (a queue group, an AMQP queue channel):
   * a message skipped there would never reach its own operation. Only JSON
   * messages with a schema count, and one that accepts `{}` only for
   * deliveries that carry one of its discriminators: a loose schema would
   * otherwise claim nearly every bad message.
   */
  function usableNeighbours(operation: OperationDescriptor, options: ReceiveOptions<object> | undefined): ReadonlyArray<Neighbour> {
    if (!validateOnReceive || operation.neighbours === undefined || options?.queueGroup !== undefined) return [];
    if (operation.channel.bindings?.['amqp']?.['is'] === 'queue') return [];
    const usable: Neighbour[] = [];
    for (const descriptor of operation.neighbours) {
      if (payloadKind(descriptor.contentType) !== 'json' || descriptor.validatePayload === undefined) continue;
      const acceptsEmpty = descriptor.validatePayload({}).length === 0;
      const discriminators = descriptor.discriminators ?? [];
      if (acceptsEmpty && discriminators.length === 0) continue;
      usable.push({ descriptor, mustCarry: acceptsEmpty ? discriminators : [] });
    }
    return usable;
  }

  function receive<Event>(
    operation: OperationDescriptor,
    handler: (event: Event) => unknown,
    options?: ReceiveOptions<object>,
  ): Promise<Subscription> {
    return subscribeWith(operation, options, (envelope) => handler(envelope as unknown as Event));
  }

  async function request<Reply>(
    operation: OperationDescriptor,
    input: OutgoingInput,
    callOptions: RequestOptions = {},
  ): Promise<Reply> {
    const reply = operation.reply;
    if (reply === undefined) throw new Error(`${messageLabel(operation)} has no reply`);
    const timeoutMs = callOptions.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const address = resolveAddress(operation, operation.channel, input.params);
    const prepared = prepareOutbound(operation, operation.messages, input, address);
    const correlationId = randomId();
    const requestLocation = prepared.descriptor.correlationId;
    const withCorrelation = stampCorrelation(prepared.outbound, input, requestLocation, correlationId, prepared.descriptor);
    const replyChannel = reply.channel;
    const useReplyChannel =
      requestLocation !== undefined && replyChannel !== undefined && replyChannel.parameters.length === 0;

    let inbound: InboundMessage;
    if (useReplyChannel) {
      inbound = await requestOverReplyChannel(operation, withCorrelation, replyChannel, reply, withCorrelation.correlationId ?? correlationId, timeoutMs, callOptions.signal);
    } else {
      inbound = await transport.request(withCorrelation, {
        timeoutMs,
        operation: operation.id,
        bindings: bindingsOf(operation, prepared.descriptor),
        ...(callOptions.signal === undefined ? {} : { signal: callOptions.signal }),
      });
    }
    return openReply(operation, reply, inbound) as unknown as Reply;
  }

  function openReply(operation: OperationDescriptor, reply: ReplyDescriptor, inbound: InboundMessage): ReplyEnvelope {
    const opened = openInbound(operation, { address: inbound.address, parameters: [] }, reply.messages, () => ({}), inbound);
    if (opened instanceof OperationError) throw opened;
    if (opened === undefined) throw new OperationError('reply', operation.id, 'reply could not be matched');
    return { message: opened.message, payload: opened.payload, headers: opened.headers };
  }

  async function requestOverReplyChannel(
    operation: OperationDescriptor,
    outbound: OutboundMessage,
    replyChannel: ChannelDescriptor,
    reply: ReplyDescriptor,
    correlationId: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<InboundMessage> {
    signal?.throwIfAborted();
    let settle: { resolve: (message: InboundMessage) => void; reject: (error: unknown) => void } | undefined;
    const answered = new Promise<InboundMessage>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // When requests and replies share one address, the request itself comes back on the reply
    // subscription first: that one delivery is skipped, never taken for the answer.
    let ownRequestSeen = false;
    const subscription = await transport.subscribe(
      patternFor(replyChannel.address, undefined),
      async (inbound): Promise<Disposition> => {
        // Oversized deliveries are not parsed for their id; an oversized answer fails in openReply.
        if (inbound.payload.byteLength > maxMessageBytes) return 'ack';
        if (correlationOf(inbound, reply.messages) !== correlationId) return 'ack';
        if (!ownRequestSeen && inbound.address === outbound.address && sameBytes(inbound.payload, outbound.payload)) {
          ownRequestSeen = true;
          return 'ack';
        }
        settle?.resolve(inbound);
        return 'ack';
      },
      {
        operation: operation.id,
        ...(replyChannel.bindings === undefined ? {} : { bindings: { channel: replyChannel.bindings } }),
        onDropped: (inbound, reason) => reportError(new OperationError('overflow', operation.id, reason, { inbound })),
      },
    );
    const timer = setTimeout(
      () => settle?.reject(timeoutError(operation, outbound.address, timeoutMs)),
      timeoutMs,
    );
    const onAbort = (): void => settle?.reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await transport.publish(outbound, { operation: operation.id });
      return await answered;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      await subscription.unsubscribe();
    }
  }

  function reply<Event>(
    operation: OperationDescriptor,
    handler: (event: Event) => ReplyInput | Promise<ReplyInput>,
    options?: ReceiveOptions<object>,
  ): Promise<Subscription> {
    const replyDescriptor = operation.reply;
    if (replyDescriptor === undefined) throw new Error(`${messageLabel(operation)} has no reply`);
    return subscribeWith(operation, options, async (envelope) => {
      const inbound = envelope.raw;
      const answer = withRequestCorrelation((await handler(envelope as unknown as Event)) as ReplyInput, replyDescriptor.messages, envelope.payload, operation.messages);
      const target = replyAddress(replyDescriptor, envelope, inbound);
      const { outbound, descriptor } = prepareOutbound(operation, replyDescriptor.messages, answer, target ?? '');
      const correlationId = correlationOf(inbound, operation.messages) ?? inbound.correlationId;
      const stamped = correlationId === undefined
        ? outbound
        : stampCorrelation(outbound, answer, descriptor.correlationId, correlationId, descriptor);
      try {
        if (inbound.reply !== undefined) {
          const { address: _ignored, ...rest } = stamped;
          await inbound.reply(rest);
        } else if (target !== undefined) {
          await transport.publish(stamped, { operation: operation.id, bindings: bindingsOf(operation, descriptor) });
        } else {
          throw new Error('the request names no reply address and the transport has no native reply for it');
        }
      } catch (error) {
        throw new OperationError('reply', operation.id, `cannot send reply: ${describe(error)}`, { inbound, cause: error });
      }
    });
  }

  return { send, receive, request, reply };
}

function replyAddress(reply: ReplyDescriptor, envelope: IncomingEnvelope, inbound: InboundMessage): string | undefined {
  if (reply.addressLocation !== undefined) {
    const fromMessage = readLocation(reply.addressLocation, envelope.payload, envelope.headers);
    if (typeof fromMessage === 'string' && fromMessage !== '') return fromMessage;
  }
  if (inbound.replyTo !== undefined && inbound.replyTo !== '') return inbound.replyTo;
  if (reply.channel !== undefined && reply.channel.parameters.length === 0) return reply.channel.address;
  return undefined;
}

function chooseOutgoingMessage(
  operation: OperationDescriptor,
  candidates: ReadonlyArray<MessageDescriptor>,
  input: OutgoingInput | ReplyInput,
  validate: boolean,
): MessageDescriptor {
  const named = input.message;
  const pool = named === undefined ? candidates : candidates.filter((candidate) => candidate.name === named);
  const first = pool[0];
  if (first === undefined) {
    throw new Error(`${messageLabel(operation)} has no message named '${String(named)}'`);
  }
  if (!validate) return first;
  const issues: ValidationIssue[] = [];
  for (const descriptor of pool) {
    const payloadIssues = descriptor.validatePayload?.(input.payload) ?? NO_ISSUES;
    const headerIssues = descriptor.validateHeaders?.(input.headers ?? {}) ?? NO_ISSUES;
    const keyIssues = 'key' in input ? (descriptor.validateKey?.(input.key) ?? NO_ISSUES) : NO_ISSUES;
    if (payloadIssues.length === 0 && headerIssues.length === 0 && keyIssues.length === 0) return descriptor;
    const messageIssues = [...payloadIssues, ...headerIssues.map(prefixIssue('headers')), ...keyIssues.map(prefixIssue('key'))];
    issues.push(...(pool.length > 1 ? messageIssues.map(prefixIssue(descriptor.name)) : messageIssues));
  }
  throw new ValidationError(issues, `Invalid outgoing message for ${messageLabel(operation)}`);
}

function keyText(key: unknown): string | undefined {
  if (key === undefined || key === null) return undefined;
  return typeof key === 'string' ? key : JSON.stringify(key);
}

function prefixIssue(prefix: string): (issue: ValidationIssue) => ValidationIssue {
  return (issue) => ({ ...issue, path: `${prefix}:${issue.path === '' ? '/' : issue.path}` });
}

function fixedParameters(params: object | undefined): Record<string, ParamValue> | undefined {
  if (params === undefined) return undefined;
  const fixed: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fixed[name] = value;
  }
  return fixed;
}

function convertParameters(
  operation: OperationDescriptor,
  channel: ChannelDescriptor,
  raw: Record<string, string>,
  inbound: InboundMessage,
): Record<string, ParamValue> | OperationError {
  const params: Record<string, ParamValue> = {};
  // Made only when a parameter fails: most deliveries have none.
  let issues: ValidationIssue[] | undefined;
  for (const parameter of channel.parameters) {
    const text = raw[parameter.name];
    if (text === undefined) continue;
    const value = convertParameterText(text, parameter.kind);
    if (value === undefined) {
      (issues ??= []).push(parameterIssue(parameter, { path: '', keyword: 'type', message: `must be ${parameter.kind}` }));
      continue;
    }
    for (const issue of parameter.validate?.(value) ?? NO_ISSUES) (issues ??= []).push(parameterIssue(parameter, issue));
    params[parameter.name] = value;
  }
  if (issues !== undefined) {
    return new OperationError('address', operation.id, `address '${inbound.address}' has invalid parameters`, { inbound, issues });
  }
  return params;
}

/** What the parameters' schemas say of the values given for them (a missing value is buildAddress's to report). */
function parameterIssues(channel: ChannelDescriptor, values: ParamRecord): ReadonlyArray<ValidationIssue> {
  // Made only when a parameter fails: this runs for every message sent on a parameterised channel.
  let issues: ValidationIssue[] | undefined;
  for (const parameter of channel.parameters) {
    const value = values[parameter.name];
    if (value === undefined || parameter.validate === undefined) continue;
    for (const issue of parameter.validate(value)) (issues ??= []).push(parameterIssue(parameter, issue));
  }
  return issues ?? NO_ISSUES;
}

/** A parameter's issue located under `params:`, as sending and receiving both report it. */
function parameterIssue(parameter: ParameterDescriptor, issue: ValidationIssue): ValidationIssue {
  return { ...issue, path: `params:${parameterPointer(parameter.name)}${issue.path}` };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function parameterPointer(name: string): string {
  return `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

const NO_ISSUES: ReadonlyArray<ValidationIssue> = Object.freeze([]);

/** The candidates a delivery of this content type can be; the same array when all of them can. */
function acceptingMessages(candidates: ReadonlyArray<MessageDescriptor>, contentType: string | undefined): ReadonlyArray<MessageDescriptor> {
  if (contentType === undefined) return candidates;
  for (const descriptor of candidates) {
    if (!acceptsContentType(descriptor.contentType, contentType)) {
      return candidates.filter((candidate) => acceptsContentType(candidate.contentType, contentType));
    }
  }
  return candidates;
}

function encodeHeaders(headers: object, descriptor: MessageDescriptor): MessageHeaders {
  const encoded: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value === undefined) continue;
    encoded[name] = typeof value === 'string' && !(descriptor.jsonHeaders ?? []).includes(name)
      ? value
      : JSON.stringify(value);
  }
  return encoded;
}

function decodeHeaders(headers: MessageHeaders, descriptor: MessageDescriptor): Record<string, unknown> {
  const jsonHeaders = descriptor.jsonHeaders ?? [];
  if (jsonHeaders.length === 0) return { ...headers };
  // fromEntries, not assignment: a header named `__proto__` stays an ordinary header.
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, jsonHeaders.includes(name) ? jsonHeaderValue(value) : value]));
}

/** A JSON header's value, or its text when it is not JSON (validation then reports the wrong type). */
function jsonHeaderValue(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function readLocation(location: MessageLocation, payload: unknown, headers: Record<string, unknown>): unknown {
  let current: unknown = location.source === 'header' ? headers : payload;
  for (const segment of location.path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function correlationOf(inbound: InboundMessage, messages: ReadonlyArray<MessageDescriptor>): string | undefined {
  for (const descriptor of messages) {
    const location = descriptor.correlationId;
    if (location === undefined) continue;
    if (location.source === 'header') {
      const value = location.path.length === 1 ? inbound.headers[location.path[0] ?? ''] : undefined;
      if (value !== undefined) return unquote(value);
      continue;
    }
    const decoded = decodePayload(inbound.payload, inbound.contentType ?? descriptor.contentType);
    if (!decoded.ok) continue;
    const value = readLocation(location, decoded.value, {});
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return inbound.correlationId;
}

function unquote(value: string): string {
  if (value.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not JSON: the raw header value is the id.
    }
  }
  return value;
}

/**
 * Puts the correlation id where the message says it lives (a header, or a
 * payload property the caller left empty) and on the transport's own field.
 */
function stampCorrelation(
  outbound: OutboundMessage,
  input: OutgoingInput | ReplyInput,
  location: MessageLocation | undefined,
  correlationId: string,
  descriptor: MessageDescriptor,
): OutboundMessage {
  if (location === undefined) return { ...outbound, correlationId };
  if (location.source === 'header') {
    const headerName = location.path[0];
    if (headerName === undefined || location.path.length !== 1) return { ...outbound, correlationId };
    const existing = outbound.headers[headerName];
    const id = existing === undefined ? correlationId : unquote(existing);
    return { ...outbound, correlationId: id, headers: { ...outbound.headers, [headerName]: id } };
  }
  const existing = readLocation(location, input.payload, {});
  if (typeof existing === 'string') return { ...outbound, correlationId: existing };
  if (typeof existing === 'number' && Number.isFinite(existing)) return { ...outbound, correlationId: String(existing) };
  // The field's schema decides between a string id and an integer one (many APIs use `reqid: integer`).
  const pointer = location.path.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  const candidates = correlationCandidates(correlationId);
  for (const [index, value] of candidates.entries()) {
    const payload = withValueAt(input.payload, location.path, value);
    if (payload === undefined) return { ...outbound, correlationId };
    const refused = descriptor.validatePayload?.(payload).some((issue) => issue.path === pointer) ?? false;
    if (!refused || index === candidates.length - 1) {
      return { ...outbound, correlationId: String(value), payload: encodePayload(payload, descriptor.contentType) };
    }
  }
  return { ...outbound, correlationId };
}

/** The id as a string, then as an integer: the number it spells, or one derived from it. */
function correlationCandidates(id: string): Array<string | number> {
  if (/^-?\d{1,15}$/.test(id)) return [id, Number(id)];
  let hash = 0;
  for (const character of id) hash = (Math.imul(hash, 31) + (character.codePointAt(0) ?? 0)) | 0;
  return [id, Math.abs(hash) % 2_147_483_647];
}

function withValueAt(target: unknown, path: ReadonlyArray<string>, value: string | number): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return undefined;
  const record = target as Record<string, unknown>;
  const inner = rest.length === 0 ? value : withValueAt(record[head] ?? {}, rest, value);
  if (inner === undefined) return undefined;
  return { ...record, [head]: inner };
}

/** The bindings a transport is handed, built once per operation and message: sending asks for every message. */
function bindingsOf(operation: OperationDescriptor, message: MessageDescriptor | undefined): MessageBindings {
  let byMessage = bindingsByOperation.get(operation);
  if (byMessage === undefined) {
    byMessage = new Map();
    bindingsByOperation.set(operation, byMessage);
  }
  let bindings = byMessage.get(message);
  if (bindings === undefined) {
    bindings = {
      ...(operation.serverBindings === undefined ? {} : { server: operation.serverBindings }),
      ...(operation.channel.bindings === undefined ? {} : { channel: operation.channel.bindings }),
      ...(operation.bindings === undefined ? {} : { operation: operation.bindings }),
      ...(message?.bindings === undefined ? {} : { message: message.bindings }),
    };
    byMessage.set(message, bindings);
  }
  return bindings;
}

const bindingsByOperation = new WeakMap<OperationDescriptor, Map<MessageDescriptor | undefined, MessageBindings>>();

function timeoutError(operation: OperationDescriptor, address: string, timeoutMs: number): Error {
  const error = new Error(`${messageLabel(operation)}: no reply to the request on '${address}' within ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}

function randomId(): string {
  return globalThis.crypto.randomUUID();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/**
 * Copies the request's correlation value (string or number, as it came) into the answer's
 * payload when the reply carries its correlation id there and the handler left it out, so
 * that a schema requiring it is satisfied and the requester can match the reply.
 */
function withRequestCorrelation(
  answer: ReplyInput,
  replyMessages: ReadonlyArray<MessageDescriptor>,
  requestPayload: unknown,
  requestMessages: ReadonlyArray<MessageDescriptor>,
): ReplyInput {
  const requestLocation = requestMessages.find((descriptor) => descriptor.correlationId?.source === 'payload')?.correlationId;
  const replyLocation = replyMessages.find((descriptor) => descriptor.correlationId?.source === 'payload')?.correlationId;
  if (requestLocation === undefined || replyLocation === undefined) return answer;
  const value = readLocation(requestLocation, requestPayload, {});
  if (typeof value !== 'string' && typeof value !== 'number') return answer;
  if (readLocation(replyLocation, answer.payload, {}) !== undefined) return answer;
  const payload = withValueAt(answer.payload ?? {}, replyLocation.path, value);
  return payload === undefined ? answer : { ...answer, payload };
}

function checkedMaxMessageBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_MESSAGE_BYTES;
  if (value === Infinity || (Number.isInteger(value) && value > 0)) return value;
  throw new RangeError(`maxMessageBytes must be a positive integer or Infinity, got ${value}`);
}

/**
 * Whether a message sent with `received` can be the message declared with
 * `declared`: both are JSON, both text, or both binary (spellings differ:
 * `avro/binary` and `application/vnd.apache.avro`, `text/xml` and
 * `application/xml`). A message without a content type (MQTT 3, Kafka,
 * Redis, most plain clients) is taken as declared.
 */
export function acceptsContentType(declared: string, received: string | undefined): boolean {
  if (received === undefined || received === '' || received === declared) return true;
  return payloadKind(received) === payloadKind(declared) || !namesMediaType(received);
}

/** A message another operation declares on the same address, as far as it can claim deliveries. */
interface Neighbour {
  readonly descriptor: MessageDescriptor;
  /** A delivery it claims must carry one of these payload properties (for schemas that accept `{}`). */
  readonly mustCarry: ReadonlyArray<string>;
}

type Decoded = ReturnType<typeof decodePayload>;

/**
 * A subscription's deliveries nearly always come on the address of the one before (and the NATS
 * transport hands over the very same string): the last match is answered again without the regular
 * expression. Only for openInbound, which reads the parameters and never changes them.
 */
function rememberingLastMatch(
  match: (address: string) => Readonly<Record<string, string>> | undefined,
): (address: string) => Readonly<Record<string, string>> | undefined {
  let lastAddress: string | undefined;
  let lastMatch: Readonly<Record<string, string>> | undefined;
  return (address) => {
    if (address !== lastAddress) {
      lastMatch = match(address);
      lastAddress = address;
    }
    return lastMatch;
  };
}

/** Decodes a delivery's payload at most once per content type, however many messages try it. */
function decoderOf(inbound: InboundMessage): (contentType: string) => Decoded {
  // Nearly every delivery is tried as one content type: no map for that one.
  let firstType: string | undefined;
  let first: Decoded | undefined;
  let others: Map<string, Decoded> | undefined;
  return (contentType) => {
    if (first === undefined) {
      firstType = contentType;
      first = decodePayload(inbound.payload, contentType);
      return first;
    }
    if (contentType === firstType) return first;
    others ??= new Map();
    let decoded = others.get(contentType);
    if (decoded === undefined) {
      decoded = decodePayload(inbound.payload, contentType);
      others.set(contentType, decoded);
    }
    return decoded;
  };
}

/** Whether the message is one of the neighbours: it passes its schemas and carries what it must. */
function isOneOf(neighbours: ReadonlyArray<Neighbour>, inbound: InboundMessage, decode: (contentType: string) => Decoded): boolean {
  return neighbours.some(({ descriptor, mustCarry }) => {
    if (descriptor.validatePayload === undefined || !acceptsContentType(descriptor.contentType, inbound.contentType)) return false;
    const decoded = decode(descriptor.contentType);
    if (!decoded.ok || descriptor.validatePayload(decoded.value).length > 0) return false;
    const value = decoded.value;
    if (mustCarry.length > 0 && !(typeof value === 'object' && value !== null && mustCarry.some((name) => Object.hasOwn(value, name)))) return false;
    return (descriptor.validateHeaders?.(decodeHeaders(inbound.headers, descriptor)) ?? []).length === 0;
  });
}
