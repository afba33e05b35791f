/**
 * JSON reporter: `{"summary": {…}, "cases": [{…}]}` with a fixed key order,
 * and no timings, so the same run gives byte-identical reports.
 */
import type { CaseResult, Reporter, Summary } from '../results.js'
import { clip } from './text.js'

export interface JsonCase {
  readonly id: string
  readonly file: string
  readonly line: number
  readonly section: string
  readonly source: string
  readonly expected: string
  readonly actual: string
  readonly status: CaseResult['status']
  /** Adapter statements for this case; null when the adapter does not count them. */
  readonly queries: number | null
}

export interface JsonReport {
  readonly summary: Summary
  readonly cases: readonly JsonCase[]
}

export function toJsonReport(results: readonly CaseResult[], summary: Summary): JsonReport {
  return {
    summary: {
      total: summary.total,
      passed: summary.passed,
      failed: summary.failed,
      errored: summary.errored,
      expectedFailures: summary.expectedFailures,
      unexpectedPasses: summary.unexpectedPasses,
      skipped: summary.skipped
    },
    cases: results.map((r) => ({
      id: r.example.id,
      file: r.example.place.file,
      line: r.example.place.line,
      section: r.example.section,
      source: r.example.source,
      expected: clip(r.expected),
      // An errored case printed nothing comparable: its actual is the reason.
      actual: clip(r.status === 'errored' ? `error: ${r.reason ?? ''}` : r.actual),
      status: r.status,
      queries: r.queries ?? null
    }))
  }
}

export function jsonReporter(write: (text: string) => void = (t) => void process.stdout.write(t)): Reporter {
  return {
    end(results, summary) {
      write(JSON.stringify(toJsonReport(results, summary), null, 2) + '\n')
    }
  }
}
