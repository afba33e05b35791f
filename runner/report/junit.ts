/**
 * JUnit XML, the format CI systems read: one <testsuite> per document
 * section, one <testcase> per example. junit-report-builder writes the XML
 * (escaping, counts), so this module only maps statuses:
 * failed and unexpected-pass -> <failure>, errored -> <error>, skipped ->
 * <skipped>; an expected failure is a passing testcase with a note in
 * <system-out>, because CI gates must not fail on it.
 */
import junitModule, { type Builder } from 'junit-report-builder'
import type { CaseResult, Reporter } from '../results.js'

// A CommonJS module: Node's ESM loader hands over module.exports, its typings describe `.default`.
const junit = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as unknown as Builder

export function formatJunit(results: readonly CaseResult[], name = 'orm-conformance'): string {
  const builder = junit.newBuilder().name(name)
  const suites = new Map<string, ReturnType<typeof builder.testSuite>>()
  for (const r of results) {
    const ex = r.example
    const key = `${ex.place.file} › ${ex.section || 'document'}`
    let suite = suites.get(key)
    if (!suite) {
      suite = builder.testSuite().name(key)
      suites.set(key, suite)
    }
    const test = suite.testCase().className(ex.id).name(`line ${ex.place.line}: ${ex.source.split('\n')[0]}`).file(ex.place.file).time(r.durationMs / 1000)
    const detail = `Failed example:\n    ${ex.source}\nExpected:\n${r.expected || '(nothing)\n'}Got:\n${r.actual || '(nothing)\n'}`
    switch (r.status) {
      case 'failed': test.failure('output differs from the document', 'failed').stacktrace(detail); break
      case 'unexpected-pass': test.failure(r.reason ?? 'passed but listed as an expected failure', 'unexpected-pass'); break
      case 'errored': test.error(r.reason ?? 'error', 'errored', detail); break
      case 'skipped': test.skipped(); break
      case 'expected-failure': test.standardOutput(`expected failure: ${r.reason ?? ''}`); break
      case 'passed': break
    }
  }
  return builder.build() + '\n'
}

export function junitReporter(write: (text: string) => void = (t) => void process.stdout.write(t)): Reporter {
  return { end: (results) => write(formatJunit(results)) }
}
