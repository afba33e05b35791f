/**
 * What generated test files call: run one document through an adapter once,
 * then each generated test looks up its case.
 */
import { fileURLToPath } from 'node:url'
import { loadBaseline, loadErrata, merge } from '../expectations.js'
import { loadAdapter } from '../load-adapter.js'
import { readDocument } from '../parse/document.js'
import type { CaseResult } from '../results.js'
import { runDocument } from '../run.js'

/** Where and how generated tests run their document. */
export interface TestRunOptions {
  /** `--db` of the generate command: a server URL. */
  readonly db?: string
  /** `--baseline` of the generate command: a file, relative to the test file's directory or absolute. */
  readonly baseline?: string
}

/**
 * Run `file` (a path, or a `file:` URL resolved against the test file) once
 * through `adapter`, with the document's errata and the baseline.
 */
export async function runForTests(
  file: string | URL,
  adapter: string,
  options: TestRunOptions = {}
): Promise<ReadonlyMap<string, CaseResult>> {
  const path = file instanceof URL ? fileURLToPath(file) : file
  const doc = await readDocument(path)
  const expected = merge(loadErrata(path), options.baseline ? loadBaseline(options.baseline) : new Map())
  const results = await runDocument(doc, { adapter: await loadAdapter(adapter), expected, ...(options.db ? { db: options.db } : {}) })
  return new Map(results.map((r) => [r.example.id, r]))
}

/** A test's verdict: passed or a listed expected failure is fine; anything else explains itself. */
export function verdict(result: CaseResult | undefined): string | undefined {
  if (!result) return 'the case is gone from the document: regenerate the tests'
  if (result.status === 'passed' || result.status === 'expected-failure' || result.status === 'skipped') return undefined
  return `${result.status} at ${result.example.place.file}:${result.example.place.line}\n>>> ${result.example.source}\nexpected:\n${result.expected}got:\n${result.actual}${result.reason ? `reason: ${result.reason}\n` : ''}`
}
