import { readdirSync, readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Adapter, defineAdapter, type Operation, type Result } from '../adapters/contract.js'
import memory, { MemoryDatabase } from '../adapters/memory/index.js'
import { loadErrata } from './expectations.js'
import { readDocument } from './parse/document.js'
import { isGreen, summarize } from './results.js'
import { runDocument } from './run.js'

const specs = readdirSync('spec')
  .filter((f) => f.endsWith('.md') && !f.startsWith('README'))
  .map((f) => `spec/${f}`)

const conformance = suite('every spec passes on the memory adapter')

for (const file of specs) {
  conformance(file, async () => {
    const doc = await readDocument(file)
    const results = await runDocument(doc, { adapter: memory, expected: loadErrata(file) })
    const bad = results.filter((r) => r.status !== 'passed' && r.status !== 'expected-failure')
    assert.equal(
      bad.map((r) => `${r.example.place.line}: ${r.example.source} -> ${r.status} ${r.actual}${r.reason ?? ''}`),
      []
    )
    assert.is(results.length, doc.examples.length)
  })
}

conformance('the seed has 89 examples and one documented erratum', async () => {
  const doc = await readDocument('spec/many-to-many.md')
  assert.is(doc.examples.length, 89)
  const s = summarize(await runDocument(doc, { adapter: memory, expected: loadErrata(doc.file) }))
  assert.equal([s.passed, s.expectedFailures, s.failed], [88, 1, 0])
})

const broken = suite('the kit fails a wrong adapter')

/** Wrap the memory adapter and break its answers to one kind of operation. */
function breaking(name: string, change: (op: Operation, result: Result) => Result) {
  return defineAdapter({
    name,
    async open(options) {
      const db = new MemoryDatabase(options.schema)
      const adapter: Adapter = { execute: async (op) => change(op, await db.execute(op)) }
      return adapter
    }
  })
}

broken('duplicates collapsed: the seed fails, and says where', async () => {
  const distinct = breaking('distinct-always', (_op, r) =>
    r.kind === 'rows' ? { kind: 'rows', rows: r.rows.filter((x, i, all) => all.findIndex((y) => y.id === x.id) === i) } : r
  )
  const doc = await readDocument('spec/many-to-many.md')
  const results = await runDocument(doc, { adapter: distinct, expected: loadErrata(doc.file) })
  const failed = results.filter((r) => r.status === 'failed')
  assert.ok(failed.length > 0)
  assert.ok(failed.some((r) => r.example.source === 'Article.objects.filter(publications__title__startswith="Science")'))
  assert.not.ok(isGreen(summarize(results)))
})

broken('an erratum that starts passing is an unexpected pass', async () => {
  const doc = await readDocument('spec/many-to-many.md')
  const id = doc.examples[5]!.id
  const results = await runDocument(doc, { adapter: memory, expected: new Map([[id, 'pretend']]) })
  assert.is(results.find((r) => r.example.id === id)!.status, 'unexpected-pass')
  assert.not.ok(isGreen(summarize(results)))
})

broken('a throwing adapter errors the case with its reason, and the run goes on', async () => {
  const throwing = breaking('throws-on-count', (op, r) => {
    if (op.kind === 'count') throw new Error('connection lost')
    return r
  })
  const doc = await readDocument('spec/many-to-many.md')
  const results = await runDocument(doc, { adapter: throwing, expected: loadErrata(doc.file) })
  const errored = results.filter((r) => r.status === 'errored')
  assert.is(errored.length, 2)
  assert.is(errored[0]!.reason, 'adapter: connection lost')
  assert.is(results.length, 89)
})

const api = suite('public API')

api('exposes the pipeline by name', async () => {
  const mod = await import('./index.js')
  for (const name of [
    'readDocument',
    'parseDocument',
    'parseExamples',
    'parseModels',
    'parseStatement',
    'Interpreter',
    'checkOutput',
    'checkException',
    'pyRepr',
    'runDocument',
    'consoleReporter',
    'jsonReporter',
    'loadAdapter',
    'defineAdapter',
    'KitError'
  ]) {
    assert.type((mod as Record<string, unknown>)[name], 'function', name)
  }
})

api('nothing in runner/ names the seed models, their fields or seed strings', () => {
  const files = (readdirSync('runner', { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  assert.ok(files.length > 10)
  const seed = /Publication|Article|headline|\btitle\b|publications|article_set|Python Journal|Science|NASA/
  for (const f of files) {
    const text = readFileSync(`runner/${f}`, 'utf8')
    assert.not.match(text, seed, `runner/${f}`)
  }
})

api('runDocument: after an operation times out, the rest of the document is not run (in-process too)', async () => {
  const doc = await readDocument('spec/many-to-many.md')
  let calls = 0
  let atHang = -1
  const hangs = defineAdapter({
    name: 'hangs',
    async open({ schema }) {
      const db = new MemoryDatabase(schema)
      return {
        execute: (op: Operation): Promise<Result> => {
          calls++
          if (op.kind !== 'count') return db.execute(op)
          atHang = calls
          return new Promise(() => undefined)
        }
      }
    }
  })
  const results = await runDocument(doc, { adapter: hangs, timeoutMs: 50 })
  const first = results.findIndex((r) => r.status === 'errored')
  assert.is(results[first]!.reason, "adapter: 'count' timed out after 50 ms")
  const rest = results.slice(first + 1)
  assert.ok(rest.length > 10)
  for (const r of rest) {
    assert.is(r.status, 'errored')
    assert.match(r.reason ?? '', /^not run: the adapter's session ended at spec\/many-to-many\.md:\d+ \('count' timed out after 50 ms\)/)
  }
  assert.is(calls, atHang, 'no adapter call after the timeout')
  assert.not.ok(isGreen(summarize(results)))
})

conformance.run()
broken.run()
api.run()

const subset = suite('unsupported Python')

subset('errors its own case only, and the run goes on', async () => {
  const { parseDocument } = await import('./parse/document.js')
  const doc = parseDocument(
    '```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n```pycon\n>>> list(a for a in A.objects.all())\n[]\n>>> A.objects.count()\n0\n```\n',
    'd.md'
  )
  const results = await runDocument(doc, { adapter: memory })
  assert.equal(
    results.map((r) => r.status),
    ['errored', 'passed']
  )
  assert.match(results[0]!.reason ?? '', "'for' is not supported by the kit's Python subset")
})

subset.run()
