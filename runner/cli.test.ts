import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { cli } from './fixtures/cli.js'
import { parseDocument } from './parse/document.js'

/** Run the CLI in-process; collect what it prints. */

const dir = mkdtempSync(join(tmpdir(), 'ormconf-cli-'))
const MODELS = '```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n'
const doc = (name: string, text: string) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const input = suite('unusable input: exit 2, one line naming the place')

const bad: [string, string | Buffer, RegExp][] = [
  [
    'syntax.md',
    MODELS + '```pycon\n>>> A.objects.filter(name=)\n```\n',
    /syntax\.md:7:27: invalid syntax: expected an expression, found '\)'/
  ],
  ['fence.md', MODELS + '```pycon\n>>> 1\n1\n', /fence\.md:6:1: unterminated code fence/],
  ['continuation.md', MODELS + '```pycon\n... 1\n```\n', /continuation\.md:7:1: continuation line/],
  ['noexamples.md', MODELS, /noexamples\.md:1:1: no examples/],
  ['empty.md', '', /empty\.md:1:1: the document is empty/],
  ['binary.md', Buffer.from([0x89, 0x50, 0x00, 0x01]), /binary\.md:1:1: not a text document/],
  [
    'models.md',
    '```python\nclass A(models.Model):\n    x = models.JSONField()\n```\n\n```pycon\n>>> 1\n1\n```\n',
    /models\.md:3:5: not supported by the kit: JSONField/
  ],
  ['huge.md', MODELS + '```pycon\n>>> ' + 'x'.repeat(200_000) + '\n```\n', /huge\.md:7:100001: line longer than 100000 characters/]
]
for (const [name, text, expected] of bad) {
  input(name, async () => {
    const { code, err } = await cli('run', doc(name, text as string))
    assert.is(code, 2)
    assert.match(err, expected)
    assert.is(err.trim().split('\n').length, 1, 'one line, no stack trace')
  })
}

input('missing file, unknown adapter, bad options', async () => {
  assert.match((await cli('run', join(dir, 'nope.md'))).err, /nope\.md:1:1: no such file/)
  assert.match((await cli('run', 'spec/many-to-many.md', '--adapter', 'nope')).err, /unknown adapter 'nope'/)
  assert.match((await cli('run', 'spec/many-to-many.md', '--timeout', 'soon')).err, /--timeout must be/)
  assert.match((await cli('run', 'spec/many-to-many.md', '--bogus')).err, /Unknown option '--bogus'/)
  assert.match((await cli('run', 'spec/many-to-many.md', '--db', 'oracle://x')).err, /--db must be/)
  for (const db of ['file:', 'file::memory:', 'file:x.sqlite?mode=memory']) {
    const r = await cli('run', 'spec/many-to-many.md', '--db', db)
    assert.is(r.code, 2, db)
    assert.match(r.err, /--db must be .* \(or file:\/path\/to\/new\.sqlite\)/)
  }
  for (const r of [await cli('run', join(dir, 'nope.md')), await cli('run', 'spec/many-to-many.md', '--adapter', 'nope')])
    assert.is(r.code, 2)
})

const runs = suite('runs')

runs('the seed passes on the memory adapter: exit 0, closing line', async () => {
  const { code, out } = await cli('run', 'spec/many-to-many.md')
  assert.is(code, 0)
  assert.match(out, /^88 passed, 0 failed, 1 expected failures$/m)
})

runs("a wrong expectation fails with doctest's block and a diff: exit 1", async () => {
  const text = readFileSync('spec/many-to-many.md', 'utf8')
  const at = text.indexOf('>>> p2.article_set.all()\n<QuerySet [<Article: NASA uses Python>]>')
  assert.ok(at > 0)
  const broken = doc('broken.md', text.slice(0, at) + text.slice(at).replace('NASA uses Python', 'NASA uses Ruby'))
  doc('broken.errata.json', readFileSync('spec/many-to-many.errata.json', 'utf8'))
  const { code, out } = await cli('run', broken)
  assert.is(code, 1)
  assert.match(out, /File ".*broken\.md", line \d+, in Many-to-many relationships/)
  assert.match(out, /- <QuerySet \[<Article: NASA uses Ruby>\]>\n\s+\+ <QuerySet \[<Article: NASA uses Python>\]>/)
  assert.match(out, /^87 passed, 1 failed, 1 expected failures$/m)
})

