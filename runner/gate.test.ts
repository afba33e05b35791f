/**
 * A CI gate that cannot be fooled: filters that select nothing, stale or
 * malformed baseline entries, and --write-baseline that writes only what the
 * adapter fails.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { cli } from './fixtures/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ormconf-gate-'))
const file = (name: string, data: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data))
  return path
}

const test = suite('the gate cannot be fooled')

test('filters that select nothing are unusable input, not a green run', async () => {
  for (const args of [
    ['--grep', 'no such statement'],
    ['--section', 'No such section'],
    ['--case', 'no/such-case']
  ]) {
    const { code, err } = await cli('run', 'spec/many-to-many.md', ...args)
    assert.is(code, 2, args.join(' '))
    assert.match(err, /no case matches/)
  }
})

test('--section takes the heading or its slug', async () => {
  const heading = await cli('run', 'spec/m2m-api.md', '--section', 'Exceptions', '--reporter', 'json')
  const slug = await cli('run', 'spec/m2m-api.md', '--section', 'exceptions', '--reporter', 'json')
  assert.is(heading.code, 0)
  assert.equal(JSON.parse(slug.out).summary, JSON.parse(heading.out).summary)
  assert.ok(JSON.parse(slug.out).summary.total > 10)
})

test('malformed baselines: one line, exit 2', async () => {
  const cases: [unknown, RegExp][] = [
    [null, /baseline must be/],
    [{ expectedFailures: [null] }, /entry 1 of "expectedFailures" is not an object/],
    [{ expectedFailures: [{ id: 'x' }] }, /entry 1 needs a non-empty "reason" string/],
    [{ expectedFailures: [{ id: 'x', reason: '  ' }] }, /entry 1 needs a non-empty "reason"/],
    [{ expectedFailures: [{ id: 3, reason: 'r' }] }, /entry 1 needs a non-empty "id" string/],
    [{ expectedFailures: [{ id: 'x', reason: 'r', document: 5 }] }, /"document" must be a string/]
  ]
  for (const [i, [data, want]] of cases.entries()) {
    const { code, err } = await cli('run', 'spec/many-to-many.md', '--baseline', file(`bad-${i}.json`, data))
    assert.is(code, 2, JSON.stringify(data))
    assert.is(err.trim().split('\n').length, 1)
    assert.match(err, want)
  }
})

test('a stale entry for a document that ran fails the run; --write-baseline prunes it and leaves errata out', async () => {
  const stale = file('stale.json', {
    expectedFailures: [{ id: 'gone/no-such-case-0000000', reason: 'fixed long ago', document: 'spec/many-to-many.md' }]
  })
  const run = await cli('run', 'spec/many-to-many.md', '--baseline', stale)
  assert.is(run.code, 1)
  assert.match(run.err, /1 stale baseline entry, no such case: gone\/no-such-case-0000000/)
  const elsewhere = file('elsewhere.json', {
    expectedFailures: [{ id: 'gone/no-such-case-0000000', reason: 'r', document: 'spec/m2m-api.md' }]
  })
  assert.is((await cli('run', 'spec/many-to-many.md', '--baseline', elsewhere)).code, 0, 'an entry of a document not run is not stale')
  const written = join(dir, 'written.json')
  const wrote = await cli('run', 'spec/many-to-many.md', '--write-baseline', written)
  assert.is(wrote.code, 0)
  assert.equal(
    JSON.parse(readFileSync(written, 'utf8')),
    { expectedFailures: [] },
    "the seed's erratum stays in spec/, not in the user's baseline"
  )
})

test.run()

const update = suite('--update never rewrites a document it does not own')

update('a document inside node_modules is refused, in one line, exit 1', async () => {
  const here = process.cwd()
  const project = mkdtempSync(join(tmpdir(), 'ormconf-update-'))
  const installed = join(project, 'node_modules', 'orm-conformance', 'spec')
  mkdirSync(installed, { recursive: true })
  const text = readFileSync('spec/many-to-many.md', 'utf8').replace(
    '<QuerySet [<Publication: Science News>]>',
    '<QuerySet [<Publication: Wrong>]>'
  )
  writeFileSync(join(installed, 'many-to-many.md'), text)
  process.chdir(project)
  try {
    for (const doc of [join(installed, 'many-to-many.md'), join('node_modules', 'orm-conformance', 'spec', 'many-to-many.md')]) {
      const { code, err } = await cli('run', doc, '--update')
      assert.is(code, 1)
      assert.match(err, /not updated: --update never rewrites a document inside node_modules/)
      assert.is(readFileSync(doc, 'utf8'), text, 'unchanged')
    }
  } finally {
    process.chdir(here)
  }
})

update.run()
