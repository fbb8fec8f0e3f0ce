/** The conformance scenario over Redis pub/sub: the App and the Client each on their own connections. */
import { runConformance } from './conformance.scenario.js';
import { createRedisTransport } from './transports/redis.js';

const BROKER_URL = 'redis://127.0.0.1:6379';

export async function runScenario(): Promise<void> {
  const app = await createRedisTransport({ url: BROKER_URL });
  try {
    const client = await createRedisTransport({ url: BROKER_URL });
    try {
      await runConformance({ app, client });
    } finally {
      await client.close();
    }
  } finally {
    await app.close();
  }
}
