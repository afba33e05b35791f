import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import memory from '../../adapters/memory/index.js'
import { loadErrata } from '../expectations.js'
import { parseDocument, readDocument } from '../parse/document.js'
import { type CaseResult, summarize } from '../results.js'
import { runDocument } from '../run.js'
import { closingLine, consoleReporter, formatFailure } from './console.js'
import { jsonReporter, toJsonReport } from './json.js'
import { formatJunit } from './junit.js'
import { formatTap } from './tap.js'
import { clip } from './text.js'

const seed = await readDocument('spec/many-to-many.md')
/** The seed with one injected failure, the erratum, and a skipped example. */
async function results(): Promise<CaseResult[]> {
  const text = seed.text
    .replace('>>> a2.publications.add(p3)\n\nAdding an object', '>>> a2.publications.add(p3)\n\nAdding an object')
    .replace(
      '<QuerySet [<Publication: The Python Journal>]>\n>>> a2.publications.all()',
      '<QuerySet [<Publication: The Daily Planet>]>\n>>> a2.publications.all()'
    )
    .replace(
      ">>> p1 = Publication(title='The Python Journal')\n",
      ">>> p1 = Publication(title='The Python Journal')\n>>> 1  # doctest: +SKIP\n2\n"
    )
  const doc = parseDocument(text, 'spec/many-to-many.md')
  return runDocument(doc, { adapter: memory, expected: loadErrata('spec/many-to-many.md') })
}

const test = suite('reporters')

test('the injected failure, the erratum and the skip are counted apart', async () => {
  const s = summarize(await results())
  assert.equal([s.total, s.passed, s.failed, s.expectedFailures, s.skipped], [90, 87, 1, 1, 1])
  assert.is(closingLine(s), '87 passed, 1 failed, 1 expected failures, 1 skipped')
})

test('JUnit XML validates and carries the right counts', async () => {
  const xml = formatJunit(await results())
  assert.is(XMLValidator.validate(xml), true)
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml)
  const root = doc.testsuites
  assert.equal([root.tests, root.failures, root.errors, root.skipped], ['90', '1', '0', '1'])
  const suite = Array.isArray(root.testsuite) ? root.testsuite[0] : root.testsuite
  assert.is(suite.name, 'spec/many-to-many.md › Many-to-many relationships')
  const failing = suite.testcase.find((t: { failure?: unknown }) => t.failure)
  assert.match(failing.name, 'a1.publications.all()')
  assert.match(String(failing.failure['#text'] ?? ''), 'The Daily Planet')
  const expected = suite.testcase.find((t: { 'system-out'?: string }) => t['system-out'])
  assert.match(expected['system-out'], 'expected failure: document erratum')
})