runs('a hanging adapter is cut at the timeout (50 ms, not ten seconds); the rest of the document is not run', async () => {
  const started = performance.now()
  const { code, out } = await cli(
    'run',
    'spec/many-to-many.md',
    '--adapter',
    './runner/fixtures/hanging-adapter.ts',
    '--timeout',
    '50',
    '--reporter',
    'json'
  )
  assert.is(code, 1)
  const report = JSON.parse(out)
  assert.is(report.summary.total, 89)
  const errored = report.cases.filter((c: { status: string }) => c.status === 'errored')
  assert.is(report.summary.errored, errored.length)
  assert.is(errored[0].actual, "error: adapter: 'count' timed out after 50 ms")
  assert.is(errored[0].source, 'Article.objects.filter(publications__title__startswith="Science").count()')
  // Every later case (the seed's erratum too: a lost session is never an expected failure) is not run.
  assert.is(errored.length, 89 - report.summary.passed)
  for (const c of errored.slice(1))
    assert.match(
      c.actual,
      /^error: not run: the adapter's session ended at spec\/many-to-many\.md:\d+ \('count' timed out after 50 ms\); the database's state is unknown$/
    )
  assert.ok(performance.now() - started < 3000, 'the run did not wait for the default timeout')
})

runs('an adapter answering the wrong shape errors those cases', async () => {
  const { out } = await cli('run', 'spec/many-to-many.md', '--adapter', './runner/fixtures/wrong-shape-adapter.js', '--reporter', 'json')
  const report = JSON.parse(out)
  assert.ok(report.summary.errored > 10)
  assert.match(
    report.cases.find((c: { status: string }) => c.status === 'errored').actual,
    "adapter answered 'count' to 'select' (expected 'rows')"
  )
})

runs('filters report only the chosen cases, after running what they depend on', async () => {
  const all = JSON.parse((await cli('run', 'spec/many-to-many.md', '--reporter', 'json')).out)
  const late = all.cases.find((c: { source: string }) => c.source === 'p1.article_set.all()' && c.line > 300)
  const { code, out } = await cli('run', 'spec/many-to-many.md', '--reporter', 'json', '--case', late.id)
  assert.is(code, 0)
  const report = JSON.parse(out)
  assert.equal(
    report.cases.map((c: { id: string; status: string }) => [c.id, c.status]),
    [[late.id, 'passed']]
  )
  const grep = JSON.parse((await cli('run', 'spec/many-to-many.md', '--reporter', 'json', '--grep', 'distinct()')).out)
  assert.ok(grep.cases.length >= 5 && grep.cases.every((c: { source: string }) => c.source.includes('distinct()')))
})

runs('baselines: known failures pass the gate, new failures and unexpected passes fail it', async () => {
  const base = join(dir, 'baseline.json')
  const wrong = './runner/fixtures/wrong-shape-adapter.js'
  assert.is(
    (await cli('run', 'spec/many-to-many.md', '--adapter', wrong, '--write-baseline', base, '--reporter', 'json')).code,
    0,
    'writing the baseline is the point of the run'
  )
  assert.is((await cli('run', 'spec/many-to-many.md', '--adapter', wrong, '--baseline', base, '--reporter', 'json')).code, 0)
  const r = await cli('run', 'spec/many-to-many.md', '--adapter', 'memory', '--baseline', base, '--reporter', 'json')
  assert.is(r.code, 1)
  assert.ok(JSON.parse(r.out).summary.unexpectedPasses > 10)
})

runs('the JSON report is byte-identical across runs', async () => {
  const a = join(dir, 'a.json')
  const b = join(dir, 'b.json')
  await cli('run', 'spec/many-to-many.md', 'spec/m2m-api.md', '--reporter', 'json', '--output', a)
  await cli('run', 'spec/many-to-many.md', 'spec/m2m-api.md', '--reporter', 'json', '--output', b)
  assert.ok(readFileSync(a).length > 100_000)
  assert.ok(readFileSync(a).equals(readFileSync(b)))
})

const gate = suite('CI gate: baselines, filters, reporters, faults')

const SEED = readFileSync('spec/many-to-many.md', 'utf8')
const ERRATA = readFileSync('spec/many-to-many.errata.json', 'utf8')
/** A copy of the seed (with its errata) where `edit` changed the text. */
const seedCopy = (name: string, edit: (text: string) => string) => {
  doc(name.replace(/\.md$/, '.errata.json'), ERRATA)
  const text = edit(SEED)
  assert.is.not(text, SEED, `${name}: the edit applied`)
  return doc(name, text)
}
const breakNasa = (t: string) =>
  t.replace(
    '>>> p2.article_set.all()\n<QuerySet [<Article: NASA uses Python>]>',
    '>>> p2.article_set.all()\n<QuerySet [<Article: NASA uses Ruby>]>'
  )
const breakCount = (t: string) => t.replace('.distinct().count()\n1\n', '.distinct().count()\n3\n')
const json = (out: string) =>
  JSON.parse(out) as {
    summary: Record<string, number>
    cases: { id: string; status: string; section: string; line: number; actual: string; source: string }[]
  }

