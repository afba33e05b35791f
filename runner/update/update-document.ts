/**
 * Update mode (sqllogictest's `--override`): write the actual output of each
 * failing case into the document, in place of its expected output. Prose,
 * formatting, passing cases, errata and baseline entries stay as they are;
 * errored cases have no output to write and stay too.
 *
 * New lines take the prefix the document itself puts before the `>>>` prompt
 * (list indentation, `> ` of a block quote), read from the document's text
 * rather than from the parsed block, whose container prefix Markdown strips.
 * An edit whose lines are not where the example says is refused, never guessed.
 */
import { renameSync, writeFileSync } from 'node:fs'
import type { CaseResult } from '../results.js'

/** One replacement of whole lines (1-based, `last < first` inserts before `first`). */
export interface Edit {
  readonly first: number
  readonly last: number
  readonly lines: readonly string[]
}

/** The edit for one result, a reason it cannot be written, or undefined when nothing should change. */
export function updateExample(result: CaseResult, docLines: readonly string[]): Edit | string | undefined {
  if (result.status !== 'failed') return undefined
  const ex = result.example
  const where = `${ex.place.file}:${ex.place.line}`
  const promptLine = docLines[ex.place.line - 1] ?? ''
  const prefix = promptLine.slice(0, ex.place.column - 1)
  const eol = promptLine.endsWith('\r') ? '\r' : ''
  if (!promptLine.slice(ex.place.column - 1).startsWith('>>> ' + ex.source.split('\n')[0])) {
    return `${where}: the document's text at this line is not the example's prompt; not updated`
  }
  for (let n = ex.wantLines.first; n <= ex.wantLines.last; n++) {
    if (!(docLines[n - 1] ?? '').startsWith(prefix)) return `${where}: expected output lines do not share the prompt's prefix; not updated`
  }
  const actual = result.actual === '' ? [] : result.actual.replace(/\n$/, '').split('\n')
  // A `>>>` line would start a new example; a first line `...` would continue the statement.
  if (actual.some((l, i) => /^\s*>>>( |$)/.test(l) || (i === 0 && /^\s*\.\.\.( |$)/.test(l))))
    return `${where}: the actual output has a line that reads as a prompt; not updated`
  const lines = actual.map((l) => prefix + (l.trim() === '' ? '<BLANKLINE>' : l) + eol)
  return { first: ex.wantLines.first, last: ex.wantLines.last, lines }
}

/** Apply edits to a document's text (bottom-up, so line numbers hold). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const lines = text.split('\n')
  for (const e of [...edits].sort((a, b) => b.first - a.first)) {
    lines.splice(e.first - 1, Math.max(0, e.last - e.first + 1), ...e.lines)
  }
  return lines.join('\n')
}

export interface UpdateOutcome {
  /** Examples whose expected output was rewritten. */
  readonly changed: number
  /** Failing examples that could not be rewritten, each with its place and why. */
  readonly refused: readonly string[]
}

/** Rewrite `file` from its results. Writes a temp file beside it, then renames (never a half-written document). */
export function updateDocument(file: string, text: string, results: readonly CaseResult[]): UpdateOutcome {
  const docLines = text.split('\n')
  const edits: Edit[] = []
  const refused: string[] = []
  for (const r of results) {
    if (r.example.place.file !== file) continue
    const e = updateExample(r, docLines)
    if (typeof e === 'string') refused.push(e)
    else if (e) edits.push(e)
  }
  if (edits.length) {
    const temp = `${file}.orm-conformance-update`
    writeFileSync(temp, applyEdits(text, edits))
    renameSync(temp, file)
  }
  return { changed: edits.length, refused }
}
