/**
 * The protocols asyncapi-gen writes a transport for, the AsyncAPI protocol
 * names that map to each, and the npm package each transport imports.
 */
import type { PackageRequirement } from './packages.js';

export interface TransportProtocol {
  /** File name under `transports/` (without `.ts`) and the name used by `--transport`. */
  readonly name: string;
  /** AsyncAPI `protocol` values served by this transport. */
  readonly aliases: ReadonlyArray<string>;
  readonly packages: ReadonlyArray<PackageRequirement>;
}

export const TRANSPORT_PROTOCOLS: ReadonlyArray<TransportProtocol> = [
  {
    name: 'nats',
    aliases: ['nats', 'tls'],
    packages: [
      { name: '@nats-io/transport-node', range: '^3.4.0', dev: false, reason: 'the NATS client used by transports/nats.ts' },
      { name: '@nats-io/jetstream', range: '^3.4.0', dev: false, reason: 'JetStream publish and durable consumers in transports/nats.ts (keep on the same version as @nats-io/transport-node)' },
    ],
  },
  {
    name: 'mqtt',
    aliases: ['mqtt', 'mqtts', 'secure-mqtt', 'mqtt5'],
    packages: [{ name: 'mqtt', range: '^5.16.0', dev: false, reason: 'the MQTT client used by transports/mqtt.ts' }],
  },
  {
    name: 'amqp',
    aliases: ['amqp', 'amqps'],
    packages: [{ name: 'amqplib', range: '^2.3.1', dev: false, reason: 'the AMQP 0-9-1 client used by transports/amqp.ts' }],
  },
  {
    name: 'kafka',
    aliases: ['kafka', 'kafka-secure'],
    packages: [{ name: 'kafkajs', range: '^2.2.4', dev: false, reason: 'the Kafka client used by transports/kafka.ts' }],
  },
  {
    name: 'ws',
    aliases: ['ws', 'wss'],
    packages: [{ name: 'ws', range: '^8.18.0', dev: false, reason: 'the WebSocket library used by transports/ws.ts' }, { name: '@types/ws', range: '^8.18.0', dev: true, reason: 'types of the ws library' }],
  },
  {
    name: 'redis',
    aliases: ['redis', 'rediss'],
    packages: [{ name: 'redis', range: '^6.3.1', dev: false, reason: 'the Redis client used by transports/redis.ts' }],
  },
];

export function transportForProtocol(protocol: string): TransportProtocol | undefined {
  const wanted = protocol.toLowerCase();
  return TRANSPORT_PROTOCOLS.find((transport) => transport.name === wanted || transport.aliases.includes(wanted));
}
