/**
 * Which MQTT bindings (https://github.com/asyncapi/bindings/tree/master/mqtt,
 * 0.2.0; and the deprecated `mqtt5`) transports/mqtt.ts honours, and a
 * warning for every one it does not, so that no binding is dropped silently.
 *
 * Honoured: server `clientId`, `cleanSession`, `keepAlive`, `lastWill`, and on
 * MQTT 5 integer `sessionExpiryInterval` and `maximumPacketSize`; operation
 * `qos`, `retain` (when sending) and on MQTT 5 integer `messageExpiryInterval`
 * (when sending); message `contentType`, `payloadFormatIndicator` and string
 * `responseTopic` on MQTT 5; `bindingVersion` everywhere. Not honoured:
 * Schema Objects where the transport needs a value, message `correlationData`
 * (a schema the transport does not validate), channel fields (none defined),
 * MQTT 5 fields on servers declared 3.x, unknown fields.
 *
 * It also warns when MQTT 3.x servers meet features that need MQTT 5: message
 * headers (user properties) and request/reply through response topics.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel, BindingsModel, ChannelModel, MessageModel, OperationModel, ServerModel } from '../../model/ir.js';

type BoundObjectKind = 'server' | 'channel' | 'operation' | 'message';
type MqttVersion = 3 | 5;

const MQTT_PROTOCOLS: ReadonlySet<string> = new Set(['mqtt', 'mqtts', 'secure-mqtt', 'mqtt5']);

/** Why a binding field is not honoured, or undefined when it is. */
type FieldCheck = (value: unknown, context: FieldContext) => string | undefined;

interface FieldContext {
  /** MQTT 3.x servers the object is used with (MQTT 5-only fields do not reach them). */
  readonly v3Servers: ReadonlyArray<string>;
  /** For operations: whether the application sends (publishes) on it. */
  readonly sends: boolean;
}

interface BoundObject {
  readonly kind: BoundObjectKind;
  readonly name: string;
  readonly protocol: 'mqtt' | 'mqtt5';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly origin: string;
  readonly context: FieldContext;
}

const accepted: FieldCheck = () => undefined;

const FIELDS: Readonly<Record<'mqtt' | 'mqtt5', Readonly<Record<BoundObjectKind, Readonly<Record<string, FieldCheck>>>>>> = {
  mqtt: {
    server: {
      bindingVersion: accepted,
      clientId: expect('a string', (value) => typeof value === 'string' && value !== ''),
      cleanSession: expect('a boolean', (value) => typeof value === 'boolean'),
      keepAlive: expect('a non-negative integer', isNonNegativeInteger),
      lastWill: checkLastWill,
      sessionExpiryInterval: mqtt5Integer,
      maximumPacketSize: mqtt5Integer,
    },
    channel: { bindingVersion: accepted },
    operation: {
      bindingVersion: accepted,
      qos: expect('0, 1 or 2', isQos),
      retain: (value, context) =>
        typeof value !== 'boolean' ? 'must be a boolean; the transport ignores it' : sendOnly(context),
      messageExpiryInterval: (value, context) => mqtt5Integer(value, context) ?? sendOnly(context),
    },
    message: {
      bindingVersion: accepted,
      contentType: (value, context) =>
        typeof value !== 'string' ? 'must be a string; the transport ignores it' : mqtt5Only(context),
      payloadFormatIndicator: (value, context) =>
        value !== 0 && value !== 1 ? 'must be 0 or 1; the transport ignores it' : mqtt5Only(context),
      responseTopic: (value, context) =>
        typeof value !== 'string'
          ? 'is a Schema Object, not a topic: the transport sets no response topic from it (write the topic as a string)'
          : mqtt5Only(context),
      correlationData: () =>
        'describes correlation data, which the transport does not validate (it sends the generated correlation id as MQTT 5 correlation data)',
    },
  },
  mqtt5: {
    server: { bindingVersion: accepted, sessionExpiryInterval: mqtt5Integer },
    channel: { bindingVersion: accepted },
    operation: { bindingVersion: accepted },
    message: { bindingVersion: accepted },
  },
};

export function checkMqttBindings(model: ApiModel): Diagnostic[] {
  const versions = new Map(model.servers.filter(isMqttServer).map((server) => [server.key, mqttVersion(server)]));
  const diagnostics: Diagnostic[] = [
    ...protocolVersionProblems(model),
    ...bindingProblems(model, versions),
    ...headerProblems(model, versions),
    ...replyProblems(model, versions),
  ];
  return diagnostics;
}

