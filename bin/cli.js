#!/usr/bin/env node
// Thin shim. The CLI ships as one bundled ESM file (npm run build): start-up
// resolves and parses one module instead of hundreds (bench/results.md).
import { main } from '../dist/runner/cli.bundle.mjs'

process.exitCode = await main(process.argv)
