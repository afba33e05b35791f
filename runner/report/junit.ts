/**
 * JUnit XML, the format CI systems read (Jenkins, GitLab, GitHub test
 * reporters): one <testsuite> per document section, one <testcase> per
 * reported example. failed and unexpected-pass -> <failure>, errored ->
 * <error>, skipped -> <skipped>. An expected failure (erratum or baseline)
 * is a PASSING testcase with `expected failure: <reason>` in <system-out>:
 * the gate must stay green on it, and CI tools hide <skipped> counts less
 * than they show a reason, so the note stays visible without failing.
 *
 * Written by hand rather than with junit-report-builder: its XML layer
 * (xmlbuilder 15) escapes only the first `]]>` of a CDATA section, so an
 * output with two of them (`]]>` is ordinary in printed data) gave ill-formed
 * XML. Here every string is escaped as text, characters XML 1.0 cannot carry
 * become visible `\u001b`-style escapes, and nothing else is needed.
 */
import type { CaseResult, Reporter } from '../results.js'
import { clip } from './text.js'

/** Characters XML 1.0 forbids even escaped (controls, lone surrogates, U+FFFE/F). */
const ILLEGAL = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

function legal(s: string): string {
  return s.replace(ILLEGAL, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
}

/** Element text: `<`, `&` and `>` (for `]]>`) escaped. */
export function xmlText(s: string): string {
  return legal(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Attribute value in double quotes; newlines and tabs kept as character references (attribute normalization would eat them). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('')
}

interface Counts {
  tests: number
  failures: number
  errors: number
  skipped: number
  time: number
}

function count(results: readonly CaseResult[]): Counts {
  const n = (...s: CaseResult['status'][]) => results.filter((r) => s.includes(r.status)).length
  return {
    tests: results.length,
    failures: n('failed', 'unexpected-pass'),
    errors: n('errored'),
    skipped: n('skipped'),
    time: seconds(results.reduce((t, r) => t + r.durationMs, 0))
  }
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000
}

function testcase(result: CaseResult): string {
  const r = {
    ...result,
    expected: clip(result.expected),
    actual: clip(result.actual),
    reason: result.reason === undefined ? undefined : clip(result.reason)
  }
  const ex = r.example
  const open = `    <testcase${attrs({ classname: ex.id, name: `line ${ex.place.line}: ${ex.source.split('\n')[0]}`, file: ex.place.file, line: ex.place.line, time: seconds(r.durationMs) })}`
  const detail = `Failed example:\n${indent(ex.source)}Expected:\n${r.expected ? indent(r.expected) : '    (nothing)\n'}Got:\n${r.actual ? indent(r.actual) : '    (nothing)\n'}`
  let body: string
  switch (r.status) {
    case 'passed':
      return open + '/>'
    case 'failed':
      body = `<failure${attrs({ message: 'output differs from the document', type: 'failed' })}>${xmlText(detail)}</failure>`
      break
    case 'unexpected-pass':
      body = `<failure${attrs({ message: r.reason ?? 'passed but listed as an expected failure', type: 'unexpected-pass' })}/>`
      break
    case 'errored':
      body = `<error${attrs({ message: r.reason ?? 'error', type: 'errored' })}>${xmlText(detail)}</error>`
      break
    case 'skipped':
      body = `<skipped${attrs({ message: 'doctest: +SKIP' })}/>`
      break
    case 'expected-failure':
      body = `<system-out>${xmlText(`expected failure: ${r.reason ?? ''}`)}</system-out>`
      break
  }
  return `${open}>\n      ${body}\n    </testcase>`
}

function indent(s: string): string {
  return (
    s
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => '    ' + l)
      .join('\n') + '\n'
  )
}

/** The whole report. Suites keep the order in which their sections first appear. */
export function formatJunit(results: readonly CaseResult[], name = 'orm-conformance'): string {
  const suites = new Map<string, CaseResult[]>()
  for (const r of results) {
    const key = `${r.example.place.file} › ${r.example.section || 'document'}`
    const list = suites.get(key)
    if (list) list.push(r)
    else suites.set(key, [r])
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name, ...count(results) })}>`]
  for (const [suite, rs] of suites) {
    lines.push(`  <testsuite${attrs({ name: suite, ...count(rs) })}>`)
    for (const r of rs) lines.push(testcase(r))
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return lines.join('\n') + '\n'
}

export function junitReporter(write: (text: string) => void = (t) => void process.stdout.write(t)): Reporter {
  return { end: (results) => write(formatJunit(results)) }
}