// --- binding fields --------------------------------------------------------------

function bindingProblems(model: ApiModel, versions: ReadonlyMap<string, MqttVersion | undefined>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const object of boundObjects(model, versions)) {
    const known = FIELDS[object.protocol][object.kind];
    for (const [field, value] of Object.entries(object.fields)) {
      const check = known[field];
      const problem = check === undefined ? 'is not an MQTT binding field the transport knows, and is ignored' : check(value, object.context);
      if (problem === undefined) continue;
      diagnostics.push({
        severity: 'warning',
        code: 'binding-unsupported',
        message: `${object.kind} '${object.name}': ${object.protocol} binding '${field}' ${problem}`,
        pointer: object.origin,
        hint: check === undefined
          ? `MQTT ${object.kind} bindings define: ${Object.keys(known).join(', ')}`
          : 'see the MQTT transport documentation (transports/mqtt.ts) for what it maps',
      });
    }
  }
  return diagnostics;
}

function expect(what: string, test: (value: unknown) => boolean): FieldCheck {
  return (value) => (test(value) ? undefined : `must be ${what}; the transport ignores it`);
}

function checkLastWill(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value['topic'] !== 'string' || value['topic'] === '') {
    return 'needs a `topic` string; without one the transport sets no last will';
  }
  const ignored = Object.keys(value).filter((key) => !['topic', 'qos', 'message', 'retain'].includes(key));
  if (value['qos'] !== undefined && !isQos(value['qos'])) return 'has a `qos` other than 0, 1 or 2; the transport uses 0';
  if (value['message'] !== undefined && typeof value['message'] !== 'string') return 'has a non-string `message`; the transport sends an empty one';
  if (value['retain'] !== undefined && typeof value['retain'] !== 'boolean') return 'has a non-boolean `retain`; the transport uses false';
  if (ignored.length > 0) return `has fields the transport ignores: ${ignored.join(', ')}`;
  return undefined;
}

function mqtt5Integer(value: unknown, context: FieldContext): string | undefined {
  if (!isNonNegativeInteger(value)) {
    return 'is not an integer (a Schema Object describes values but gives none): the transport does not set it';
  }
  return mqtt5Only(context);
}

function mqtt5Only(context: FieldContext): string | undefined {
  if (context.v3Servers.length === 0) return undefined;
  return `exists only in MQTT 5 and is not sent to ${describeServers(context.v3Servers)}, which use${context.v3Servers.length === 1 ? 's' : ''} MQTT 3.x`;
}

function sendOnly(context: FieldContext): string | undefined {
  return context.sends ? undefined : 'applies to publishing, and this operation receives: the transport ignores it';
}

// --- MQTT 3.x limits ---------------------------------------------------------------

function protocolVersionProblems(model: ApiModel): Diagnostic[] {
  return model.servers.filter(isMqttServer).flatMap((server): Diagnostic[] => {
    const declared = server.protocolVersion?.trim() ?? '';
    if (declared === '' || mqttVersion(server) !== undefined) return [];
    return [{
      severity: 'warning',
      code: 'mqtt-protocol-version',
      message: `server '${server.key}': MQTT protocolVersion '${declared}' is not one the transport speaks (3.1, 3.1.1 or 5); creating the transport for this server fails unless it is given protocolVersion`,
      pointer: server.origin,
      hint: "write protocolVersion: '3.1.1' or '5'",
    }];
  });
}

function headerProblems(model: ApiModel, versions: ReadonlyMap<string, MqttVersion | undefined>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const operation of model.operations) {
    const v3Servers = mqtt3ServersOf(operation.channel, model, versions);
    for (const message of messagesOf(operation)) {
      if (message.headers === undefined || v3Servers.length === 0 || reported.has(message.origin)) continue;
      reported.add(message.origin);
      diagnostics.push({
        severity: 'warning',
        code: 'mqtt-headers-unsupported',
        message: `message '${message.key}' has headers, but ${describeServers(v3Servers)} use${v3Servers.length === 1 ? 's' : ''} MQTT 3.x, which cannot carry them: they are dropped when sending and missing when receiving`,
        pointer: message.origin,
        hint: "use protocolVersion '5' (headers travel as user properties), or move these fields into the payload",
      });
    }
  }
  return diagnostics;
}

/**
 * Request/reply over MQTT 3.x works only when the generated code can
 * correlate by itself: a reply channel with a fixed address and a correlation
 * id in the payload (headers do not travel). Otherwise it needs MQTT 5's
 * response topic, and `request()` fails at run time.
 */
