#!/usr/bin/env node
// Thin shim. The CLI ships as one bundled ESM file (npm run build): start-up
// resolves and parses one module instead of hundreds (bench/results.md).
// An adapter other than the built-in memory one runs in a thread of its own:
// start it now, loading the adapter named on the command line, so that it
// boots while the kit loads (bench/results.md). The kit checks the name.
// A memory run loads neither module below (bench/results.md).
const argv = process.argv
const at = argv.indexOf('--adapter')
const named = at > 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--adapter='))?.slice('--adapter='.length)
let thread
if (argv[2] === 'run' && named && named !== 'memory') {
  // Prisma's query compiler is WebAssembly: V8's optimising tier would compile
  // it again in the background for ~300 ms of a short run and ~100 MB; its
  // baseline tier is fast enough for a conformance run (bench/results.md).
  const [{ setFlagsFromString }, { Worker }] = await Promise.all([import('node:v8'), import('node:worker_threads')])
  setFlagsFromString('--liftoff-only')
  thread = new Worker(new URL('../dist/runner/adapter-thread.js', import.meta.url), { workerData: named })
}
const { runCli } = await import('../dist/runner/cli.bundle.mjs')

await runCli(argv, thread ? { thread } : {})
