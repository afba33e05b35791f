/**
 * Recursive-descent parser for one doctest statement of the Python subset:
 * assignment, expression statements, calls with positional and keyword
 * arguments, attribute access, subscripts and slices, list/tuple/dict
 * literals, strings, ints, unary minus, True/False/None, `from … import …`.
 */
import type { BinaryOp, Clause, Expr, FStringPart, Keyword, Slice, Statement, Target } from './ast.js'
import { MAX_NESTING, PYTHON_ONLY_OPS, SyntaxProblem, type Token, tokenize, UnsupportedSyntax } from './tokenize.js'

export { SyntaxProblem, UnsupportedSyntax } from './tokenize.js'

const KEYWORDS = new Set([
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield'
])

/** Parse one statement; throws `SyntaxProblem` with an offset into `source`. */
export function parseStatement(source: string): Statement {
  return new Parser(tokenize(source)).statement()
}

/** Parse one expression (used for the models block's right-hand sides). */
export function parseExpression(source: string): Expr {
  const p = new Parser(tokenize(source))
  const e = p.expression()
  p.expectEnd()
  return e
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>='])
/** Longer chains of calls and attributes would only exhaust the interpreter's stack. */
const MAX_CHAIN = 500

class Parser {
  private i = 0
  private depth = 0
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!
  }
  private next(): Token {
    return this.tokens[this.i++]!
  }
  private isOp(text: string): boolean {
    const t = this.peek()
    return t.kind === 'op' && t.text === text
  }
  private eatOp(text: string): boolean {
    if (!this.isOp(text)) return false
    this.i++
    return true
  }
  private expectOp(text: string): void {
    if (!this.eatOp(text)) this.fail(`expected '${text}'`)
  }
  private fail(message: string, token: Token = this.peek()): never {
    if (token.kind === 'op' && PYTHON_ONLY_OPS.includes(token.text)) throw new UnsupportedSyntax(`the operator '${token.text}'`, token.at)
    if (token.kind === 'name' && KEYWORDS.has(token.text) && token.text !== 'import' && token.text !== 'from') {
      throw new UnsupportedSyntax(`'${token.text}'`, token.at)
    }
    const what = token.kind === 'end' ? 'end of statement' : `'${describe(token)}'`
    throw new SyntaxProblem(`${message}, found ${what}`, token.at)
  }

  expectEnd(): void {
    if (this.eatOp(';') && this.peek().kind !== 'end') throw new UnsupportedSyntax('several statements on one line', this.peek().at)
    if (this.peek().kind !== 'end') this.fail('expected end of statement')
  }

  statement(): Statement {
    const first = this.peek()
    if (first.kind === 'name' && (first.text === 'from' || first.text === 'import')) return this.importStatement()
    const value = this.expressionList()
    if (this.eatOp('=')) {
      const target = toTarget(value)
      const rhs = this.expressionList()
      this.expectEnd()
      return { type: 'assign', target, value: rhs }
    }
    this.expectEnd()
    return { type: 'expr', value }
  }

  private importStatement(): Statement {
    const keyword = this.next() as Token & { kind: 'name' }
    if (keyword.text === 'import') {
      const module = this.dotted().join('.')
      if (this.isOp(',')) throw new UnsupportedSyntax('importing several modules in one statement', this.peek().at)
      if (this.peek().kind === 'name') throw new UnsupportedSyntax("'import … as'", this.peek().at)
      this.expectEnd()
      return { type: 'import', module, names: [], at: keyword.at }
    }
    const module = this.dotted().join('.')
    const imp = this.next()
    if (imp.kind !== 'name' || imp.text !== 'import') this.fail("expected 'import'", imp)
    const names: string[] = []
    const parens = this.eatOp('(')
    do {
      if (this.isOp('*')) {
        this.next()
        names.push('*')
        continue
      }
      if (parens && this.isOp(')')) break
      const t = this.next()
      if (t.kind !== 'name') this.fail('expected a name to import', t)
      if (this.peek().kind === 'name') throw new UnsupportedSyntax("'import … as'", this.peek().at)
      names.push(t.text)
    } while (this.eatOp(','))
    if (parens) this.expectOp(')')
    this.expectEnd()
    return { type: 'import', module, names, at: keyword.at }
  }

  private dotted(): string[] {
    const parts: string[] = []
    do {
      const t = this.next()
      if (t.kind !== 'name') this.fail('expected a module or name', t)
      parts.push(t.text)
    } while (this.eatOp('.'))
    return parts
  }

  /** `a, b` at statement level is a tuple, as in Python. */
  private expressionList(): Expr {
    const at = this.peek().at
    const first = this.expression()
    if (!this.isOp(',')) return first
    const items = [first]
    while (this.eatOp(',')) {
      if (this.startsExpression()) items.push(this.expression())
      else break
    }
    return { type: 'tuple', items, at }
  }

  private startsExpression(): boolean {
    const t = this.peek()
    if (t.kind === 'end') return false
    if (t.kind === 'op') return '([{-+~'.includes(t.text)
    return !(t.kind === 'name' && KEYWORDS.has(t.text))
  }

  expression(): Expr {
    const left = this.bitOr()
    const t = this.peek()
    if (t.kind !== 'op' || !COMPARISONS.has(t.text)) return left
    this.i++
    const e: Expr = { type: 'binary', op: t.text as BinaryOp, left, right: this.bitOr(), at: t.at }
    const u = this.peek()
    if (u.kind === 'op' && COMPARISONS.has(u.text)) throw new UnsupportedSyntax('a chained comparison', u.at)
    return e
  }

  private bitOr(): Expr {
    let e = this.bitAnd()
    for (let t = this.peek(); t.kind === 'op' && t.text === '|'; t = this.peek()) {
      this.i++
      e = { type: 'binary', op: '|', left: e, right: this.bitAnd(), at: t.at }
    }
    return e
  }

  private bitAnd(): Expr {
    let e = this.additive()
    for (let t = this.peek(); t.kind === 'op' && t.text === '&'; t = this.peek()) {
      this.i++
      e = { type: 'binary', op: '&', left: e, right: this.additive(), at: t.at }
    }
    return e
  }

  private additive(): Expr {
    let e = this.multiplicative()
    for (let t = this.peek(); t.kind === 'op' && (t.text === '+' || t.text === '-'); t = this.peek()) {
      this.i++
      e = { type: 'binary', op: t.text, left: e, right: this.multiplicative(), at: t.at }
    }
    return e
  }

  private multiplicative(): Expr {
    let e = this.unary()
    for (let t = this.peek(); t.kind === 'op' && (t.text === '*' || t.text === '/' || t.text === '%'); t = this.peek()) {
      this.i++
      e = { type: 'binary', op: t.text, left: e, right: this.unary(), at: t.at }
    }
    return e
  }

  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+') || this.isOp('~')) {
      const sign = this.next()
      if (++this.depth > MAX_NESTING) throw new SyntaxProblem('too many nested unary operators', sign.at)
      const operand = this.unary()
      this.depth--
      if (sign.kind === 'op' && sign.text === '+') return operand
      if (sign.kind === 'op' && sign.text === '~') return { type: 'invert', operand, at: sign.at }
      if (operand.type === 'int' || operand.type === 'float') return { ...operand, value: -operand.value, at: sign.at }
      return { type: 'negate', operand, at: sign.at }
    }
    return this.postfix()
  }

  private postfix(): Expr {
    let e = this.atom()
    for (let chain = 0; ; chain++) {
      if (chain > MAX_CHAIN)
        throw new UnsupportedSyntax(`a chain of more than ${MAX_CHAIN} calls, attributes or subscripts`, this.peek().at)
      const t = this.peek()
      if (this.eatOp('.')) {
        const name = this.next()
        if (name.kind !== 'name') this.fail('expected an attribute name', name)
        e = { type: 'attribute', object: e, name: name.text, at: name.at }
      } else if (this.eatOp('(')) {
        e = this.call(e, t.at)
      } else if (this.eatOp('[')) {
        const index = this.subscript()
        this.expectOp(']')
        e = { type: 'subscript', object: e, index, at: t.at }
      } else {
        return e
      }
    }
  }

  private call(callee: Expr, at: number): Expr {
    const args: Expr[] = []
    const kwargs: Keyword[] = []
    while (!this.isOp(')')) {
      if (this.isOp('*') || this.isOp('**')) throw new UnsupportedSyntax('argument unpacking', this.peek().at)
      const t = this.peek()
      const n = this.tokens[this.i + 1]
      if (t.kind === 'name' && n?.kind === 'op' && n.text === '=') {
        this.i += 2
        if (kwargs.some((k) => k.name === t.text)) throw new SyntaxProblem(`keyword argument repeated: ${t.text}`, t.at)
        kwargs.push({ name: t.text, value: this.expression() })
      } else {
        if (kwargs.length > 0) this.fail('positional argument follows keyword argument')
        args.push(this.expression())
      }
      if (!this.eatOp(',')) break
    }
    this.expectOp(')')
    return { type: 'call', callee, args, kwargs, at }
  }

  private subscript(): Expr | Slice {
    const at = this.peek().at
    const start = this.isOp(':') ? undefined : this.expression()
    if (!this.eatOp(':')) {
      if (start === undefined) this.fail('expected an index')
      return start
    }
    const stop = this.isOp(':') || this.isOp(']') ? undefined : this.expression()
    let step: Expr | undefined
    if (this.eatOp(':') && !this.isOp(']')) step = this.expression()
    return { type: 'slice', start, stop, step, at }
  }

  private atom(): Expr {
    const t = this.next()
    switch (t.kind) {
      case 'int':
        return { type: 'int', value: t.value, at: t.at }
      case 'float':
        return { type: 'float', value: t.value, at: t.at }
      case 'fstr':
        return { type: 'fstring', parts: t.parts.map(fPart), at: t.at }
      case 'str': {
        let value = t.value
        while (this.peek().kind === 'str') value += (this.next() as Token & { kind: 'str' }).value
        return { type: 'str', value, at: t.at }
      }
      case 'name':
        if (t.text === 'True') return { type: 'const', value: true, at: t.at }
        if (t.text === 'False') return { type: 'const', value: false, at: t.at }
        if (t.text === 'None') return { type: 'const', value: null, at: t.at }
        if (KEYWORDS.has(t.text)) throw new UnsupportedSyntax(`'${t.text}'`, t.at)
        return { type: 'name', id: t.text, at: t.at }
      case 'op':
        if (t.text === '(') return this.parenthesised(t.at)
        if (t.text === '[') return this.list(t.at)
        if (t.text === '{') return this.dict(t.at)
        return this.fail('expected an expression', t)
      case 'end':
        return this.fail('expected an expression', t)
    }
  }

  private parenthesised(at: number): Expr {
    if (this.eatOp(')')) return { type: 'tuple', items: [], at }
    const first = this.expression()
    if (this.eatOp(')')) return first
    this.expectOp(',')
    const rest = this.items(')')
    return { type: 'tuple', items: [first, ...rest], at }
  }

  /** Comma-separated expressions up to `close` (consumed); a trailing comma is fine. */
  private items(close: string): Expr[] {
    const items: Expr[] = []
    while (!this.isOp(close)) {
      items.push(this.expression())
      if (!this.eatOp(',')) break
    }
    this.expectOp(close)
    return items
  }

  private list(at: number): Expr {
    if (this.eatOp(']')) return { type: 'list', items: [], at }
    const first = this.expression()
    if (this.isName('for')) {
      const clauses = this.clauses()
      this.expectOp(']')
      return { type: 'comprehension', element: first, clauses, at }
    }
    if (!this.eatOp(',')) {
      this.expectOp(']')
      return { type: 'list', items: [first], at }
    }
    return { type: 'list', items: [first, ...this.items(']')], at }
  }

  private isName(text: string): boolean {
    const t = this.peek()
    return t.kind === 'name' && t.text === text
  }

  /** `for target in iterable [if condition]…`, one or more. */
  private clauses(): Clause[] {
    const clauses: Clause[] = []
    while (this.isName('for')) {
      const at = this.next().at
      const names: Expr[] = [this.postfix()]
      while (this.eatOp(',')) names.push(this.postfix())
      const target = toTarget(names.length === 1 ? names[0]! : { type: 'tuple', items: names, at })
      if (!this.isName('in')) this.fail("expected 'in'")
      this.next()
      const iterable = this.expression()
      const conditions: Expr[] = []
      while (this.isName('if')) {
        this.next()
        conditions.push(this.expression())
      }
      clauses.push({ target, iterable, conditions })
    }
    return clauses
  }

  private dict(at: number): Expr {
    const entries: (readonly [Expr, Expr])[] = []
    while (!this.isOp('}')) {
      const key = this.expression()
      this.expectOp(':')
      const value = this.expression()
      if (entries.length === 0 && this.isName('for')) {
        const clauses = this.clauses()
        this.expectOp('}')
        return { type: 'comprehension', element: value, key, clauses, at }
      }
      entries.push([key, value])
      if (!this.eatOp(',')) break
    }
    this.expectOp('}')
    return { type: 'dict', entries, at }
  }
}

function fPart(p: import('./tokenize.js').FPart): FStringPart {
  if (typeof p === 'string') return p
  try {
    return { expr: parseExpression(p.source), conversion: p.conversion }
  } catch (e) {
    if (e instanceof UnsupportedSyntax)
      throw new UnsupportedSyntax(e.message.replace(/ is not supported by the kit's Python subset$/, ''), p.at + e.at)
    if (e instanceof SyntaxProblem) throw new SyntaxProblem(`f-string: ${e.message}`, p.at + e.at)
    throw e
  }
}

function toTarget(e: Expr): Target {
  if (e.type === 'name' || e.type === 'attribute') return e
  if ((e.type === 'tuple' || e.type === 'list') && e.items.length > 0) return { type: 'tuple', items: e.items.map(toTarget), at: e.at }
  throw new SyntaxProblem('cannot assign to this expression (only names, attributes and tuples of them)', e.at)
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'name':
      return t.text
    case 'op':
      return t.text
    case 'int':
    case 'float':
      return String(t.value)
    case 'fstr':
      return 'f-string'
    case 'str':
      return JSON.stringify(t.value)
    case 'end':
      return ''
  }
}