function replyProblems(model: ApiModel, versions: ReadonlyMap<string, MqttVersion | undefined>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const operation of model.operations) {
    const reply = operation.reply;
    if (reply === undefined) continue;
    const v3Servers = mqtt3ServersOf(operation.channel, model, versions);
    if (v3Servers.length === 0 || correlatesInPayload(operation)) continue;
    diagnostics.push({
      severity: 'warning',
      code: 'mqtt-reply-unsupported',
      message: `operation '${operation.key}': request/reply needs MQTT 5 (response topic and correlation data) unless the reply channel has a fixed address and the messages carry a correlationId in the payload; ${describeServers(v3Servers)} use${v3Servers.length === 1 ? 's' : ''} MQTT 3.x, so requests fail there`,
      pointer: operation.origin,
      hint: "use protocolVersion '5', or give the reply a channel with a fixed address and the messages a correlationId at $message.payload#/...",
    });
  }
  return diagnostics;
}

function correlatesInPayload(operation: OperationModel): boolean {
  const reply = operation.reply;
  const channel = reply?.channel;
  if (reply === undefined || channel === undefined || channel.address === null || channel.parameters.length > 0) return false;
  return [...operation.messages, ...reply.messages].every(
    (message) => message.correlationId?.location.startsWith('$message.payload') === true,
  );
}

// --- model walking -----------------------------------------------------------------

function boundObjects(model: ApiModel, versions: ReadonlyMap<string, MqttVersion | undefined>): BoundObject[] {
  const objects: BoundObject[] = [];
  const seen = new Set<string>();
  const add = (kind: BoundObjectKind, name: string, bindings: BindingsModel, origin: string, context: FieldContext): void => {
    for (const protocol of ['mqtt', 'mqtt5'] as const) {
      const fields = bindings[protocol];
      const identity = `${kind}\u0000${origin}\u0000${protocol}`;
      if (fields === undefined || seen.has(identity)) continue;
      seen.add(identity);
      objects.push({ kind, name, protocol, fields, origin, context });
    }
  };
  for (const server of model.servers) {
    add('server', server.key, server.bindings, server.origin, { v3Servers: versions.get(server.key) === 3 ? [server.key] : [], sends: true });
  }
  for (const operation of model.operations) {
    const v3Servers = mqtt3ServersOf(operation.channel, model, versions);
    add('operation', operation.key, operation.bindings, operation.origin, { v3Servers, sends: operation.action === 'send' });
    for (const channel of [operation.channel, ...(operation.reply?.channel === undefined ? [] : [operation.reply.channel])]) {
      add('channel', channel.key, channel.bindings, channel.origin, { v3Servers, sends: true });
    }
    for (const message of messagesOf(operation)) add('message', message.key, message.bindings, message.origin, { v3Servers, sends: true });
  }
  for (const channel of model.channels) {
    add('channel', channel.key, channel.bindings, channel.origin, { v3Servers: mqtt3ServersOf(channel, model, versions), sends: true });
  }
  for (const message of model.messages) add('message', message.key, message.bindings, message.origin, { v3Servers: [], sends: true });
  return objects;
}

function messagesOf(operation: OperationModel): MessageModel[] {
  return [...operation.messages, ...(operation.reply?.messages ?? [])];
}

/** The MQTT 3.x servers a channel is available on (all servers when it names none). */
function mqtt3ServersOf(channel: ChannelModel, model: ApiModel, versions: ReadonlyMap<string, MqttVersion | undefined>): string[] {
  const keys = channel.servers.length === 0 ? model.servers.map((server) => server.key) : channel.servers;
  return keys.filter((key) => versions.get(key) === 3);
}

function isMqttServer(server: ServerModel): boolean {
  return MQTT_PROTOCOLS.has(server.protocol.toLowerCase());
}

/** The MQTT generation a server declares; 5 when it declares none (the transport's default). */
function mqttVersion(server: ServerModel): MqttVersion | undefined {
  if (server.protocol.toLowerCase() === 'mqtt5') return 5;
  const declared = server.protocolVersion?.trim() ?? '';
  if (declared === '' || /^5(\.0)*$/.test(declared)) return 5;
  if (/^(3|3\.1|3\.1\.1|4)$/.test(declared)) return 3;
  return undefined;
}

function describeServers(keys: ReadonlyArray<string>): string {
  return keys.length === 1 ? `server '${keys[0] ?? ''}'` : `servers ${keys.map((key) => `'${key}'`).join(', ')}`;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isQos(value: unknown): boolean {
  return value === 0 || value === 1 || value === 2;
}