gate('--help describes both commands; no command is unusable input', async () => {
  const help = await cli('--help')
  assert.is(help.code, 0)
  for (const words of [
    'orm-conformance run <spec.md|name...>',
    'shipped with the kit',
    'orm-conformance generate <spec.md...> --out <dir>',
    '--check',
    '--update',
    '--baseline',
    '--write-baseline',
    '--timeout',
    'tap or junit',
    '--output'
  ])
    assert.match(help.out, words)
  assert.is((await cli()).code, 2)
  assert.match((await cli('frobnicate', 'x.md')).err, /unknown command 'frobnicate'/)
  assert.match((await cli('generate', 'spec/many-to-many.md')).err, /generate needs --out/)
})

gate('--write-baseline lists each failure with id and reason; the baseline then gates new failures only', async () => {
  const broken = seedCopy('gate1.md', breakNasa)
  const base = join(dir, 'gate1-baseline.json')
  assert.is((await cli('run', broken, '--write-baseline', base)).code, 0, 'writing the baseline is the point of the run')
  const written = JSON.parse(readFileSync(base, 'utf8'))
  const failing = parseDocument(readFileSync(broken, 'utf8'), broken).examples.find((e) => e.source === 'p2.article_set.all()')!
  // The document's erratum stays in its errata file: the baseline holds the adapter's failures only.
  assert.equal(
    written.expectedFailures.map((e: { id: string }) => e.id),
    [failing.id]
  )
  assert.ok(written.expectedFailures.every((e: { reason: string }) => e.reason.length > 0))
  const known = await cli('run', broken, '--baseline', base, '--reporter', 'json')
  assert.is(known.code, 0)
  assert.equal([json(known.out).summary['failed'], json(known.out).summary['expectedFailures']], [0, 2])
  // A second, new failure fails the gate even though the first stays listed.
  const worse = seedCopy('gate1b.md', (t) => breakCount(breakNasa(t)))
  const r = await cli('run', worse, '--baseline', base, '--reporter', 'json')
  assert.is(r.code, 1)
  assert.equal([json(r.out).summary['failed'], json(r.out).summary['expectedFailures']], [1, 2])
})

gate('a baseline still matches after edits elsewhere in the document (stable ids)', async () => {
  const broken = seedCopy('gate2.md', breakNasa)
  const base = join(dir, 'gate2-baseline.json')
  await cli('run', broken, '--write-baseline', base)
  // New prose and a new example near the top, prose reworded below: line numbers all shift.
  const insert = (t: string) =>
    t.replace(
      'Create a few `Publications`:',
      'An added paragraph.\n\n```pycon\n>>> Publication.objects.count()\n0\n```\n\nCreate a few `Publications`:'
    )
  const reword = (t: string) => t.replace('Save it!', 'Save it, now!')
  assert.is.not(insert(SEED), SEED)
  assert.is.not(reword(SEED), SEED)
  const edited = seedCopy('gate2b.md', (t) => reword(insert(breakNasa(t))))
  const r = await cli('run', edited, '--baseline', base, '--reporter', 'json')
  assert.is(r.code, 0, r.out)
  assert.equal([json(r.out).summary['total'], json(r.out).summary['expectedFailures']], [90, 2])
})

gate('--section reports one section only', async () => {
  const all = json((await cli('run', 'spec/m2m-api.md', '--reporter', 'json')).out)
  const sections = [...new Set(all.cases.map((c) => c.section))]
  assert.ok(sections.length > 3)
  const last = sections[sections.length - 1]!
  const r = await cli('run', 'spec/m2m-api.md', '--reporter', 'json', '--section', last)
  assert.is(r.code, 0)
  const chosen = json(r.out).cases
  assert.equal(
    chosen.map((c) => c.id),
    all.cases.filter((c) => c.section === last).map((c) => c.id)
  )
  assert.ok(chosen.every((c) => c.status === 'passed'))
})

gate('--case of late examples runs what they depend on; a broken earlier statement still shows through', async () => {
  const seed = parseDocument(SEED, 'spec/many-to-many.md').examples
  const late = seed.filter((e) => e.source === 'p2.article_set.all()').at(-1)!
  const other = seed.filter((e) => e.source === 'a5.publications.all()').at(-1)!
  const r = await cli('run', 'spec/many-to-many.md', '--reporter', 'json', '--case', late.id, '--case', other.id)
  assert.is(r.code, 0)
  assert.equal(
    json(r.out).cases.map((c) => [c.id, c.status]),
    [
      [late.id, 'passed'],
      [other.id, 'passed']
    ].sort((a, b) => seed.findIndex((e) => e.id === a[0]) - seed.findIndex((e) => e.id === b[0]))
  )
  // With the adapter's delete broken, the chosen case (after a delete) fails: earlier statements did run.
  const broken = await cli(
    'run',
    'spec/many-to-many.md',
    '--reporter',
    'json',
    '--adapter',
    './runner/fixtures/throwing-adapter.ts',
    '--case',
    late.id
  )
  assert.equal(
    json(broken.out).cases.map((c) => c.status),
    ['failed']
  )
})

