/**
 * Update mode (sqllogictest's `--override`): write the actual output of each
 * failing case into the document, in place of its expected output. Prose,
 * formatting, passing cases, errata and baseline entries stay as they are;
 * errored cases have no output to write and stay too.
 */
import { renameSync, writeFileSync } from 'node:fs'
import type { CaseResult } from '../results.js'

/** One replacement of whole lines (1-based, `last < first` inserts before `first`). */
export interface Edit {
  readonly first: number
  readonly last: number
  readonly lines: readonly string[]
}

/** The edit for one result, or undefined when nothing should change. */
export function updateExample(result: CaseResult): Edit | undefined {
  if (result.status !== 'failed') return undefined
  const ex = result.example
  const lines = result.actual === '' ? [] : result.actual.replace(/\n$/, '').split('\n').map((l) => ex.indent + (l === '' ? '<BLANKLINE>' : l))
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

/** Rewrite `file` from its results; returns how many examples changed. Writes a temp file, then renames. */
export function updateDocument(file: string, text: string, results: readonly CaseResult[]): number {
  const edits = results.filter((r) => r.example.place.file === file).map(updateExample).filter((e): e is Edit => e !== undefined)
  if (edits.length === 0) return 0
  const temp = `${file}.orm-conformance-update`
  writeFileSync(temp, applyEdits(text, edits))
  renameSync(temp, file)
  return edits.length
}
