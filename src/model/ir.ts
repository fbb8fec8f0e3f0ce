/**
 * The version-independent intermediate model. AsyncAPI 2.x and 3.x documents are
 * both normalised into this shape; nothing after the model stage sees the parser.
 *
 * Directions are always from the point of view of the application the document
 * describes: `send` means the application publishes, `receive` means it consumes.
 */

/** A JSON Schema as found in the resolved document: an object (possibly cyclic) or a boolean. */
export type JsonSchema = boolean | JsonSchemaObject;
export interface JsonSchemaObject {
  readonly [keyword: string]: unknown;
}

/** Where a model node came from: the JSON pointer in the resolved document. */
export type Origin = string;

export interface ApiModel {
  readonly asyncapiVersion: string;
  readonly majorVersion: 2 | 3;
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly defaultContentType?: string;
  readonly servers: ReadonlyArray<ServerModel>;
  readonly channels: ReadonlyArray<ChannelModel>;
  readonly operations: ReadonlyArray<OperationModel>;
  /** Every distinct message used by an operation or channel, in document order. */
  readonly messages: ReadonlyArray<MessageModel>;
  /** Schema object -> key under `components.schemas`, for naming shared schemas. */
  readonly componentSchemaNames: ReadonlyMap<object, string>;
}

export interface ServerVariableModel {
  readonly name: string;
  readonly default?: string;
  readonly enum?: ReadonlyArray<string>;
  readonly description?: string;
}

export interface SecuritySchemeModel {
  readonly key: string;
  readonly type: string;
  readonly description?: string;
  /** The rest of the security scheme object (scheme, in, name, flows, ...). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface ServerModel {
  /** Key of the server in `servers`. */
  readonly key: string;
  readonly protocol: string;
  readonly protocolVersion?: string;
  /** `host[:port]` (v3 `host`, or the authority of a v2 `url`), may contain `{variables}`. */
  readonly host: string;
  /** Path part (v3 `pathname`, or the path of a v2 `url`), may contain `{variables}`. */
  readonly pathname?: string;
  readonly description?: string;
  readonly variables: ReadonlyArray<ServerVariableModel>;
  readonly security: ReadonlyArray<SecuritySchemeModel>;
  readonly bindings: BindingsModel;
  readonly origin: Origin;
}

/** Bindings of one object, keyed by protocol; values are plain JSON data. */
export type BindingsModel = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface ParameterModel {
  readonly name: string;
  readonly description?: string;
  /** A JSON Schema for the value (v2 `schema`, or built from v3 `enum`/`default`). */
  readonly schema: JsonSchema;
  /** v3 `location` or v2 `location`: a runtime expression the value is read from. */
  readonly location?: string;
  readonly origin: Origin;
}

export interface ChannelModel {
  /** Key of the channel: v3 channel id, v2 channel name (its address). */
  readonly key: string;
  /** The address with `{parameter}` slots; null when unknown until run time (v3 `address: null`). */
  readonly address: string | null;
  readonly title?: string;
  readonly summary?: string;
  readonly description?: string;
  /** Parameters in the order they appear in the address. */
  readonly parameters: ReadonlyArray<ParameterModel>;
  readonly messages: ReadonlyArray<MessageModel>;
  readonly bindings: BindingsModel;
  /** Keys of the servers this channel is available on; empty means all. */
  readonly servers: ReadonlyArray<string>;
  readonly origin: Origin;
}

export interface CorrelationIdModel {
  /** Runtime expression, for example `$message.header#/correlationId`. */
  readonly location: string;
  readonly description?: string;
}

export interface SchemaUse {
  readonly schema: JsonSchema;
  readonly origin: Origin;
}

export interface MessageModel {
  /**
   * Stable identity of the message: the component key when it is a component,
   * otherwise its `name`/`messageId`, otherwise derived from where it is used.
   */
  readonly key: string;
  /** Whether `key` came from the document (component key, name, id) rather than its context. */
  readonly keyIsDeclared: boolean;
  readonly name?: string;
  readonly title?: string;
  readonly summary?: string;
  readonly description?: string;
  /** Effective content type: the message's own, else the document default, else JSON. */
  readonly contentType: string;
  readonly payload?: SchemaUse;
  readonly headers?: SchemaUse;
  readonly correlationId?: CorrelationIdModel;
  readonly bindings: BindingsModel;
  readonly examples: ReadonlyArray<MessageExampleModel>;
  readonly deprecated: boolean;
  readonly origin: Origin;
}

export interface MessageExampleModel {
  readonly name?: string;
  readonly summary?: string;
  readonly payload?: unknown;
  readonly headers?: unknown;
}

export type OperationAction = 'send' | 'receive';

export interface ReplyAddressModel {
  /** Runtime expression naming where the reply address is read from, for example `$message.header#/replyTo`. */
  readonly location?: string;
  readonly description?: string;
}

export interface ReplyModel {
  /** The channel replies travel on, when the document names one. */
  readonly channel?: ChannelModel;
  /** A dynamic reply address, when the document gives one. */
  readonly address?: ReplyAddressModel;
  readonly messages: ReadonlyArray<MessageModel>;
  readonly origin: Origin;
}

export interface OperationModel {
  /** The operation id as written (v3 key, v2 `operationId`), or a derived stable name. */
  readonly key: string;
  /** True when `key` was derived because the document gave none (v2 without `operationId`). */
  readonly keyIsDerived: boolean;
  readonly action: OperationAction;
  readonly channel: ChannelModel;
  /** The messages this operation carries (defaults to all of the channel's messages). */
  readonly messages: ReadonlyArray<MessageModel>;
  readonly reply?: ReplyModel;
  readonly title?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly deprecated: boolean;
  readonly bindings: BindingsModel;
  readonly security: ReadonlyArray<SecuritySchemeModel>;
  readonly origin: Origin;
}
