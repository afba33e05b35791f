/**
 * Doctest examples from the text of one `pycon` block, with doctest's own
 * rules: `>>> ` starts a statement, `... ` continues it, the expected output
 * runs to the next prompt or blank line, `<BLANKLINE>` stands for an empty
 * line, and a `Traceback (most recent call last):` output expects an exception
 * whose last line(s) are compared.
 */
import { at as errorAt, type Place } from '../errors.js'
import { type Flags, parseDirectives } from './directives.js'

/** One example, before it gets its id and section. Lines are absolute, 1-based. */
export interface RawExample {
  /** The statement, continuation lines joined by `\n`, prompts removed. */
  readonly source: string
  /** Expected output; `''` for none, else ends with `\n`. */
  readonly want: string
  /** For a traceback: the exception line(s) to compare, ending with `\n`. */
  readonly excMsg: string | undefined
  readonly flags: Flags
  /** Place of the `>>>` prompt. */
  readonly place: Place
  /** First and last line of the expected output (last < first when there is none). */
  readonly wantLines: { readonly first: number; readonly last: number }
  readonly indent: string
}

const PROMPT = /^(\s*)>>>( |$)/
const CONTINUATION = /^(\s*)\.\.\.( |$)/
const TRACEBACK = /^Traceback \((?:most recent call last|innermost last)\):[ \t]*\n/
const EXCEPTION_LINE = /^\w[\s\S]*/m

/**
 * @param text the block's content
 * @param file document path, for places
 * @param firstLine the document line of the block's first content line
 * @param column the column where the block's content starts
 */
export function parseExamples(text: string, file: string, firstLine: number, column = 1): RawExample[] {
  const lines = text.split('\n')
  const examples: RawExample[] = []
  const place = (index: number, col = 1): Place => ({ file, line: firstLine + index, column: column + col - 1 })
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    if (line.trim() === '') {
      i++
      continue
    }
    const prompt = PROMPT.exec(line)
    if (!prompt) {
      if (/^\s*>>>/.test(line)) throw errorAt('parse', "a '>>>' prompt must be followed by a space", place(i, line.indexOf('>>>') + 1))
      if (CONTINUATION.test(line))
        throw errorAt('parse', "continuation line ('...') without a '>>>' prompt before it", place(i, line.indexOf('...') + 1))
      throw errorAt(
        'parse',
        "expected a '>>>' prompt (expected output ends at a blank line; write <BLANKLINE> for an empty output line)",
        place(i, line.search(/\S/) + 1)
      )
    }
    const indent = prompt[1]!
    const start = i
    const sourceLines = [line.slice(indent.length + 4)]
    i++
    for (;;) {
      const next = lines[i]
      if (next === undefined) break
      const cont = CONTINUATION.exec(next)
      if (!cont) break
      if (cont[1] !== indent) throw errorAt('parse', 'inconsistent leading whitespace in a continuation line', place(i))
      sourceLines.push(next.slice(indent.length + 4))
      i++
    }
    const wantStart = i
    const wantLines: string[] = []
    for (;;) {
      const next = lines[i]
      if (next === undefined || next.trim() === '' || PROMPT.test(next)) break
      if (!next.startsWith(indent)) throw errorAt('parse', 'inconsistent leading whitespace in expected output', place(i))
      wantLines.push(next.slice(indent.length))
      i++
    }
    const source = sourceLines.join('\n')
    if (source.trim() === '') throw errorAt('parse', "empty statement after '>>>'", place(start, indent.length + 1))
    const want = wantLines.length ? wantLines.map((l) => (l === '<BLANKLINE>' ? '' : l)).join('\n') + '\n' : ''
    const tb = TRACEBACK.exec(want)
    let excMsg: string | undefined
    if (tb) {
      const rest = want.slice(tb[0].length)
      const m = EXCEPTION_LINE.exec(rest)
      if (!m) throw errorAt('parse', 'a traceback must end with the exception line (e.g. "ValueError: message")', place(wantStart))
      excMsg = m[0]
    }
    examples.push({
      source,
      want,
      excMsg,
      flags: parseDirectives(sourceLines, (index, col) => place(start + index, indent.length + 4 + col)),
      place: place(start, indent.length + 1),
      wantLines: { first: firstLine + wantStart, last: firstLine + i - 1 },
      indent
    })
  }
  return examples
}