test('TAP: plan, ok/not ok, TODO for expected failures, SKIP, YAML details', async () => {
  const tap = formatTap(await results())
  const lines = tap.split('\n')
  assert.is(lines[0], 'TAP version 13')
  assert.is(lines[1], '1..90')
  assert.is(lines.filter((l) => /^ok \d+/.test(l)).length, 88)
  assert.is(lines.filter((l) => /^not ok \d+ .*# TODO document erratum/.test(l)).length, 1)
  assert.is(lines.filter((l) => /^ok \d+ .*# SKIP$/.test(l)).length, 1)
  assert.match(tap, '  expected: "<QuerySet [<Publication: The Daily Planet>]>\\n"')
})

test('JSON report has exactly the documented keys', async () => {
  const rs = await results()
  const report = toJsonReport(rs, summarize(rs))
  assert.equal(Object.keys(report.summary), ['total', 'passed', 'failed', 'errored', 'expectedFailures', 'unexpectedPasses', 'skipped'])
  assert.equal(Object.keys(report.cases[0]!), ['id', 'file', 'line', 'section', 'source', 'expected', 'actual', 'status', 'queries'])
  assert.equal([...new Set(report.cases.map((c) => c.status))].sort(), ['expected-failure', 'failed', 'passed', 'skipped'])
})

test('console failure block: doctest header, statement, expected, got, diff', async () => {
  const failed = (await results()).find((r) => r.status === 'failed')!
  const text = formatFailure(failed)
  assert.match(text, /^\*{70}\nFile "spec\/many-to-many\.md", line \d+, in Many-to-many relationships\n/)
  assert.match(
    text,
    'Failed example:\n    a1.publications.all()\nExpected:\n    <QuerySet [<Publication: The Daily Planet>]>\nGot:\n    <QuerySet [<Publication: The Python Journal>]>\n'
  )
  assert.match(text, '  - <QuerySet [<Publication: The Daily Planet>]>\n  + <QuerySet [<Publication: The Python Journal>]>')
})

/** A synthetic result: statuses the seed run does not produce, and hostile text. */
function synthetic(status: CaseResult['status'], actual: string, reason?: string): CaseResult {
  const example = { ...seed.examples[0]!, source: 'x = "]]>" # <&>' }
  return { example, status, expected: 'a]]>b]]>c\x01\n', actual, reason, queries: undefined, durationMs: 1.4 }
}

test('console: the cases not run after a lost session are one block and a count, other failures still print', () => {
  let out = ''
  const reporter = consoleReporter({ write: (t) => void (out += t), color: false })
  const lost = "not run: the adapter's session ended at spec/x.md:3 (boom); the database's state is unknown"
  const rs = [
    synthetic('errored', '', 'adapter: boom'),
    synthetic('errored', '', lost),
    synthetic('errored', '', lost),
    synthetic('errored', '', lost),
    synthetic('failed', 'other\n'),
    synthetic('errored', '', lost),
    synthetic('errored', '', lost)
  ]
  for (const r of rs) reporter.result?.(r)
  reporter.end?.(rs, summarize(rs))
  assert.is(out.split('Error: not run:').length - 1, 2, out)
  assert.match(out, /\.\.\. and 2 more cases not run, for the same reason\n\*+\n/)
  assert.match(
    out,
    /\.\.\. and 1 more case not run, for the same reason\n1 failed, 6 errored|\.\.\. and 1 more case not run, for the same reason\n0 passed, 1 failed, 6 errored/
  )
})

test('JUnit maps every status, and text survives escaping ("]]>" twice, control characters)', () => {
  const rs = [
    synthetic('failed', 'x]]>y]]>z\x1b[31m\n'),
    synthetic('errored', '', 'boom\nline two'),
    synthetic('unexpected-pass', '', 'listed but passed'),
    synthetic('skipped', ''),
    synthetic('expected-failure', '', 'why <b>'),
    synthetic('passed', '')
  ]
  const xml = formatJunit(rs)
  assert.is(XMLValidator.validate(xml), true)
  const root = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, htmlEntities: true }).parse(
    xml
  ).testsuites
  assert.equal([root.tests, root.failures, root.errors, root.skipped], ['6', '2', '1', '1'])
  const [failed, errored, unexpected, skipped, expected, passed] = root.testsuite.testcase
  assert.is(failed.name, `line ${seed.examples[0]!.place.line}: x = "]]>" # <&>`)
  assert.is(
    failed.failure['#text'],
    'Failed example:\n    x = "]]>" # <&>\nExpected:\n    a]]>b]]>c\\u0001\nGot:\n    x]]>y]]>z\\u001b[31m\n'
  )
  assert.equal([errored.error.type, errored.error.message], ['errored', 'boom\nline two'])
  assert.equal([unexpected.failure.type, unexpected.failure.message], ['unexpected-pass', 'listed but passed'])
  assert.ok('skipped' in skipped)
  assert.is(expected['system-out'], 'expected failure: why <b>')
  assert.not.ok('failure' in expected || 'skipped' in expected, 'an expected failure passes')
  assert.is(passed['system-out'], undefined)
  assert.not.match(xml, /[\x00-\x08\x0b\x0c\x0e-\x1f]/)
  assert.not.match(xml, ']]>', 'XML forbids "]]>" in text; lenient parsers accept it, strict ones (expat) do not')
})

test('TAP: unexpected passes and errors are not ok with their reason', () => {
  const tap = formatTap([synthetic('unexpected-pass', '', 'listed but passed'), synthetic('errored', '', 'boom # 1')]).split('\n')
  assert.equal(tap.slice(0, 2), ['TAP version 13', '1..2'])
  assert.match(tap[2]!, /^not ok 1 - [^#]*$/)
  assert.ok(
    tap.includes('  status: unexpected-pass') && tap.includes('  reason: "listed but passed"') && tap.includes('  reason: "boom # 1"')
  )
  assert.is(tap.filter((l) => l === '  ---').length, 2)
  assert.is(tap.filter((l) => l === '  ...').length, 2)
})

test('console: ANSI escape sequences from the adapter are shown, not obeyed', () => {
  const errored = formatFailure(synthetic('errored', '', 'boom \x1b[2J\x1b[31mred\x07'), true)
  assert.match(errored, 'Error: boom \\x1b[2J\\x1b[31mred\\x07')
  const failed = formatFailure(synthetic('failed', 'got \x1b]0;title\x07 \x9b31m\n'), false)
  assert.match(failed, 'got \\x1b]0;title\\x07 \\x9b31m')
  // Only the kit's own colours remain as escape sequences.
  assert.not.match(formatFailure(synthetic('failed', 'x\x1b[31m\n'), false), '\x1b')
})

test('reports clip expected, actual and reason beyond 64 KiB with a visible marker; 50 MB outputs do not break JSON', async () => {
  const huge = 'x'.repeat(50 * 1024 * 1024)
  const rs = Array.from({ length: 12 }, () => synthetic('failed', huge + '\n'))
  let written = ''
  await jsonReporter((t) => void (written += t)).end!(rs, summarize(rs))
  const report = JSON.parse(written) as { cases: { actual: string }[] }
  assert.is(report.cases.length, 12)
  assert.is(report.cases[0]!.actual, 'x'.repeat(65536) + `…[truncated ${50 * 1024 * 1024 + 1 - 65536} chars]`)
  const errored = toJsonReport([synthetic('errored', '', huge)], summarize([]))
  assert.match(errored.cases[0]!.actual, /…\[truncated \d+ chars\]$/)
  assert.ok(errored.cases[0]!.actual.length < 70_000)
  assert.ok(formatFailure(rs[0]!).length < 300_000, 'the console block too')
  assert.ok(formatTap(rs).length < 12 * 300_000)
  assert.ok(formatJunit(rs).length < 12 * 300_000)
  assert.is(clip('ab\u{1F600}c', 3), 'ab…[truncated 3 chars]', 'a surrogate pair is never split')
})

test.run()
