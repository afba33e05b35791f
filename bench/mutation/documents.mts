// Stryker's test: every spec document through the memory adapter, errata
// applied. Exit 1 on the first case that does not pass: a killed mutant.
import { readdirSync } from 'node:fs'
import memory from '../../adapters/memory/index.js'
import { loadErrata } from '../../runner/expectations.js'
import { readDocument } from '../../runner/parse/document.js'
import { runDocument } from '../../runner/run.js'

const files = readdirSync('spec')
  .filter((f) => f.endsWith('.md') && !f.startsWith('README'))
  .sort()
  .map((f) => `spec/${f}`)
for (const file of files) {
  const results = await runDocument(await readDocument(file), { adapter: memory, expected: loadErrata(file), timeoutMs: 5000 })
  const bad = results.find((r) => r.status !== 'passed' && r.status !== 'expected-failure' && r.status !== 'skipped')
  if (bad) {
    console.log(`${file}:${bad.example.place.line}: ${bad.status}`)
    process.exit(1)
  }
}
