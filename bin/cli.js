#!/usr/bin/env node
// Thin shim: the CLI ships compiled (npm run build), so start-up does no TypeScript work.
import { main } from '../dist/runner/cli.js'

process.exitCode = await main(process.argv)
