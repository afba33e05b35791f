#!/usr/bin/env node
// Thin shim. The CLI ships as one bundled ESM file (npm run build): start-up
// resolves and parses one module instead of hundreds (bench/results.md).
import { setFlagsFromString } from 'node:v8'

// Prisma's query compiler is WebAssembly: V8's optimising tier would compile
// it again in the background for ~300 ms of a short run and ~100 MB; its
// baseline tier is fast enough for a conformance run (bench/results.md).
setFlagsFromString('--liftoff-only')
const { runCli } = await import('../dist/runner/cli.bundle.mjs')

await runCli(process.argv)
