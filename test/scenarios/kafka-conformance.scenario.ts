/**
 * The conformance scenario over Kafka: the App and the Client each get their
 * own transport (own producer, consumers and reply topic) on the broker at
 * `url` (default: `ASYNCAPI_KAFKA_URL`). Topic discovery is quickened so that
 * wildcard subscriptions see the scenario's new topics well within its waits.
 */
import { runConformance } from './conformance.scenario.js';
import { createKafkaTransport } from './transports/kafka.js';

export async function runScenario(url?: string): Promise<void> {
  const options = { ...(url === undefined ? {} : { url }), topicRefreshIntervalMs: 200 };
  const app = await createKafkaTransport(options);
  const client = await createKafkaTransport(options).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  try {
    await runConformance({ app, client, carriesContentType: false, acceptsAnyAddress: false });
  } finally {
    await Promise.allSettled([app.close(), client.close()]);
  }
}
