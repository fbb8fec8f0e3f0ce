/**
 * What the Kafka side takes from the document, without a broker: the kafkajs
 * options the transport derives from the servers, their security schemes, the
 * url option and the environment (run on the generated copy of the transport,
 * so that it reads the generated servers.ts), and the generator's warnings for
 * the Kafka bindings the transport does not honour.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as KafkaTransportModule from '../../../src/runtime/transports/kafka.js';
import { checkKafkaBindings } from '../../../src/generate/bindings/kafka.js';
import { normalizeDocument } from '../../../src/model/normalize/index.js';
import { GENERATED_ROOT, generateInto } from '../../support/generated.js';
import { loadInline } from '../../support/inline.js';

const SECURITY_DOCUMENT = `asyncapi: 3.0.0
info: { title: Kafka security, version: '1' }
servers:
  open:
    host: 'kafka.{region}.example.com:9093'
    protocol: kafka
    variables:
      region: { default: eu, enum: [eu, us] }
  plain:
    host: plain.example.com
    protocol: kafka
    security: [{ $ref: '#/components/securitySchemes/password' }]
  scram:
    host: scram.example.com:9094
    protocol: kafka-secure
    security: [{ $ref: '#/components/securitySchemes/scram' }]
  mutualTls:
    host: tls.example.com:9095
    protocol: kafka-secure
    security: [{ $ref: '#/components/securitySchemes/certificate' }]
  oauth:
    host: oauth.example.com:9096
    protocol: kafka
    security: [{ $ref: '#/components/securitySchemes/bearer' }]
  kerberos:
    host: kerberos.example.com:9097
    protocol: kafka
    security: [{ $ref: '#/components/securitySchemes/kerberos' }]
channels:
  events:
    address: events
    messages:
      event: { payload: { type: string } }
operations:
  sendEvent:
    action: send
    channel: { $ref: '#/channels/events' }
components:
  securitySchemes:
    password: { type: userPassword }
    scram: { type: scramSha512 }
    certificate: { type: X509 }
    bearer:
      type: oauth2
      flows:
        clientCredentials: { tokenUrl: 'https://auth.example.com/token', availableScopes: {} }
    kerberos: { type: gssapi }
`;

describe('Kafka connection settings from the document', () => {
  let kafkaClientConfig: typeof KafkaTransportModule.kafkaClientConfig;
  const files = path.join(GENERATED_ROOT, 'kafka-security-files');

  beforeAll(async () => {
    mkdirSync(files, { recursive: true });
    const spec = path.join(files, 'asyncapi.yaml');
    writeFileSync(spec, SECURITY_DOCUMENT);
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(files, name), `${name} contents`);
    const { dir } = await generateInto('kafka-security', spec, { transports: ['kafka'] });
    ({ kafkaClientConfig } = (await import(pathToFileURL(path.join(dir, 'transports', 'kafka.ts')).href)) as typeof KafkaTransportModule);
  }, 60_000);

  it('connects to the first kafka server by default, with its variables, and adds the default port', () => {
    const config = kafkaClientConfig({}, {});
    expect(config.brokers).toEqual(['kafka.eu.example.com:9093']);
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
    expect(kafkaClientConfig({}, { ASYNCAPI_SERVER_OPEN_REGION: 'us' }).brokers).toEqual(['kafka.us.example.com:9093']);
    expect(kafkaClientConfig({ server: 'plain' }, { ASYNCAPI_KAFKA_USER: 'u', ASYNCAPI_KAFKA_PASSWORD: 'p' }).brokers).toEqual(['plain.example.com:9092']);
  });

  it('maps userPassword to SASL PLAIN and scramSha512 to SCRAM over TLS, with credentials from the environment or the url', () => {
    const plain = kafkaClientConfig({ server: 'plain' }, { ASYNCAPI_KAFKA_USER: 'alice', ASYNCAPI_KAFKA_PASSWORD: 'secret' });
    expect(plain.sasl).toEqual({ mechanism: 'plain', username: 'alice', password: 'secret' });
    const scram = kafkaClientConfig({ server: 'scram' }, { ASYNCAPI_KAFKA_USER: 'bob', ASYNCAPI_KAFKA_PASSWORD: 'pw' });
    expect(scram.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'bob', password: 'pw' });
    expect(scram.ssl).toBe(true);
    expect(() => kafkaClientConfig({ server: 'scram' }, {})).toThrow(/ASYNCAPI_KAFKA_USER and ASYNCAPI_KAFKA_PASSWORD/);
    const fromUrl = kafkaClientConfig({ url: 'kafka://carol:p%40ss@127.0.0.1:19092' }, {});
    expect(fromUrl.brokers).toEqual(['127.0.0.1:19092']);
    expect(fromUrl.sasl).toEqual({ mechanism: 'plain', username: 'carol', password: 'p@ss' });
  });

  it('maps X509 and the TLS environment variables to client certificates', () => {
    const env = {
      ASYNCAPI_KAFKA_CA: path.join(files, 'ca.pem'),
      ASYNCAPI_KAFKA_CERT: path.join(files, 'cert.pem'),
      ASYNCAPI_KAFKA_KEY: path.join(files, 'key.pem'),
    };
    const config = kafkaClientConfig({ server: 'mutualTls' }, env);
    const ssl = config.ssl as { ca?: unknown; cert?: unknown; key?: unknown };
    expect(String(ssl.ca)).toBe('ca.pem contents');
    expect(String(ssl.cert)).toBe('cert.pem contents');
    expect(String(ssl.key)).toBe('key.pem contents');
    expect(() => kafkaClientConfig({ server: 'mutualTls' }, {})).toThrow(/ASYNCAPI_KAFKA_CERT and ASYNCAPI_KAFKA_KEY/);
    expect(kafkaClientConfig({ url: 'kafka-secure://127.0.0.1:9093' }, {}).ssl).toBe(true);
  });

  it('maps oauth2 to OAUTHBEARER with the token from the environment, and refuses GSSAPI', async () => {
    const config = kafkaClientConfig({ server: 'oauth' }, { ASYNCAPI_KAFKA_TOKEN: 'tok' });
    expect(config.sasl?.mechanism).toBe('oauthbearer');
    const provider = (config.sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'tok' });
    expect(() => kafkaClientConfig({ server: 'oauth' }, {})).toThrow(/ASYNCAPI_KAFKA_TOKEN/);
    expect(() => kafkaClientConfig({ server: 'kerberos' }, {})).toThrow(/GSSAPI/);
    expect(kafkaClientConfig({ server: 'kerberos', sasl: { mechanism: 'plain', username: 'x', password: 'y' } }, {}).sasl?.mechanism).toBe('plain');
  });

  it('passes kafkajs options through, over what the document says', () => {
    const config = kafkaClientConfig({ server: 'scram', brokers: ['a:1', 'b:2'], clientId: 'mine', ssl: false, sasl: { mechanism: 'plain', username: 'x', password: 'y' } }, {});
    expect(config.brokers).toEqual(['a:1', 'b:2']);
    expect(config.clientId).toBe('mine');
    expect(config.ssl).toBe(false);
    expect(config.sasl).toEqual({ mechanism: 'plain', username: 'x', password: 'y' });
    expect(kafkaClientConfig({}, {}).clientId).toMatch(/^asyncapi-[0-9a-f]{8}$/);
  });
});

const BINDINGS_DOCUMENT = `asyncapi: 3.0.0
info: { title: Kafka bindings, version: '1' }
servers:
  production:
    host: broker.example.com:9092
    protocol: kafka
    bindings:
      kafka: { schemaRegistryUrl: 'https://registry.example.com', bindingVersion: '0.5.0' }
channels:
  orders:
    address: shop.orders
    bindings:
      kafka: { topic: shop.orders, partitions: 12, topicConfiguration: { retention.ms: 1000 } }
    messages:
      order:
        payload: { type: object }
        bindings:
          kafka: { key: { type: string }, schemaIdLocation: payload }
  audits:
    address: shop.audits
    bindings:
      kafka: { topic: prod.shop.audits }
    messages:
      audit:
        payload: { type: string }
operations:
  receiveOrder:
    action: receive
    channel: { $ref: '#/channels/orders' }
    bindings:
      kafka: { groupId: { type: string, enum: [orders] }, clientId: { type: string, const: shop }, bindingVersion: '0.5.0' }
  sendAudit:
    action: send
    channel: { $ref: '#/channels/audits' }
    bindings:
      kafka: { groupId: { type: string, const: auditors }, clientId: { type: string } }
`;

describe('checkKafkaBindings', () => {
  it('warns for each unsupported field with the origin of its object, and accepts the honoured ones', async () => {
    const { model } = normalizeDocument((await loadInline(BINDINGS_DOCUMENT)).json);
    const warnings = checkKafkaBindings(model);
    expect(warnings.every((warning) => warning.severity === 'warning' && warning.code === 'binding-unsupported')).toBe(true);
    const found = warnings.map((warning) => {
      const field = /binding field '([^']+)'/.exec(warning.message)?.[1];
      return `${warning.pointer} ${field}`;
    });
    expect(found.sort()).toEqual(
      [
        '/servers/production schemaRegistryUrl',
        '/channels/orders partitions',
        '/channels/orders topicConfiguration',
        '/channels/audits topic',
        '/channels/orders/messages/order schemaIdLocation',
        '/operations/sendAudit clientId',
      ].sort(),
    );
    expect(warnings.every((warning) => (warning.hint ?? '') !== '')).toBe(true);
  }, 30_000);

  it('says nothing about documents without Kafka bindings', async () => {
    const withoutBindings = BINDINGS_DOCUMENT.split('\n').filter((line) => !/^\s*(bindings:|kafka:)/.test(line)).join('\n');
    const { model } = normalizeDocument((await loadInline(withoutBindings)).json);
    expect(checkKafkaBindings(model)).toEqual([]);
  }, 30_000);
});
