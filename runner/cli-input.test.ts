/**
 * Input the kit must read as Python's doctest does, or refuse in one line:
 * CRLF documents, invalid UTF-8, adapter modules that never load or throw
 * what cannot be printed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { cli } from './fixtures/cli.js'
import { invalidUtf8 } from './parse/document.js'

const dir = mkdtempSync(join(tmpdir(), 'ormconf-input-'))
const SEED = readFileSync('spec/many-to-many.md', 'utf8')
const ERRATA = readFileSync('spec/many-to-many.errata.json', 'utf8')

const text = suite('document text')

text('a CRLF document runs exactly as the LF one: same ids, lines, statuses and outputs', async () => {
  writeFileSync(join(dir, 'crlf.md'), SEED.replace(/\n/g, '\r\n'))
  writeFileSync(join(dir, 'crlf.errata.json'), ERRATA)
  writeFileSync(join(dir, 'lf.md'), SEED)
  writeFileSync(join(dir, 'lf.errata.json'), ERRATA)
  const crlf = await cli('run', join(dir, 'crlf.md'), '--reporter', 'json')
  const lf = await cli('run', join(dir, 'lf.md'), '--reporter', 'json')
  assert.is(lf.code, 0)
  assert.is(crlf.code, 0, crlf.err)
  const strip = (out: string) => JSON.stringify(JSON.parse(out), (k, v) => (k === 'file' ? undefined : v))
  assert.is(strip(crlf.out), strip(lf.out))
  assert.is(JSON.parse(crlf.out).summary.passed, 88)
})

text('invalid UTF-8 is one line with its place and byte offset, exit 2', async () => {
  const head = Buffer.from(
    '# T\n\n```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n```pycon\n>>> A.objects.create(name="é'
  )
  const file = join(dir, 'latin1.md')
  writeFileSync(file, Buffer.concat([head, Buffer.from([0xe9, 0x22, 0x29, 0x0a]), Buffer.from('```\n')]))
  const { code, err } = await cli('run', file)
  assert.is(code, 2)
  assert.is(err, `orm-conformance: ${file}:9:29: invalid UTF-8 (byte offset ${head.length})\n`)
})

text('invalidUtf8: overlongs, surrogates, truncated and out-of-range sequences', () => {
  const at = (...bytes: number[]) => invalidUtf8(Uint8Array.from(bytes))
  assert.is(at(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80), -1)
  assert.is(at(0x61, 0xc0, 0xaf), 1, 'overlong /')
  assert.is(at(0xe0, 0x80, 0xaf), 0, 'overlong 3-byte')
  assert.is(at(0xed, 0xa0, 0x80), 0, 'surrogate')
  assert.is(at(0x61, 0x62, 0xe2, 0x82), 2, 'truncated')
  assert.is(at(0xf4, 0x90, 0x80, 0x80), 0, 'past U+10FFFF')
  assert.is(at(0x80), 0, 'a lone continuation byte')
})

text.run()

const adapters = suite('adapters that are hard to load or to hear')

adapters('a module whose top-level await never settles: loading times out, one line, exit 2', async () => {
  const started = performance.now()
  const { code, err } = await cli(
    'run',
    'spec/many-to-many.md',
    '--adapter',
    './runner/fixtures/never-loads-adapter.ts',
    '--timeout',
    '100'
  )
  assert.is(code, 2)
  assert.is(err.trim().split('\n').length, 1, err)
  assert.match(err, /cannot load adapter '\.\/runner\/fixtures\/never-loads-adapter\.ts': loading timed out after 10000 ms/)
  assert.ok(performance.now() - started < 20_000)
})

adapters('a module that loops forever while loading: its thread is stopped, one line, exit 2', async () => {
  const started = performance.now()
  const { code, err } = await cli(
    'run',
    'spec/many-to-many.md',
    '--adapter',
    './runner/fixtures/loops-on-load-adapter.ts',
    '--timeout',
    '100'
  )
  assert.is(code, 2)
  assert.is(err.trim().split('\n').length, 1, err)
  assert.match(
    err,
    /cannot load adapter '\.\/runner\/fixtures\/loops-on-load-adapter\.ts': loading timed out after 10000 ms \(a loop that never ends\?\)/
  )
  assert.ok(performance.now() - started < 20_000)
})

adapters('a null-prototype object or an error whose message getter throws: the case errors with a readable reason', async () => {
  const { code, out } = await cli(
    'run',
    'spec/many-to-many.md',
    '--adapter',
    './runner/fixtures/odd-throws-adapter.ts',
    '--reporter',
    'json'
  )
  assert.is(code, 1)
  const errored = (JSON.parse(out) as { cases: { status: string; actual: string }[] }).cases.filter((c) => c.status === 'errored')
  const reasons = [...new Set(errored.map((c) => c.actual))].sort()
  assert.equal(reasons, [
    'error: adapter: a thrown Object without a message: {"code":"E_COUNT"}',
    'error: adapter: a thrown value whose message cannot be read'
  ])
})

adapters.run()

const errata = suite('errata files')

errata('null, [null], an entry without a string "why", or an id of no case: one line, exit 2', async () => {
  const bad: [string, RegExp][] = [
    ['null', /errata file must be/],
    ['{"errata": [null]}', /entry 1 of "errata" is not an object/],
    ['{"errata": [{"id": "many-to-many-relationships/relation-sets-can-be-set-93db542"}]}', /entry 1 needs a non-empty "why" string/],
    [
      '{"errata": [\n  {"id": "gone/no-such-case-0000000", "says": "", "correct": "", "why": "w"}\n]}',
      /bad-3\.errata\.json:2:10: erratum 'gone\/no-such-case-0000000' matches no case of/
    ]
  ]
  for (const [i, [json, want]] of bad.entries()) {
    writeFileSync(join(dir, `bad-${i}.md`), SEED)
    writeFileSync(join(dir, `bad-${i}.errata.json`), json)
    const { code, err } = await cli('run', join(dir, `bad-${i}.md`))
    assert.is(code, 2, json)
    assert.is(err.trim().split('\n').length, 1, err)
    assert.match(err, want)
  }
})

errata('every errata file in spec/ names cases of its document', async () => {
  const { readdirSync } = await import('node:fs')
  const { errataPath, loadErrata } = await import('./expectations.js')
  const { readDocument } = await import('./parse/document.js')
  for (const name of readdirSync('spec').filter((f) => f.endsWith('.md'))) {
    const doc = await readDocument(join('spec', name))
    const ids = new Set(doc.examples.map((e) => e.id))
    for (const id of loadErrata(doc.file).keys()) assert.ok(ids.has(id), `${errataPath(doc.file)}: ${id}`)
  }
})

errata.run()

const large = suite('large runs')

large('150 000 examples end with a report (no spread of all results as arguments)', async () => {
  const file = join(dir, 'large.md')
  const lines = ['# Large\n\n```python\nclass A(models.Model):\n    name = models.CharField(max_length=9)\n```\n\n```pycon']
  for (let i = 0; i < 150_000; i++) lines.push(`>>> ${i % 10}`, `${i % 10}`)
  writeFileSync(file, lines.join('\n') + '\n```\n')
  const report = join(dir, 'large.json')
  const { code, err } = await cli('run', file, '--reporter', 'json', '--output', report)
  assert.is(err, '')
  assert.is(code, 0)
  assert.equal(JSON.parse(readFileSync(report, 'utf8')).summary.passed, 150_000)
})

large.run()
