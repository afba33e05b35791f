import { readdirSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { loadErrata } from '../../runner/expectations.js'
import { type Document, readDocument } from '../../runner/parse/document.js'
import { runDocument } from '../../runner/run.js'
import type { AdapterFactory } from '../contract.js'
import memory from '../memory/index.js'
import { MUTANTS } from './index.js'

// Every spec document, the seed first (it is the one a reader knows).
const DOCS = [
  'spec/many-to-many.md',
  ...readdirSync('spec')
    .filter((f) => f.endsWith('.md') && f !== 'many-to-many.md' && !f.startsWith('README'))
    .sort()
    .map((f) => `spec/${f}`)
]
const docs: Document[] = []
for (const file of DOCS) docs.push(await readDocument(file))

/** Failing case ids of one document through one adapter. */
async function failures(adapter: AdapterFactory, doc: Document): Promise<string[]> {
  const results = await runDocument(doc, { adapter, expected: loadErrata(doc.file), timeoutMs: 2000 })
  return results
    .filter((r) => r.status === 'failed' || r.status === 'errored' || r.status === 'unexpected-pass')
    .map((r) => `${r.example.place.line}`)
}

const test = suite('mutation score')
const table: string[] = []

test('the real memory adapter passes every document', async () => {
  for (const doc of docs) assert.equal(await failures(memory, doc), [], doc.file)
})

for (const m of MUTANTS) {
  test(`${m.name} is caught (${m.breaks})`, async () => {
    const killedBy: string[] = []
    for (const doc of docs) {
      const failed = await failures(m.adapter, doc)
      if (failed.length) killedBy.push(`${doc.file.replace('spec/', '')} (${failed.length}, first at line ${failed[0]})`)
    }
    table.push(`| ${m.name} | ${m.breaks} | ${killedBy.join('; ') || 'SURVIVED'} |`)
    assert.ok(killedBy.length > 0, `${m.name} survived every document`)
  })
}

test.after(() => {
  if (process.env['MUTATION_TABLE'])
    console.log(['| mutant | breaks | killed by (failing cases) |', '| --- | --- | --- |', ...table].join('\n'))
})

test.run()
