/**
 * doctest's output checker: is the statement's output what the document
 * expects? Cheapest match first: exact, True-for-1, <BLANKLINE>,
 * NORMALIZE_WHITESPACE, ELLIPSIS. Exceptions compare their last line.
 */
import type { Flags } from '../parse/directives.js'

/** doctest's `check_output` (want/got end with `\n` when non-empty). */
export function checkOutput(want: string, got: string, flags: Flags = {}): boolean {
  if (got === want) return true
  if (!flags.DONT_ACCEPT_TRUE_FOR_1 && ((got === 'True\n' && want === '1\n') || (got === 'False\n' && want === '0\n'))) return true
  let w = want
  let g = got
  if (flags.NORMALIZE_WHITESPACE) {
    w = w.trim().split(/\s+/).join(' ')
    g = g.trim().split(/\s+/).join(' ')
    if (g === w) return true
  }
  if (flags.ELLIPSIS) return ellipsisMatch(w, g)
  return false
}

/**
 * The app label in a `delete()` result is the document's choice (`'app.Book'`,
 * `'myapp.Book'`): labels compare on the part after the dot, as exception
 * classes do. Only for outputs the interpreter marked as delete results.
 */
export function checkDeleteOutput(want: string, got: string, flags: Flags = {}): boolean {
  const strip = (s: string) => s.replace(/'[A-Za-z_]\w*\.([A-Za-z_]\w*)'(?=: \d)/g, "'$1'")
  return checkOutput(want, got, flags) || checkOutput(strip(want), strip(got), flags)
}

/** doctest's `_ellipsis_match`: `...` in `want` matches any substring of `got`. */
export function ellipsisMatch(want: string, got: string): boolean {
  if (!want.includes('...')) return want === got
  const pieces = want.split('...')
  const first = pieces[0]!
  const last = pieces[pieces.length - 1]!
  if (!got.startsWith(first)) return false
  let start = first.length
  let end = got.length
  if (!got.endsWith(last)) return false
  end -= last.length
  if (start > end) return false
  for (const piece of pieces.slice(1, -1)) {
    const i = got.indexOf(piece, start)
    if (i < 0 || i + piece.length > end) return false
    start = i + piece.length
  }
  return true
}

/** `Type: detail` split of an exception line; `Type` may be dotted. */
export function splitException(line: string): { type: string; detail: string } {
  const m = /^([\w.]+)(?::[ ]?([\s\S]*))?$/.exec(line.replace(/\n$/, ''))
  return m ? { type: m[1]!, detail: m[2] ?? '' } : { type: '', detail: line.replace(/\n$/, '') }
}

/**
 * Compare an expected exception line with the raised one.
 *
 * - The class is compared on the last component of its dotted name, as
 *   doctest does under IGNORE_EXCEPTION_DETAIL (`app.models.Book.DoesNotExist`,
 *   `Book.DoesNotExist` and `DoesNotExist` name the same class).
 * - The detail is compared like output (so ELLIPSIS and NORMALIZE_WHITESPACE apply).
 * - Abbreviated detail: a document may stop the message at a clause boundary.
 *   The expected detail matches when it is a prefix of the actual one and the
 *   actual message goes on with `,`, `;`, `:` or ` (` — one more clause the
 *   document chose not to show (`'Author' instance expected` for Django's
 *   `'Author' instance expected, got <Book: …>`). A prefix that stops
 *   inside a word or a quoted value never matches.
 * - IGNORE_EXCEPTION_DETAIL ignores the detail altogether.
 */
export function checkException(wantLine: string, gotLine: string, flags: Flags = {}): boolean {
  const want = splitException(wantLine)
  const got = splitException(gotLine)
  if (lastComponent(want.type) !== lastComponent(got.type)) return false
  if (flags.IGNORE_EXCEPTION_DETAIL) return true
  if (checkOutput(want.detail + '\n', got.detail + '\n', flags)) return true
  return isAbbreviation(want.detail, got.detail)
}

function lastComponent(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1)
}

export function isAbbreviation(want: string, got: string): boolean {
  if (want.trim() === '' || !got.startsWith(want) || got.length === want.length) return false
  const rest = got.slice(want.length)
  return /^(,|;|:| \()/.test(rest)
}
