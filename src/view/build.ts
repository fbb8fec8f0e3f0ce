/**
 * Stage 4: the model and its names become view models, one per generated file.
 * Every printed string is decided here; templates only place them.
 */
import type { Diagnostic } from '../diagnostics.js';
import type {
  ApiModel,
  BindingsModel,
  ChannelModel,
  MessageModel,
  OperationModel,
  ParameterModel,
  ServerModel,
} from '../model/ir.js';
import { isRecord } from '../model/json.js';
import type { NameTable } from '../naming/names.js';
import { toCamelCase, toTypeName } from '../naming/identifiers.js';
import { NameScope } from '../naming/scope.js';
import { jsDoc, jsonLiteral, propertyKey, stringLiteral } from '../render/escape.js';
import { payloadKind } from '../runtime/core/codec.js';
import type {
  BannerView,
  ChannelView,
  ChannelsView,
  ImportView,
  IndexView,
  MessageView,
  OperationSideView,
  OperationView,
  ServersView,
  TypesView,
  ValidatorsView,
} from './model.js';
import { compileModelSchemas, discriminatorNames, jsonHeaderNames, payloadHasSchema, requiresHeaders, type SchemaBindings } from './schemas.js';
import { parseMessageLocation, type ParsedLocation } from './locations.js';

export type ValidateMode = 'both' | 'send' | 'receive' | 'none';

export interface ViewOptions {
  readonly banner: BannerView;
  /** The generated code's default validation mode. Default `both` (the runtime's own default). */
  readonly defaultValidate?: ValidateMode;
}

