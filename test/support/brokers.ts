/**
 * Test support for suites that need a real broker on loopback. A suite asks
 * `brokerAvailable`; when the broker is down it is skipped with a loud
 * message, unless ASYNCAPI_GEN_REQUIRE_BROKERS=1 (CI), where it fails.
 */
import net from 'node:net';

export const BROKERS = {
  nats: { host: '127.0.0.1', port: 4222, url: 'nats://127.0.0.1:4222' },
  mqtt: { host: '127.0.0.1', port: 1883, url: 'mqtt://127.0.0.1:1883' },
  amqp: { host: '127.0.0.1', port: 5672, url: 'amqp://guest:guest@127.0.0.1:5672' },
  redis: { host: '127.0.0.1', port: 6379, url: 'redis://127.0.0.1:6379' },
} as const;

export type BrokerName = keyof typeof BROKERS;

function portOpen(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function brokersRequired(): boolean {
  return process.env['ASYNCAPI_GEN_REQUIRE_BROKERS'] === '1';
}

/** Whether the broker answers; throws when it does not and brokers are required. */
export async function brokerAvailable(name: BrokerName): Promise<boolean> {
  const { host, port } = BROKERS[name];
  if (await portOpen(host, port)) return true;
  const message = `${name} is not reachable on ${host}:${port}`;
  if (brokersRequired()) throw new Error(`${message} and ASYNCAPI_GEN_REQUIRE_BROKERS=1: start it (see .ci/run)`);
  console.warn(`\n!!! SKIPPING ${name} tests: ${message}. Set ASYNCAPI_GEN_REQUIRE_BROKERS=1 to make this a failure.\n`);
  return false;
}
