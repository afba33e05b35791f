import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from './cli.js'

/** Run the CLI in-process; collect what it prints. */
async function cli(...args: string[]) {
  let out = ''
  let err = ''
  const code = await main(['node', 'orm-conformance', ...args], { stdout: (t) => void (out += t), stderr: (t) => void (err += t) })
  return { code, out, err }
}

const dir = mkdtempSync(join(tmpdir(), 'ormconf-cli-'))
const MODELS = '```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n'
const doc = (name: string, text: string) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

const input = suite('unusable input: exit 2, one line naming the place')

const bad: [string, string | Buffer, RegExp][] = [
  ['syntax.md', MODELS + '```pycon\n>>> A.objects.filter(name=)\n```\n', /syntax\.md:7:27: invalid syntax: expected an expression, found '\)'/],
  ['fence.md', MODELS + '```pycon\n>>> 1\n1\n', /fence\.md:6:1: unterminated code fence/],
  ['continuation.md', MODELS + '```pycon\n... 1\n```\n', /continuation\.md:7:1: continuation line/],
  ['noexamples.md', MODELS, /noexamples\.md:1:1: no examples/],
  ['empty.md', '', /empty\.md:1:1: the document is empty/],
  ['binary.md', Buffer.from([0x89, 0x50, 0x00, 0x01]), /binary\.md:1:1: not a text document/],
  ['models.md', '```python\nclass A(models.Model):\n    x = models.JSONField()\n```\n\n```pycon\n>>> 1\n1\n```\n', /models\.md:3:5: field type 'JSONField' is not supported/],
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
  for (const r of [await cli('run', join(dir, 'nope.md')), await cli('run', 'spec/many-to-many.md', '--adapter', 'nope')]) assert.is(r.code, 2)
})

const runs = suite('runs')

runs('the seed passes on the memory adapter: exit 0, closing line', async () => {
  const { code, out } = await cli('run', 'spec/many-to-many.md')
  assert.is(code, 0)
  assert.match(out, /^88 passed, 0 failed, 1 expected failures$/m)
})

runs('a wrong expectation fails with doctest\'s block and a diff: exit 1', async () => {
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

runs('a hanging adapter is cut at the timeout; the run goes on', async () => {
  const { code, out } = await cli('run', 'spec/many-to-many.md', '--adapter', './runner/fixtures/hanging-adapter.ts', '--timeout', '50', '--reporter', 'json')
  assert.is(code, 1)
  const report = JSON.parse(out)
  assert.is(report.summary.errored, 2)
  assert.is(report.summary.total, 89)
  assert.match(report.cases.find((c: { status: string }) => c.status === 'errored').actual, "error: adapter: 'count' timed out after 50 ms")
})

runs('an adapter answering the wrong shape errors those cases', async () => {
  const { out } = await cli('run', 'spec/many-to-many.md', '--adapter', './runner/fixtures/wrong-shape-adapter.js', '--reporter', 'json')
  const report = JSON.parse(out)
  assert.ok(report.summary.errored > 10)
  assert.match(report.cases.find((c: { status: string }) => c.status === 'errored').actual, "adapter answered 'count' to 'select' (expected 'rows')")
})

runs('filters report only the chosen cases, after running what they depend on', async () => {
  const all = JSON.parse((await cli('run', 'spec/many-to-many.md', '--reporter', 'json')).out)
  const late = all.cases.find((c: { source: string }) => c.source === 'p1.article_set.all()' && c.line > 300)
  const { code, out } = await cli('run', 'spec/many-to-many.md', '--reporter', 'json', '--case', late.id)
  assert.is(code, 0)
  const report = JSON.parse(out)
  assert.equal(report.cases.map((c: { id: string; status: string }) => [c.id, c.status]), [[late.id, 'passed']])
  const grep = JSON.parse((await cli('run', 'spec/many-to-many.md', '--reporter', 'json', '--grep', 'distinct()')).out)
  assert.ok(grep.cases.length >= 5 && grep.cases.every((c: { source: string }) => c.source.includes('distinct()')))
})

runs('baselines: known failures pass the gate, new failures and unexpected passes fail it', async () => {
  const base = join(dir, 'baseline.json')
  const wrong = './runner/fixtures/wrong-shape-adapter.js'
  assert.is((await cli('run', 'spec/many-to-many.md', '--adapter', wrong, '--write-baseline', base, '--reporter', 'json')).code, 1)
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

input.run()
runs.run()