export interface FileViews {
  readonly index: IndexView;
  readonly types: TypesView;
  readonly channels: ChannelsView;
  readonly validators: ValidatorsView;
  readonly servers: ServersView;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

const NO_PARAMS_TYPE = 'Record<string, never>';
const RAW_HEADERS_TYPE = 'Record<string, string>';
/** The Kafka message key; other transports ignore it. */
const KEY_FIELD_OPTIONAL = 'readonly key?: string;';
const KEY_FIELD_RECEIVED = 'readonly key?: string;';

function bindingsLiteral(bindings: BindingsModel): string {
  return Object.keys(bindings).length === 0 ? 'undefined' : jsonLiteral(bindings);
}

function optionalField(name: string, literal: string): string {
  return literal === 'undefined' ? '' : `${name}: ${literal}, `;
}

function parameterKind(parameter: ParameterModel): 'string' | 'number' | 'integer' | 'boolean' {
  const schema = parameter.schema;
  if (!isRecord(schema)) return 'string';
  const type = schema['type'];
  return type === 'integer' || type === 'number' || type === 'boolean' ? type : 'string';
}

function locationLiteral(location: ParsedLocation): string {
  return `{ source: ${stringLiteral(location.source)}, path: ${jsonLiteral(location.path)} }`;
}

/** Builds all file views for one document. */
export function buildViews(model: ApiModel, names: NameTable, options: ViewOptions): FileViews {
  const diagnostics: Diagnostic[] = [];
  const addressedChannels = model.channels.filter((channel) => channel.address !== null);
  const schemas = compileModelSchemas(model, names, addressedChannels);
  diagnostics.push(...schemas.diagnostics);
  // Module-private constants of index.ts: collisions are resolved silently.
  const values = new NameScope('constant', undefined, ['createApp', 'createClient', 'runtime', 'options']);
  const validatorImports = new Set<string>();
  const typeImports = new Set<string>();

  // --- channels -----------------------------------------------------------
  const channelViews = new Map<ChannelModel, ChannelView>();
  for (const channel of addressedChannels) {
    const channelNames = names.channels.get(channel);
    if (channelNames === undefined) continue;
    values.claim(channelNames.helper, channel.key, channel.origin);
    // Channel helpers are public: their collisions were reported by the naming stage.
    channelViews.set(channel, channelView(channel, channelNames.helper, channelNames.paramsType, schemas));
  }

  // --- messages -------------------------------------------------------------
  const messageViews = new Map<MessageModel, MessageView>();
  const messageTypes = new Map<MessageModel, { payload: string; headers: string; headersRequired: boolean; key: string | undefined }>();
  function messageView(message: MessageModel): MessageView {
    const known = messageViews.get(message);
    if (known !== undefined) return known;
    const base = names.messages.get(message)?.typeBase ?? toTypeName(message.key);
    const constName = values.claim(`${toCamelCase(base)}Message`, message.key, message.origin);
    const payloadRoot = schemas.payload.get(message);
    const headersRoot = schemas.headers.get(message);
    const keyRoot = schemas.keys.get(message);
    if (keyRoot !== undefined) {
      typeImports.add(keyRoot.typeName);
      validatorImports.add(keyRoot.validatorName);
    }
    const kind = payloadKind(message.contentType);
    const payloadType = kind === 'binary' ? 'Uint8Array' : payloadRoot?.typeName ?? (kind === 'text' ? 'string' : 'unknown');
    if (payloadRoot !== undefined) {
      typeImports.add(payloadRoot.typeName);
      validatorImports.add(payloadRoot.validatorName);
    }
    if (headersRoot !== undefined) {
      typeImports.add(headersRoot.typeName);
      validatorImports.add(headersRoot.validatorName);
    }
    const correlation = message.correlationId === undefined
      ? undefined
      : parseMessageLocation(message.correlationId.location, `${message.origin}/correlationId`, diagnostics);
    const jsonHeaders = message.headers === undefined ? [] : jsonHeaderNames(message.headers.schema);
    const discriminators = message.payload === undefined || kind !== 'json' ? [] : discriminatorNames(message.payload.schema);
    const fields = [
      `name: ${stringLiteral(message.key)}, `,
      `contentType: ${stringLiteral(message.contentType)}, `,
      payloadRoot === undefined || !payloadHasSchema(message) ? '' : `validatePayload: ${payloadRoot.validatorName}, `,
      headersRoot === undefined ? '' : `validateHeaders: ${headersRoot.validatorName}, `,
      keyRoot === undefined ? '' : `validateKey: ${keyRoot.validatorName}, `,
      jsonHeaders.length === 0 ? '' : `jsonHeaders: ${jsonLiteral(jsonHeaders)}, `,
      discriminators.length === 0 ? '' : `discriminators: ${jsonLiteral(discriminators)}, `,
      correlation === undefined ? '' : `correlationId: ${locationLiteral(correlation)}, `,
      optionalField('bindings', bindingsLiteral(message.bindings)),
    ];
    const view: MessageView = {
      constName,
      descriptorLiteral: `{ ${fields.join('')}} satisfies MessageDescriptor`,
    };
    messageViews.set(message, view);
    messageTypes.set(message, {
      payload: payloadType,
      headers: headersRoot?.typeName ?? RAW_HEADERS_TYPE,
      headersRequired: message.headers !== undefined && requiresHeaders(message.headers.schema),
      key: keyRoot?.typeName,
    });
    return view;
  }

  // --- operations ------------------------------------------------------------
  const messagesByAddress = messagesPerAddress(model.operations);
  const operationViews: OperationView[] = [];
  for (const operation of model.operations) {
    const channelView = channelViews.get(operation.channel);
    const operationNames = names.operations.get(operation);
    if (channelView === undefined || operationNames === undefined) {
      diagnostics.push({
        severity: 'warning',
        code: 'operation-skipped',
        message: `operation '${operation.key}' is skipped: its channel '${operation.channel.key}' has no address`,
        pointer: operation.origin,
      });
      continue;
    }
    operationViews.push(operationView(operation, operationNames.method, operationNames.typeBase, channelView));
  }

  function operationView(operation: OperationModel, method: string, typeBase: string, channel: ChannelView): OperationView {
    const constName = values.claim(`${method}Operation`, operation.key, operation.origin);
    const messages = operation.messages.length > 0 ? operation.messages : [];
    const messageConsts = messages.map((message) => messageView(message).constName);
    const neighbourConsts = [...(messagesByAddress.get(addressShape(operation.channel.address ?? '')) ?? [])]
      .filter((message) => !messages.includes(message))
      .map((message) => messageView(message).constName)
      .filter((constName) => !messageConsts.includes(constName));
    const neighboursField = neighbourConsts.length === 0 ? '' : `neighbours: [${neighbourConsts.join(', ')}], `;
    const claimType = (suffix: string): string => names.types.claim(`${typeBase}${suffix}`, `${operation.key} ${suffix}`, operation.origin);
    const declarations: string[] = [];
    const paramsType = channel.hasParameters ? channel.paramsType : NO_PARAMS_TYPE;
    if (channel.hasParameters) typeImports.add(channel.paramsType);

    const inputType = claimType('Input');
    declarations.push(
      `${jsDoc([`What the sending side of \`${method}\` passes.`])}export type ${inputType} = ${unionOf(messages, (message) => {
        const types = messageTypes.get(message);
        return `{ readonly message?: ${stringLiteral(message.key)}; readonly payload: ${types?.payload ?? 'unknown'}; ${types?.headersRequired === true ? `readonly headers: ${types.headers}` : `readonly headers?: ${types?.headers ?? RAW_HEADERS_TYPE}`}; ${types?.key === undefined ? KEY_FIELD_OPTIONAL : `readonly key: ${types.key};`} ${channel.hasParameters ? `readonly params: ${channel.paramsType};` : ''} }`;
      }, `{ readonly payload: unknown; readonly headers?: ${RAW_HEADERS_TYPE}; ${KEY_FIELD_OPTIONAL} ${channel.hasParameters ? `readonly params: ${channel.paramsType};` : ''} }`)};\n`,
    );
    const eventType = claimType('Event');
    declarations.push(
      `${jsDoc([`What the receiving side of \`${method}\` is handed for each message.`])}export type ${eventType} = ${unionOf(messages, (message) => {
        const types = messageTypes.get(message);
        return `{ readonly message: ${stringLiteral(message.key)}; readonly payload: ${types?.payload ?? 'unknown'}; readonly headers: ${types?.headers ?? RAW_HEADERS_TYPE}; readonly params: ${paramsType}; ${KEY_FIELD_RECEIVED} readonly raw: InboundMessage; }`;
      }, `{ readonly message: ${stringLiteral(operation.key)}; readonly payload: unknown; readonly headers: ${RAW_HEADERS_TYPE}; readonly params: ${paramsType}; ${KEY_FIELD_RECEIVED} readonly raw: InboundMessage; }`)};\n`,
    );

    let replyField = '';
    let replyTypes: { reply: string; replyInput: string } | undefined;
    const reply = operation.reply;
    if (reply !== undefined) {
      const replyMessages = reply.messages;
      const replyConsts = replyMessages.map((message) => messageView(message).constName);
      const replyChannel = reply.channel === undefined ? undefined : channelViews.get(reply.channel);
      const addressLocation = reply.address?.location === undefined
        ? undefined
        : parseMessageLocation(reply.address.location, `${reply.origin}/address/location`, diagnostics);
      replyField = `reply: { ${replyChannel === undefined ? '' : `channel: ${replyChannel.helperName}, `}${addressLocation === undefined ? '' : `addressLocation: ${locationLiteral(addressLocation)}, `}messages: [${replyConsts.join(', ')}] }, `;
      const replyType = claimType('Reply');
      const replyInputType = claimType('ReplyInput');
      declarations.push(
        `${jsDoc([`The reply the requesting side of \`${method}\` receives.`])}export type ${replyType} = ${unionOf(replyMessages, (message) => {
          const types = messageTypes.get(message);
          return `{ readonly message: ${stringLiteral(message.key)}; readonly payload: ${types?.payload ?? 'unknown'}; readonly headers: ${types?.headers ?? RAW_HEADERS_TYPE}; }`;
        }, `{ readonly message: string; readonly payload: unknown; readonly headers: ${RAW_HEADERS_TYPE}; }`)};\n`,
        `${jsDoc([`What the replying side of \`${method}\` returns from its handler.`])}export type ${replyInputType} = ${unionOf(replyMessages, (message) => {
          const types = messageTypes.get(message);
          return `{ readonly message?: ${stringLiteral(message.key)}; readonly payload: ${types?.payload ?? 'unknown'}; ${types?.headersRequired === true ? `readonly headers: ${types.headers}` : `readonly headers?: ${types?.headers ?? RAW_HEADERS_TYPE}`}; }`;
        }, `{ readonly payload: unknown; readonly headers?: ${RAW_HEADERS_TYPE}; }`)};\n`,
      );
      replyTypes = { reply: replyType, replyInput: replyInputType };
    }

    const descriptorLiteral = `{ id: ${stringLiteral(operation.key)}, channel: ${channel.helperName}, messages: [${messageConsts.join(', ')}], ${neighboursField}${replyField}${optionalField('bindings', bindingsLiteral(operation.bindings))}} satisfies OperationDescriptor`;

    const address = operation.channel.address ?? '';
    const docLines = [operation.title, operation.summary, operation.description];
    const messageList = messages.map((message) => `\`${message.key}\``).join(', ') || 'messages';
    const sendDoc = (extra: string): string => jsDoc([...docLines, `Sends ${messageList} to \`${address}\`.${extra}`, operation.deprecated ? '@deprecated' : undefined], '  ');
    const receiveDoc = (extra: string): string => jsDoc([...docLines, `Receives ${messageList} on \`${address}\`.${extra}`, operation.deprecated ? '@deprecated' : undefined], '  ');
    const receiveOptions = `ReceiveOptions<${paramsType}>`;

    const sender = (): OperationSideView =>
      replyTypes === undefined
        ? {
            signature: `${sendDoc('')}  ${method}(input: ${inputType}): Promise<void>;`,
            implementation: `${method}: (input) => runtime.send(${constName}, input),`,
          }
        : {
            signature: `${sendDoc(' Resolves with the reply.')}  ${method}(input: ${inputType}, options?: RequestOptions): Promise<${replyTypes.reply}>;`,
            implementation: `${method}: (input, requestOptions) => runtime.request<${replyTypes.reply}>(${constName}, input, requestOptions),`,
          };
    const receiver = (): OperationSideView =>
      replyTypes === undefined
        ? {
            signature: `${receiveDoc('')}  ${method}(handler: (event: ${eventType}) => void | Promise<void>, options?: ${receiveOptions}): Promise<Subscription>;`,
            implementation: `${method}: (handler, receiveOptions) => runtime.receive(${constName}, handler, receiveOptions),`,
          }
        : {
            signature: `${receiveDoc(' The handler returns the reply.')}  ${method}(handler: (event: ${eventType}) => ${replyTypes.replyInput} | Promise<${replyTypes.replyInput}>, options?: ${receiveOptions}): Promise<Subscription>;`,
            implementation: `${method}: (handler, receiveOptions) => runtime.reply(${constName}, handler, receiveOptions),`,
          };
    const appSends = operation.action === 'send';
    return {
      methodName: method,
      constName,
      descriptorLiteral,
      typeDeclarations: declarations,
      app: appSends ? sender() : receiver(),
      client: appSends ? receiver() : sender(),
    };
  }

  const allMessages = [...messageViews.values()];
  const indexImports: ImportView[] = [
    {
      fromLiteral: stringLiteral('./core/operations.js'),
      names: [
        'createOperationRuntime',
        'type ErrorHandler',
        'type MessageDescriptor',
        'type OperationDescriptor',
        'type ReceiveOptions',
        'type RequestOptions',
        'type Subscription',
        'type ValidateMode',
      ],
      typeOnly: false,
    },
    { fromLiteral: stringLiteral('./core/transport.js'), names: ['InboundMessage', 'Transport'], typeOnly: true },
  ];
  const channelHelperNames = operationViews.length === 0 ? [] : [...new Set(model.operations.flatMap((operation) => {
    const helpers = [channelViews.get(operation.channel)?.helperName];
    if (operation.reply?.channel !== undefined) helpers.push(channelViews.get(operation.reply.channel)?.helperName);
    return helpers.filter((name): name is string => name !== undefined);
  }))].sort();
  if (channelHelperNames.length > 0) indexImports.push({ fromLiteral: stringLiteral('./channels.js'), names: channelHelperNames, typeOnly: false });
  if (typeImports.size > 0) indexImports.push({ fromLiteral: stringLiteral('./types.js'), names: [...typeImports].sort(), typeOnly: true });
  if (validatorImports.size > 0) indexImports.push({ fromLiteral: stringLiteral('./validators.js'), names: [...validatorImports].sort(), typeOnly: false });

  return {
    index: {
      banner: options.banner,
      title: model.title,
      doc: jsDoc([`${model.title} ${model.version}`.trim(), model.description]),
      imports: indexImports,
      messages: allMessages,
      operations: operationViews,
      hasOperations: operationViews.length > 0,
      defaultValidateLiteral: stringLiteral(options.defaultValidate ?? 'both'),
      runtimeOptionsExpression: (options.defaultValidate ?? 'both') === 'both'
        ? 'options'
        : `{ ...options, validate: options.validate ?? ${stringLiteral(options.defaultValidate ?? 'both')} }`,
    },
    types: {
      banner: options.banner,
      schemaDeclarations: schemas.typeDeclarations,
      channels: [...channelViews.values()],
    },
    channels: {
      banner: options.banner,
      imports: channelsImports(channelViews, schemas),
      channels: [...channelViews.values()],
    },
    validators: { banner: options.banner, module: schemas.validatorModule },
    servers: { banner: options.banner, servers: model.servers.map(serverView) },
    diagnostics,
  };
}

