#!/usr/bin/env node
// Thin shim. The CLI ships as one bundled ESM file (npm run build): start-up
// resolves and parses one module instead of hundreds (bench/results.md).
import { setFlagsFromString } from 'node:v8'
import { Worker } from 'node:worker_threads'

// Prisma's query compiler is WebAssembly: V8's optimising tier would compile
// it again in the background for ~300 ms of a short run and ~100 MB; its
// baseline tier is fast enough for a conformance run (bench/results.md).
setFlagsFromString('--liftoff-only')

// An adapter other than the built-in memory one runs in a thread of its own:
// start it now, loading the adapter named on the command line, so that it
// boots while the kit loads (bench/results.md). The kit checks the name.
const argv = process.argv
const at = argv.indexOf('--adapter')
const named = at > 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--adapter='))?.slice('--adapter='.length)
const thread =
  argv[2] === 'run' && named && named !== 'memory'
    ? new Worker(new URL('../dist/runner/adapter-thread.js', import.meta.url), { workerData: named })
    : undefined
const { runCli } = await import('../dist/runner/cli.bundle.mjs')

await runCli(argv, thread ? { thread } : {})
