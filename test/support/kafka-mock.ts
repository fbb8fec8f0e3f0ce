/**
 * Test support: librdkafka's mock Kafka cluster on loopback, run by
 * test/support/kafka-mock.py (python3 + Debian's librdkafka1). Each test file
 * starts its own cluster and stops it when done. When python3 or
 * librdkafka.so.1 is missing the suite is skipped loudly, unless
 * ASYNCAPI_GEN_REQUIRE_BROKERS=1, where it fails.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { brokersRequired } from './brokers.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kafka-mock.py');
const START_TIMEOUT_MS = 15_000;
const COMMAND_TIMEOUT_MS = 10_000;

export interface KafkaMock {
  /** Bootstrap addresses, `host:port` each. */
  readonly brokers: ReadonlyArray<string>;
  /** A `kafka://host:port` URL of the first broker. */
  readonly url: string;
  /** Creates a topic with this many partitions (replication factor 1). */
  createTopic(name: string, partitions: number): Promise<void>;
  /** Closes the broker's connections and refuses new ones (broker ids start at 1). */
  setBrokerDown(brokerId: number): Promise<void>;
  setBrokerUp(brokerId: number): Promise<void>;
  /** Answers the next requests of a Kafka API (by its key, e.g. 14 for SyncGroup) with these error codes, one each. */
  pushRequestErrors(apiKey: number, errorCodes: ReadonlyArray<number>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a mock cluster of `brokerCount` brokers; resolves to undefined (after
 * a loud warning) when it cannot run here and brokers are not required.
 */
export async function startKafkaMock(brokerCount = 1): Promise<KafkaMock | undefined> {
  try {
    return await spawnMock(brokerCount);
  } catch (error) {
    const message = `the librdkafka mock Kafka cluster cannot start: ${(error as Error).message}`;
    if (brokersRequired()) throw new Error(`${message} and ASYNCAPI_GEN_REQUIRE_BROKERS=1: install python3 and librdkafka1 (see .ci/run)`);
    console.warn(`\n!!! SKIPPING kafka tests: ${message}. Set ASYNCAPI_GEN_REQUIRE_BROKERS=1 to make this a failure.\n`);
    return undefined;
  }
}

async function spawnMock(brokerCount: number): Promise<KafkaMock> {
  const child = spawn('python3', [SCRIPT, String(brokerCount)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = lineReader(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let bootstrap: string;
  try {
    const first = await lines.next(START_TIMEOUT_MS);
    if (!first.startsWith('BOOTSTRAP ')) throw new Error(first);
    bootstrap = first.slice('BOOTSTRAP '.length).trim();
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const brokers = bootstrap.split(',');

  async function command(text: string): Promise<void> {
    child.stdin.write(`${text}\n`);
    const answer = await lines.next(COMMAND_TIMEOUT_MS);
    if (answer !== 'OK') throw new Error(`kafka mock: '${text}' failed: ${answer}`);
  }

  return {
    brokers,
    url: `kafka://${brokers[0] ?? ''}`,
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    setBrokerDown: (brokerId) => command(`down ${brokerId}`),
    setBrokerUp: (brokerId) => command(`up ${brokerId}`),
    pushRequestErrors: (apiKey, errorCodes) => command(`errors ${apiKey} ${errorCodes.join(' ')}`),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface LineReader {
  next(timeoutMs: number): Promise<string>;
}

/** Hands out the child's stdout lines in order; fails with its stderr when it exits. */
function lineReader(child: ChildProcessWithoutNullStreams): LineReader {
  const queued: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  let stderr = '';
  let ended: Error | undefined;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.once('error', (error) => finish(error));
  child.once('exit', (code, signal) => finish(new Error(`python3 exited (${signal ?? code ?? '?'})${stderr === '' ? '' : `: ${stderr.trim()}`}`)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter === undefined) queued.push(line);
    else waiter.resolve(line);
  });

  function finish(error: Error): void {
    ended ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(ended);
  }

  return {
    next(timeoutMs) {
      const line = queued.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended !== undefined) return Promise.reject(ended);
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          resolve: (text: string) => {
            clearTimeout(timer);
            resolve(text);
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(new Error(`no answer from the kafka mock within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push(waiter);
      });
    },
  };
}
