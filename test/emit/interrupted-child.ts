/**
 * Child process of the interrupted-write tests: writes `<spec>` into `<out>`
 * through the real emit stage, and at the Nth rename either kills itself
 * (SIGKILL: nothing can run after it) or sends itself SIGINT.
 * Usage: tsx interrupted-child.ts <spec> <out> <kill|interrupt> <n>
 */
import { generate, generatorVersion } from '../../src/generate/pipeline.js';
import { nodeFileSystem, type EmitFileSystem } from '../../src/emit/fs.js';
import { writeOutput } from '../../src/emit/output.js';

const [spec = '', out = '', mode = 'kill', nth = '1'] = process.argv.slice(2);
const result = await generate({ spec, transports: ['nats'] });
let renames = 0;
const fs: EmitFileSystem = {
  ...nodeFileSystem,
  rename: async (from, to) => {
    renames += 1;
    if (renames === Number(nth)) {
      if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
      else process.kill(process.pid, 'SIGINT');
    }
    await nodeFileSystem.rename(from, to);
  },
};
await writeOutput(out, result.files, { version: generatorVersion(), fs });
process.stdout.write('finished\n');
