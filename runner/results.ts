/**
 * Outcomes of a run: one `CaseResult` per example, and their summary.
 */
import type { Example } from './parse/document.js'

/** Closed set of outcomes, as the JSON report spells them. */
export type Status = 'passed' | 'failed' | 'errored' | 'expected-failure' | 'unexpected-pass' | 'skipped'

export interface CaseResult {
  readonly example: Example
  readonly status: Status
  /** The document's expected output. */
  readonly expected: string
  /** What the statement printed, or its traceback; `''` when it did not run. */
  readonly actual: string
  /** Why the case errored, or why its failure is expected (erratum/baseline). */
  readonly reason: string | undefined
  /** SQL statements (or operations) the adapter issued, when it counts them. */
  readonly queries: number | undefined
  readonly durationMs: number
}

export interface Summary {
  readonly total: number
  readonly passed: number
  readonly failed: number
  readonly errored: number
  readonly expectedFailures: number
  readonly unexpectedPasses: number
  readonly skipped: number
}

export function summarize(results: readonly CaseResult[]): Summary {
  const n = (s: Status) => results.filter((r) => r.status === s).length
  return {
    total: results.length,
    passed: n('passed'),
    failed: n('failed'),
    errored: n('errored'),
    expectedFailures: n('expected-failure'),
    unexpectedPasses: n('unexpected-pass'),
    skipped: n('skipped')
  }
}

/** A run is green when nothing failed, errored, or passed unexpectedly. */
export function isGreen(summary: Summary): boolean {
  return summary.failed === 0 && summary.errored === 0 && summary.unexpectedPasses === 0
}

/** Hooks a reporter implements; the runner itself never prints. */
export interface Reporter {
  start?(info: { readonly adapter: string; readonly files: readonly string[] }): void
  result?(result: CaseResult): void
  end?(results: readonly CaseResult[], summary: Summary): void | Promise<void>
}
