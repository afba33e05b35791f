/**
 * Tokenizer for the Python subset: names, ints, strings (both quotes, escapes,
 * `r` prefix, implicit concatenation is the parser's job), punctuation.
 * Comments (including `# doctest:` directives) are dropped.
 */

export type Token =
  | { readonly kind: 'name'; readonly text: string; readonly at: number }
  | { readonly kind: 'int'; readonly value: number; readonly at: number }
  | { readonly kind: 'float'; readonly value: number; readonly at: number }
  | { readonly kind: 'str'; readonly value: string; readonly at: number }
  /** An f-string: literal text and the source of each `{expression!conversion}` (offsets into the statement). */
  | { readonly kind: 'fstr'; readonly parts: readonly FPart[]; readonly at: number }
  | { readonly kind: 'op'; readonly text: string; readonly at: number }
  | { readonly kind: 'end'; readonly at: number }

/** A piece of an f-string: text, or an embedded expression's source and where it starts. */
export type FPart = string | { readonly source: string; readonly at: number; readonly conversion: 'r' | 's' | undefined }

/** Python refuses deeper nesting with "too many nested parentheses"; so does the kit, before recursing. */
export const MAX_NESTING = 100

/** A syntax problem at an offset of the statement source. */
export class SyntaxProblem extends Error {
  readonly at: number
  constructor(message: string, at: number) {
    super(message)
    this.name = 'SyntaxProblem'
    this.at = at
  }
}

/**
 * Valid Python the kit does not implement (operators, comprehensions, floats,
 * f-strings). Unlike a syntax error, it fails only its own case (`errored`).
 */
export class UnsupportedSyntax extends SyntaxProblem {
  constructor(what: string, at: number) {
    super(`${what} is not supported by the kit's Python subset`, at)
    this.name = 'UnsupportedSyntax'
  }
}

/** Python operators outside the subset: tokenized so the parser can name them. */
export const PYTHON_ONLY_OPS = ['**', '//', '->', ':=', '^', '@']

/** Binary operators the kit evaluates (longest first). */
export const BINARY_OPS = ['==', '!=', '<=', '>=', '<', '>', '+', '*', '/', '%', '&', '|', '~']

const OPS = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '.', '=', '-', ';'])
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\n': ''
}

/** Split one statement (possibly several lines) into tokens. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let depth = 0
  while (i < source.length) {
    const c = source[i]!
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
      continue
    }
    if (c === '\n') {
      if (depth === 0 && source.slice(i).trim() !== '') {
        throw new SyntaxProblem('unexpected line break (a statement continues only inside brackets)', i)
      }
      i++
      continue
    }
    if (c === '\\' && source[i + 1] === '\n') {
      i += 2
      continue
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++
      continue
    }
    if (/[A-Za-z_]/.test(c)) {
      const start = i
      while (i < source.length && /\w/.test(source[i]!)) i++
      const text = source.slice(start, i)
      const q = source[i]
      if ((q === '"' || q === "'") && /^[rRuU]$/.test(text)) {
        const [value, next] = readString(source, i, text.toLowerCase() === 'r')
        tokens.push({ kind: 'str', value, at: start })
        i = next
        continue
      }
      if ((q === '"' || q === "'") && /^[fF]$/.test(text)) {
        const [value, next] = readString(source, i, false)
        tokens.push({ kind: 'fstr', parts: fParts(value, i + 1, start), at: start })
        i = next
        continue
      }
      if ((q === '"' || q === "'") && /^([bBfF]|[rR][bBfF]|[bBfF][rR])$/.test(text)) {
        throw new UnsupportedSyntax(`the string prefix '${text}'`, start)
      }
      tokens.push({ kind: 'name', text, at: start })
      continue
    }
    if (/[0-9]/.test(c)) {
      const start = i
      while (i < source.length && /[0-9_]/.test(source[i]!)) i++
      const float = /^(?:\.(?![A-Za-z_])[0-9_]*)?(?:[eE][-+]?[0-9]+)?/.exec(source.slice(i))![0]
      if (float) {
        i += float.length
        if (/[jJ]/.test(source[i] ?? '')) throw new UnsupportedSyntax('a complex number', start)
        tokens.push({ kind: 'float', value: Number(source.slice(start, i).replaceAll('_', '')), at: start })
        continue
      }
      if (/[jJxXoObB]/.test(source[i] ?? '')) {
        throw new UnsupportedSyntax('a number that is not a decimal integer', start)
      }
      const text = source.slice(start, i).replaceAll('_', '')
      if (text.length > 1 && text.startsWith('0') && /[1-9]/.test(text)) {
        throw new SyntaxProblem('leading zeros in decimal integer literals are not permitted', start)
      }
      const value = Number(text)
      if (!Number.isSafeInteger(value)) throw new UnsupportedSyntax('an integer beyond 2**53', start)
      tokens.push({ kind: 'int', value, at: start })
      continue
    }
    if (c === '"' || c === "'") {
      const [value, next] = readString(source, i, false)
      tokens.push({ kind: 'str', value, at: i })
      i = next
      continue
    }
    if (source.startsWith('...', i)) throw new UnsupportedSyntax('the Ellipsis literal', i)
    const pythonOp = PYTHON_ONLY_OPS.find((op) => source.startsWith(op, i)) ?? BINARY_OPS.find((op) => source.startsWith(op, i))
    if (pythonOp) {
      tokens.push({ kind: 'op', text: pythonOp, at: i })
      i += pythonOp.length
      continue
    }
    if (OPS.has(c)) {
      if ('([{'.includes(c) && ++depth > MAX_NESTING) throw new SyntaxProblem('too many nested parentheses', i)
      if (')]}'.includes(c)) depth = Math.max(0, depth - 1)
      tokens.push({ kind: 'op', text: c, at: i })
      i++
      continue
    }
    // Python 3 names may use letters of any script.
    if (/[\p{L}\p{Nl}]/u.test(c)) throw new UnsupportedSyntax('a non-ASCII name', i)
    throw new SyntaxProblem(`unexpected character ${JSON.stringify(c)}`, i)
  }
  tokens.push({ kind: 'end', at: source.length })
  return tokens
}

/**
 * Split an f-string's value into text and `{expression}` sources. `{{` and
 * `}}` are literal braces; a format spec (`{x:>5}`) is beyond the kit.
 * Offsets are approximate when the literal has escapes before a field.
 */
