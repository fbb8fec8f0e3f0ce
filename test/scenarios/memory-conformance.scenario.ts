/** The conformance scenario over the memory transport (one broker shared by two transports). */
import { runConformance } from './conformance.scenario.js';
import { createMemoryBroker, createMemoryTransport } from './transports/memory.js';

export async function runScenario(): Promise<void> {
  const broker = createMemoryBroker();
  const app = createMemoryTransport({ broker });
  const client = createMemoryTransport({ broker });
  try {
    await runConformance({ app, client });
  } finally {
    await app.close();
    await client.close();
  }
}
