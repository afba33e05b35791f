/**
 * `# doctest: +FLAG, -FLAG` directives, with doctest's flag names.
 */
import { at, type Place } from '../errors.js'

/** Option flags, as in Python's doctest. */
export const FLAG_NAMES = [
  'ELLIPSIS',
  'NORMALIZE_WHITESPACE',
  'IGNORE_EXCEPTION_DETAIL',
  'DONT_ACCEPT_TRUE_FOR_1',
  'DONT_ACCEPT_BLANKLINE',
  'SKIP'
] as const

export type Flag = (typeof FLAG_NAMES)[number]

/** Flags set (`true`) or cleared (`false`) by an example's directives. */
export type Flags = Readonly<Partial<Record<Flag, boolean>>>

const DIRECTIVE = /#\s*doctest:\s*([^\n'"]*)$/

/** Read directives from an example's source lines. */
export function parseDirectives(lines: readonly string[], place: (line: number, column: number) => Place): Flags {
  const flags: Partial<Record<Flag, boolean>> = {}
  lines.forEach((line, index) => {
    const m = DIRECTIVE.exec(line)
    if (!m) return
    for (const word of m[1]!.replace(/,/g, ' ').split(/\s+/).filter(Boolean)) {
      const name = word.slice(1)
      if (!'+-'.includes(word[0]!) || !(FLAG_NAMES as readonly string[]).includes(name)) {
        throw at(
          'parse',
          `bad doctest directive '${word}' (known: ${FLAG_NAMES.map((f) => '+' + f).join(', ')})`,
          place(index, m.index + 1)
        )
      }
      flags[name as Flag] = word[0] === '+'
    }
  })
  // Most examples have no directive: they share one empty set (a document can have 100 000 examples).
  return Object.keys(flags).length ? flags : NO_FLAGS
}

const NO_FLAGS: Flags = Object.freeze({})
