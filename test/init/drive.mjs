// Copied into a created project after its build: sends every service sample through the
// generated Client over the real transport (the project's own code and packages), and prints
// `ok <operation>` for each, so that the test sees the running service answer.
const [transportName, factoryName] = process.argv.slice(2);
const generated = await import(new URL('./dist/src/generated/index.js', import.meta.url));
const service = await import(new URL('./dist/src/generated/service.js', import.meta.url));
const transports = await import(new URL(`./dist/src/generated/transports/${transportName}.js`, import.meta.url));
const transport = await transports[factoryName]();
const client = generated.createClient({ transport });
let failed = false;
for (const sample of service.serviceSamples) {
  if (sample.exercise === undefined) {
    console.log(`missing ${sample.operation}: ${sample.missing}`);
    continue;
  }
  try {
    await sample.exercise(client);
    console.log(`ok ${sample.operation}`);
  } catch (error) {
    failed = true;
    console.log(`failed ${sample.operation}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
await transport.close();
process.exitCode = failed ? 1 : 0;
