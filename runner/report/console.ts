/**
 * Console reporter: doctest's failure blocks (`File "…", line N, in section`),
 * a coloured expected/actual diff, and the closing `N passed, N failed` line.
 */
import { diffLines } from 'diff'
import kleur from 'kleur'
import type { CaseResult, Reporter, Summary } from '../results.js'
import { clip, visible } from './text.js'

export interface ConsoleOptions {
  /** Where to write. @default process.stdout.write */
  readonly write?: (text: string) => void
  /** Colour output. @default stdout is a TTY and NO_COLOR is unset */
  readonly color?: boolean
  /** Also list passing cases. @default false */
  readonly verbose?: boolean
}

export function consoleReporter(options: ConsoleOptions = {}): Reporter {
  const write = options.write ?? ((t: string) => void process.stdout.write(t))
  const color = options.color ?? (Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'])
  const k = kleur
  k.enabled = color
  const notRun = { reason: undefined as string | undefined, more: 0 }
  const flushNotRun = () => {
    if (notRun.more) write(`... and ${notRun.more} more case${notRun.more === 1 ? '' : 's'} not run, for the same reason\n`)
    notRun.reason = undefined
    notRun.more = 0
  }
  return {
    start({ adapter, files }) {
      write(`orm-conformance: ${files.join(', ')} through adapter '${adapter}'\n`)
    },
    result(r) {
      // The cases after a lost session share one reason: show the first, count the rest.
      if (r.status === 'errored' && r.reason !== undefined && r.reason === notRun.reason && !options.verbose) {
        notRun.more++
        return
      }
      flushNotRun()
      if (r.status === 'passed' || r.status === 'skipped' || r.status === 'expected-failure') {
        if (options.verbose) write(`${k.dim(r.status.padEnd(16))} ${r.example.id}\n`)
        return
      }
      if (r.reason?.startsWith('not run: ')) notRun.reason = r.reason
      write(formatFailure(r, color))
    },
    end(_results, summary) {
      flushNotRun()
      write(closingLine(summary) + '\n')
    }
  }
}

/** One failure as doctest prints it, plus the case id and a diff. Adapter text is clipped and its control characters escaped. */
export function formatFailure(result: CaseResult, color = false): string {
  const k = kleur
  k.enabled = color
  const safe = (s: string) => visible(clip(s))
  const r = {
    ...result,
    expected: safe(result.expected),
    actual: safe(result.actual),
    reason: result.reason === undefined ? undefined : safe(result.reason)
  }
  const ex = { ...r.example, source: visible(r.example.source) }
  const indent = (s: string) =>
    s
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => '    ' + l)
      .join('\n') + '\n'
  let out = k.red('*'.repeat(70)) + '\n'
  out += `File "${ex.place.file}", line ${ex.place.line}, in ${ex.section || '<document>'}\n`
  out += k.dim(`Case ${ex.id} (${r.status})`) + '\n'
  out += 'Failed example:\n' + indent(ex.source)
  if (r.status === 'errored' || r.status === 'unexpected-pass') {
    out += `${r.status === 'errored' ? 'Error' : 'Unexpected pass'}: ${r.reason ?? ''}\n`
    return out
  }
  out += r.expected ? 'Expected:\n' + indent(r.expected) : 'Expected nothing\n'
  out += r.actual ? 'Got:\n' + indent(r.actual) : 'Got nothing\n'
  if (r.expected && r.actual) {
    out += 'Diff (- expected, + got):\n'
    for (const part of diffLines(r.expected, r.actual)) {
      const sign = part.added ? '+' : part.removed ? '-' : ' '
      const paint = part.added ? k.green : part.removed ? k.red : k.dim
      out +=
        part.value
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => paint(`  ${sign} ${l}`))
          .join('\n') + '\n'
    }
  }
  return out
}

/** `N passed, N failed`, then only the non-zero other counts. */
export function closingLine(s: Summary): string {
  const extra = [
    s.errored ? `${s.errored} errored` : '',
    s.unexpectedPasses ? `${s.unexpectedPasses} unexpected passes` : '',
    s.expectedFailures ? `${s.expectedFailures} expected failures` : '',
    s.skipped ? `${s.skipped} skipped` : ''
  ].filter(Boolean)
  return [`${s.passed} passed`, `${s.failed} failed`, ...extra].join(', ')
}