function serverView(server: ServerModel): { doc: string; literal: string } {
  const variables = Object.fromEntries(server.variables.map((variable) => [variable.name, {
    ...(variable.default === undefined ? {} : { default: variable.default }),
    ...(variable.enum === undefined ? {} : { enum: variable.enum }),
    ...(variable.description === undefined ? {} : { description: variable.description }),
  }]));
  const definition = {
    name: server.key,
    protocol: server.protocol,
    ...(server.protocolVersion === undefined ? {} : { protocolVersion: server.protocolVersion }),
    host: server.host,
    ...(server.pathname === undefined ? {} : { pathname: server.pathname }),
    variables,
    security: server.security.map((scheme) => ({ name: scheme.key, type: scheme.type, details: scheme.details })),
    ...(Object.keys(server.bindings).length === 0 ? {} : { bindings: server.bindings }),
  };
  return { doc: jsDoc([server.description]), literal: jsonLiteral(definition) };
}

function unionOf(messages: ReadonlyArray<MessageModel>, member: (message: MessageModel) => string, fallback: string): string {
  if (messages.length === 0) return fallback;
  return messages.map((message) => `\n  | ${member(message)}`).join('');
}

function channelView(channel: ChannelModel, helperName: string, paramsType: string, schemas: SchemaBindings): ChannelView {
  const hasParameters = channel.parameters.length > 0;
  const fields = channel.parameters.map((parameter) => {
    const root = schemas.parameters.get(parameter);
    return `${jsDoc([parameter.description], '  ')}  readonly ${propertyKey(parameter.name)}: ${root?.typeName ?? 'string'};`;
  });
  const parametersLiteral = `[${channel.parameters
    .map((parameter) => {
      const root = schemas.parameters.get(parameter);
      return `{ name: ${stringLiteral(parameter.name)}, kind: ${stringLiteral(parameterKind(parameter))}${root === undefined ? '' : `, validate: ${root.validatorName}`} }`;
    })
    .join(', ')}]`;
  return {
    helperName,
    doc: jsDoc([channel.title, channel.summary, channel.description, `Address: \`${channel.address ?? ''}\``]),
    addressLiteral: stringLiteral(channel.address ?? ''),
    paramsType: hasParameters ? paramsType : NO_PARAMS_TYPE,
    hasParameters,
    paramsDeclaration: hasParameters
      ? `${jsDoc([`Parameters of the channel \`${channel.address ?? ''}\`.`])}export type ${paramsType} = {\n${fields.join('\n')}\n};\n`
      : '',
    parametersLiteral,
    bindingsField: Object.keys(channel.bindings).length === 0 ? '' : `, bindings: ${bindingsLiteral(channel.bindings)}`,
  };
}

function channelsImports(channelViews: ReadonlyMap<ChannelModel, ChannelView>, schemas: SchemaBindings): ImportView[] {
  const imports: ImportView[] = [{ fromLiteral: stringLiteral('./core/channels.js'), names: ['defineChannel'], typeOnly: false }];
  const types = [...channelViews.values()].filter((view) => view.hasParameters).map((view) => view.paramsType);
  const validators = [...channelViews.keys()].flatMap((channel) =>
    channel.parameters.map((parameter) => schemas.parameters.get(parameter)?.validatorName).filter((name): name is string => name !== undefined),
  );
  if (types.length > 0) imports.push({ fromLiteral: stringLiteral('./types.js'), names: [...new Set(types)].sort(), typeOnly: true });
  if (validators.length > 0) imports.push({ fromLiteral: stringLiteral('./validators.js'), names: [...new Set(validators)].sort(), typeOnly: false });
  return imports;
}


/**
 * Every message the channels of the operations and replies declare, per
 * address shape: on an address several operations share, one operation's
 * subscription also gets the others' messages, which are not errors.
 */
function messagesPerAddress(operations: ReadonlyArray<OperationModel>): Map<string, Set<MessageModel>> {
  const byAddress = new Map<string, Set<MessageModel>>();
  const note = (address: string | null | undefined, messages: ReadonlyArray<MessageModel>): void => {
    if (address === null || address === undefined) return;
    const shape = addressShape(address);
    const known = byAddress.get(shape) ?? new Set<MessageModel>();
    for (const message of messages) known.add(message);
    byAddress.set(shape, known);
  };
  for (const operation of operations) {
    note(operation.channel.address, [...operation.channel.messages, ...operation.messages]);
    const replyChannel = operation.reply?.channel;
    if (operation.reply !== undefined) note(replyChannel?.address, [...(replyChannel?.messages ?? []), ...operation.reply.messages]);
  }
  return byAddress;
}

/** The address with its parameter names left out: `feed/{region}` and `feed/{market}` are one address. */
function addressShape(address: string): string {
  return address.replace(/\{[^}]*\}/g, '{}');
}
