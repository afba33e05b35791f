// One runner-overhead measurement in its own process, so peak memory is its own.
// usage: node bench/overhead-child.mjs <document.md>

import memory from '../dist/adapters/memory/index.js'
import { readDocument, runDocument } from '../dist/runner/index.js'

const file = process.argv[2]
const t0 = performance.now()
const doc = await readDocument(file)
const t1 = performance.now()
const results = await runDocument(doc, { adapter: memory })
const t2 = performance.now()
const failed = results.filter((r) => r.status !== 'passed').length
console.log(
  JSON.stringify({
    examples: doc.examples.length,
    failed,
    parseMs: t1 - t0,
    runMs: t2 - t1,
    maxRssMB: process.resourceUsage().maxRSS / 1024
  })
)
