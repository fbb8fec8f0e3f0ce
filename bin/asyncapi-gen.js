#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { loadCli } from '../dist/cli/load-cli.js';

const { UserError, isWatching, isWriteInProgress, run } = (await loadCli()).cli;

// Questions only when a person can answer: both ends are a terminal and this is not CI.
const canAsk = process.stdin.isTTY === true && process.stderr.isTTY === true && !process.env.CI;
async function ask(question, choices, fallback) {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const closed = new Promise((_, reject) => prompt.once('close', () => reject(new UserError('no answer (the input was closed); nothing was done'))));
  closed.catch(() => undefined);
  try {
    for (;;) {
      let answer;
      try {
        answer = (await Promise.race([prompt.question(`${question} [${fallback}] `), closed])).trim();
      } catch (error) {
        if (error instanceof UserError) throw error;
        throw new UserError('cancelled; nothing was done');
      }
      if (answer === '') return fallback;
      if (choices.includes(answer)) return answer;
      process.stderr.write(`Please answer one of: ${choices.join(', ')}\n`);
    }
  } finally {
    prompt.close();
  }
}

// SIGINT/SIGTERM end `generate --watch` cleanly. A write in progress finishes or rolls back
// first (it delivers the signal again when it is done); anything else stops at once.
const stop = new AbortController();
const onSignal = () => {
  if (isWriteInProgress()) return;
  if (isWatching() && !stop.signal.aborted) {
    stop.abort();
    return;
  }
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  // https://no-color.org: NO_COLOR set to a non-empty value turns colours off.
  color: process.stderr.isTTY === true && (process.env.NO_COLOR ?? '') === '' && process.env.TERM !== 'dumb',
  interactive: process.stderr.isTTY === true && process.env.TERM !== 'dumb' && !process.env.CI,
  signal: stop.signal,
  ...(canAsk ? { ask } : {}),
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
process.exitCode = exitCode;
