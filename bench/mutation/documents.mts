// Stryker's test: every spec document through the memory adapter, errata
// applied; then, when they all pass, the contract suite on the memory
// adapter. Exit 1 on the first failure: a killed mutant. With
// ORMCONF_MUTATION_KILLERS set, a mutant the documents let through is
// recorded there, so report.mjs can give the documents' score alone and the
// score with the contract suite added.
import { appendFileSync, readdirSync } from 'node:fs'
import { contractSuite } from '../../adapters/contract-suite.js'
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
const killers = process.env['ORMCONF_MUTATION_KILLERS']
const mutant = process.env['__STRYKER_ACTIVE_MUTANT__']
if (killers && mutant !== undefined) appendFileSync(killers, `${mutant}\tdocuments passed\n`)
// uvu sets the exit code when a test of the suite fails.
await contractSuite(memory, { servers: { postgresql: false, mariadb: false } })