function fParts(value: string, base: number, at: number): FPart[] {
  const parts: FPart[] = []
  let text = ''
  let i = 0
  while (i < value.length) {
    const c = value[i]!
    if ((c === '{' || c === '}') && value[i + 1] === c) {
      text += c
      i += 2
      continue
    }
    if (c === '}') throw new SyntaxProblem("f-string: single '}' is not allowed", at)
    if (c !== '{') {
      text += c
      i++
      continue
    }
    let depth = 0
    let j = i + 1
    let quote = ''
    for (; j < value.length; j++) {
      const d = value[j]!
      if (quote) {
        if (d === quote) quote = ''
        continue
      }
      if (d === '"' || d === "'") quote = d
      else if ('([{'.includes(d)) depth++
      else if (')]}'.includes(d)) {
        if (depth === 0) break
        depth--
      } else if ((d === '!' && value[j + 1] !== '=') || d === ':') {
        if (depth === 0) break
      }
    }
    let expr = value.slice(i + 1, j)
    let conversion: 'r' | 's' | undefined
    if (value[j] === '!') {
      const conv = value[j + 1]
      if (conv !== 'r' && conv !== 's') throw new UnsupportedSyntax(`the f-string conversion '!${conv ?? ''}'`, at)
      conversion = conv
      j += 2
    }
    if (value[j] === ':') throw new UnsupportedSyntax('a format spec in an f-string', at)
    if (value[j] !== '}') throw new SyntaxProblem("f-string: expecting '}'", at)
    if (expr.trim() === '') throw new SyntaxProblem('f-string: empty expression not allowed', at)
    if (text) parts.push(text)
    text = ''
    expr = expr.replace(/=\s*$/, () => {
      throw new UnsupportedSyntax("the f-string '=' specifier", at)
    })
    parts.push({ source: expr, at: base + i + 1, conversion })
    i = j + 1
  }
  if (text) parts.push(text)
  return parts
}

/** Read a quoted string starting at `start` (the quote); return value and next offset. */
function readString(source: string, start: number, raw: boolean): [string, number] {
  const quote = source[start]!
  const triple = source.startsWith(quote.repeat(3), start)
  const close = triple ? quote.repeat(3) : quote
  let i = start + close.length
  let value = ''
  while (true) {
    if (i >= source.length) throw new SyntaxProblem('unterminated string literal', start)
    if (source.startsWith(close, i)) return [value, i + close.length]
    const c = source[i]!
    if (c === '\n' && !triple) throw new SyntaxProblem('unterminated string literal', start)
    if (c !== '\\') {
      value += c
      i++
      continue
    }
    const e = source[i + 1]
    if (e === undefined) throw new SyntaxProblem('unterminated string literal', start)
    if (raw) {
      value += c + e
      i += 2
      continue
    }
    if (e === 'N' && source[i + 2] === '{') throw new UnsupportedSyntax('a \\N{name} escape', i)
    const simple = Object.hasOwn(SIMPLE_ESCAPES, e) ? SIMPLE_ESCAPES[e] : undefined
    if (simple !== undefined) {
      value += simple
      i += 2
      continue
    }
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0
    if (hex) {
      const digits = source.slice(i + 2, i + 2 + hex)
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) throw new SyntaxProblem(`truncated \\${e} escape`, i)
      const cp = parseInt(digits, 16)
      if (cp > 0x10ffff) throw new SyntaxProblem(`(unicode error) illegal Unicode character in \\${e} escape`, i)
      value += String.fromCodePoint(cp)
      i += 2 + hex
      continue
    }
    // Python keeps unknown escapes as written.
    value += c + e
    i += 2
  }
}
