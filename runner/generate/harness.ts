/**
 * What generated test files call: run one document through an adapter once,
 * then each generated test looks up its case.
 */
import { loadErrata } from '../expectations.js'
import { loadAdapter } from '../load-adapter.js'
import { readDocument } from '../parse/document.js'
import type { CaseResult } from '../results.js'
import { runDocument } from '../run.js'

export async function runForTests(file: string, adapter: string): Promise<ReadonlyMap<string, CaseResult>> {
  const doc = await readDocument(file)
  const results = await runDocument(doc, { adapter: await loadAdapter(adapter), expected: loadErrata(file) })
  return new Map(results.map((r) => [r.example.id, r]))
}

/** A test's verdict: passed or a listed expected failure is fine; anything else explains itself. */
export function verdict(result: CaseResult | undefined): string | undefined {
  if (!result) return 'the case is gone from the document: regenerate the tests'
  if (result.status === 'passed' || result.status === 'expected-failure' || result.status === 'skipped') return undefined
  return `${result.status} at ${result.example.place.file}:${result.example.place.line}\n>>> ${result.example.source}\nexpected:\n${result.expected}got:\n${result.actual}${result.reason ? `reason: ${result.reason}\n` : ''}`
}