gate('JUnit report of a run with one injected failure: valid XML, right counts, one testsuite per section', async () => {
  const broken = seedCopy('gate3.md', breakNasa)
  const out = join(dir, 'gate3.xml')
  const r = await cli('run', broken, '--reporter', 'junit', '--output', out)
  assert.is(r.code, 1)
  assert.is(r.out, '', 'the report goes to the file')
  const xml = readFileSync(out, 'utf8')
  assert.is(XMLValidator.validate(xml), true)
  const root = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testsuite' || name === 'testcase'
  }).parse(xml).testsuites
  assert.equal([root.tests, root.failures, root.errors, root.skipped], ['89', '1', '0', '0'])
  assert.is(root.testsuite.length, 1)
  const cases = root.testsuite[0].testcase as {
    classname: string
    name: string
    failure?: { message: string; '#text': string }
    'system-out'?: string
  }[]
  assert.is(cases.length, 89)
  const failed = cases.filter((c) => c.failure)
  assert.is(failed.length, 1)
  assert.is(failed[0]!.failure!.message, 'output differs from the document')
  assert.match(failed[0]!.failure!['#text'], 'NASA uses Ruby')
  assert.match(cases.find((c) => c['system-out'])!['system-out']!, /^expected failure: document erratum/)
  // Several sections: one testsuite each, counts per suite add up.
  const api = join(dir, 'api.xml')
  await cli('run', 'spec/m2m-api.md', '--reporter', 'junit', '--output', api)
  const apiRoot = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testsuite' || name === 'testcase'
  }).parse(readFileSync(api, 'utf8')).testsuites
  const sections = new Set(parseDocument(readFileSync('spec/m2m-api.md', 'utf8'), 'spec/m2m-api.md').examples.map((e) => e.section))
  assert.is(apiRoot.testsuite.length, sections.size)
  assert.is(
    apiRoot.testsuite.reduce((n: number, s: { tests: string }) => n + Number(s.tests), 0),
    Number(apiRoot.tests)
  )
})

gate('JUnit and TAP carry errored cases from a hanging adapter', async () => {
  const hang = ['run', 'spec/many-to-many.md', '--adapter', './runner/fixtures/hanging-adapter.ts', '--timeout', '50']
  const xml = (await cli(...hang, '--reporter', 'junit')).out
  assert.is(XMLValidator.validate(xml), true)
  const root = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml).testsuites
  const errored = Number(root.errors)
  assert.ok(errored > 2)
  assert.equal([root.tests, root.failures], ['89', '0'])
  const errors = root.testsuite.testcase
    .filter((c: { error?: unknown }) => c.error)
    .map((c: { error: { message: string } }) => c.error.message)
  assert.is(errors.length, errored)
  assert.is(errors[0], "adapter: 'count' timed out after 50 ms")
  assert.match(errors[1], /^not run: the adapter's session ended/)
  const tapFile = join(dir, 'hang.tap')
  assert.is((await cli(...hang, '--reporter', 'tap', '--output', tapFile)).code, 1)
  const tap = readFileSync(tapFile, 'utf8').split('\n')
  assert.equal(tap.slice(0, 2), ['TAP version 13', '1..89'])
  assert.is(tap.filter((l) => /^not ok \d+ - /.test(l) && !l.includes('# TODO')).length, errored)
  assert.is(tap.filter((l) => l === '  status: errored').length, errored)
})

gate('a throwing adapter errors each faulty case with its reason; the run goes on', async () => {
  const r = await cli('run', 'spec/many-to-many.md', '--adapter', './runner/fixtures/throwing-adapter.ts', '--reporter', 'json')
  assert.is(r.code, 1)
  const report = json(r.out)
  assert.is(report.summary['total'], 89, 'every case reported')
  const errored = report.cases.filter((c) => c.status === 'errored')
  const reasons = new Set(errored.map((c) => c.actual))
  assert.equal([...reasons].sort(), [
    'error: adapter: clear is broken',
    'error: adapter: delete is broken',
    'error: adapter: remove is broken'
  ])
  assert.ok(errored.every((c) => /\.(delete|remove|clear)\(/.test(c.source)))
  // Cases after the first fault still ran (and those that do not touch deleted rows pass).
  const firstFault = report.cases.findIndex((c) => c.status === 'errored')
  assert.ok(report.cases.slice(firstFault + 1).some((c) => c.status === 'passed'))
})

input.run()
runs.run()
gate.run()
