/**
 * TAP version 13: `ok`/`not ok` per example, a YAML block for failures.
 * An expected failure is `not ok … # TODO`, TAP's own word for it; a skipped
 * case is `ok … # SKIP`. Strings in the YAML block are JSON-quoted (valid YAML).
 */
import type { CaseResult, Reporter } from '../results.js'
import { clip } from './text.js'

export function formatTap(results: readonly CaseResult[]): string {
  const lines = ['TAP version 13', `1..${results.length}`]
  results.forEach((r, i) => {
    const n = i + 1
    const label = `${r.example.id} (${r.example.place.file}:${r.example.place.line})`.replace(/#/g, '\\#')
    switch (r.status) {
      case 'passed':
        lines.push(`ok ${n} - ${label}`)
        return
      case 'skipped':
        lines.push(`ok ${n} - ${label} # SKIP`)
        return
      case 'expected-failure':
        lines.push(`not ok ${n} - ${label} # TODO ${oneLine(clip(r.reason ?? 'expected failure'))}`)
        return
      default:
        lines.push(`not ok ${n} - ${label}`, '  ---', `  status: ${r.status}`, `  source: ${JSON.stringify(r.example.source)}`)
        if (r.reason) lines.push(`  reason: ${JSON.stringify(clip(r.reason))}`)
        lines.push(`  expected: ${JSON.stringify(clip(r.expected))}`, `  actual: ${JSON.stringify(clip(r.actual))}`, '  ...')
    }
  })
  return lines.join('\n') + '\n'
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/#/g, '\\#')
}

export function tapReporter(write: (text: string) => void = (t) => void process.stdout.write(t)): Reporter {
  return { end: (results) => write(formatTap(results)) }
}
