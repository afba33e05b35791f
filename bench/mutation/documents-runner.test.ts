// The Stryker test runner of `npm run mutation`: documents are its tests, a
// failing case kills the mutant, and a mutant every document passes is
// written down for the contract suite's share of the score.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MutantRunStatus } from '@stryker-mutator/api/test-runner'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
// @ts-expect-error: a plain ES module without types
import { DocumentsRunner, firstFailure, specDocuments } from './documents-runner.mjs'

const dir = mkdtempSync(join(tmpdir(), 'ormconf-docrunner-'))
const seed = readFileSync('spec/many-to-many.md', 'utf8')
const models = seed.slice(seed.indexOf('```python'), seed.indexOf('```', seed.indexOf('```python') + 3) + 3)
const doc = (name: string, body: string) => {
  const file = join(dir, name)
  writeFileSync(file, `# ${name}\n\n${models}\n\n\`\`\`pycon\n${body}\n\`\`\`\n`)
  return file
}
const good = doc('good.md', ">>> Publication(title='A').save()\n>>> Publication.objects.count()\n1")
const bad = doc('bad.md', ">>> Publication(title='A').save()\n>>> Publication.objects.count()\n2")
const killers = join(dir, 'killers.tsv')
const silent = { debug() {}, info() {}, warn() {}, error() {}, trace() {}, fatal() {}, isDebugEnabled: () => false }

test('specDocuments: ORMCONF_MUTATION_DOCS when set, else every spec document, sorted', () => {
  process.env['ORMCONF_MUTATION_DOCS'] = `${good},${bad}`
  assert.equal(specDocuments(), [good, bad])
  delete process.env['ORMCONF_MUTATION_DOCS']
  const all = specDocuments()
  assert.ok(all.includes('spec/many-to-many.md'))
  assert.equal(all, [...all].sort())
})

test('firstFailure: the first case that did not hold; expected failures and skips hold', () => {
  const at = (line: number, status: string) => ({ status, example: { place: { line } } })
  assert.is(firstFailure('f.md', [at(3, 'passed'), at(4, 'expected-failure'), at(5, 'skipped')]), undefined)
  assert.is(firstFailure('f.md', [at(3, 'passed'), at(7, 'errored'), at(9, 'failed')]), 'f.md:7: errored')
})

test('a mutant: killed by the first failing document, or it survives and is written down for the suite', async () => {
  process.env['ORMCONF_MUTATION_DOCS'] = `${good},${bad}`
  process.env['ORMCONF_MUTATION_KILLERS'] = killers
  try {
    const runner = new DocumentsRunner(silent)
    const run = (id: string, testFilter: string[]) =>
      runner.mutantRun({ activeMutant: { id }, testFilter, mutantActivation: 'runtime', disableBail: false })
    const survived = await run('7', [good])
    assert.is(survived.status, MutantRunStatus.Survived)
    assert.is(survived.nrOfTests, 1)
    const killed = await run('8', [good, bad])
    assert.is(killed.status, MutantRunStatus.Killed)
    assert.equal(killed.killedBy, [bad])
    assert.match(killed.failureMessage, `${bad}:`)
    assert.match(killed.failureMessage, /: failed$/)
    assert.is(readFileSync(killers, 'utf8'), '7\tdocuments passed\n', 'only the mutant every document passed')
  } finally {
    delete process.env['ORMCONF_MUTATION_DOCS']
    delete process.env['ORMCONF_MUTATION_KILLERS']
  }
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
