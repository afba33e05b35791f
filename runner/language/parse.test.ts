import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseExpression, parseStatement, SyntaxProblem, UnsupportedSyntax } from './parse.js'
import { tokenize } from './tokenize.js'

const tokens = suite('tokenize')

tokens('strings: both quotes, escapes, raw, adjacent literals stay separate tokens', () => {
  const t = tokenize(`'a\\'b' "c\\"d" r'\\n' 'x\\ty' '\\x41\\u00e9'`)
  assert.equal(
    t.filter((x) => x.kind === 'str').map((x) => (x.kind === 'str' ? x.value : '')),
    ["a'b", 'c"d', '\\n', 'x\ty', 'Aé']
  )
})

tokens('comments and doctest directives are dropped', () => {
  assert.equal(
    tokenize('x  # doctest: +ELLIPSIS').map((x) => x.kind),
    ['name', 'end']
  )
})

tokens('rejects what the subset does not have, at the right offset', () => {
  for (const [src, at] of [
    ['1j', 0],
    ['x = "abc', 4],
    ['a $ b', 2],
    ["b'x'", 0]
  ] as const) {
    try {
      tokenize(src)
      assert.unreachable(src)
    } catch (e) {
      assert.instance(e, SyntaxProblem)
      assert.is((e as SyntaxProblem).at, at, src)
    }
  }
})

const statements = suite('parseStatement')

statements('assignment, calls with keyword arguments, chains', () => {
  const s = parseStatement("q = Book.objects.filter(authors__name__startswith='A', id=1).distinct()")
  assert.is(s.type, 'assign')
  if (s.type !== 'assign') return
  assert.equal(s.target, { type: 'name', id: 'q', at: 0 })
  assert.is(s.value.type, 'call')
  if (s.value.type !== 'call' || s.value.callee.type !== 'attribute') return assert.unreachable()
  assert.is(s.value.callee.name, 'distinct')
  const inner = s.value.callee.object
  if (inner.type !== 'call') return assert.unreachable()
  assert.equal(
    inner.kwargs.map((k) => k.name),
    ['authors__name__startswith', 'id']
  )
})

statements('attribute targets, subscripts, slices, literals, negative ints', () => {
  const a = parseStatement('b.name = "x"')
  assert.is(a.type === 'assign' && a.target.type, 'attribute')
  const s = parseExpression('qs[1:3]')
  assert.ok(s.type === 'subscript' && s.index.type === 'slice')
  assert.equal(parseExpression('-3'), { type: 'int', value: -3, at: 0 })
  const lit = parseExpression("[1, (2,), {'a': None}, (), True]")
  assert.ok(lit.type === 'list' && lit.items.length === 5)
  if (lit.type !== 'list') return
  assert.is(lit.items[1]!.type, 'tuple')
  assert.is(lit.items[3]!.type, 'tuple')
  assert.is(lit.items[2]!.type, 'dict')
})

statements('multi-line statements inside brackets; implicit string concatenation', () => {
  const e = parseExpression("f(\n  'a'\n  'b',\n)")
  assert.ok(e.type === 'call' && e.args[0]!.type === 'str' && e.args[0]!.value === 'ab')
})

statements('imports are statements of their own', () => {
  assert.equal(parseStatement('from django.core.exceptions import FieldError, ObjectDoesNotExist'), {
    type: 'import',
    module: 'django.core.exceptions',
    at: 0,
    names: ['FieldError', 'ObjectDoesNotExist']
  })
})

statements('syntax errors carry the offset of the problem', () => {
  const cases: [string, number][] = [
    ['f(a=1, 2)', 7],
    ['x = = 1', 4],
    ['a.(b)', 2],
    ['f(', 2],
    ['1 = x', 0],
    ['for x in y', 0],
    ['a b', 2]
  ]
  for (const [src, at] of cases) {
    try {
      parseStatement(src)
      assert.unreachable(src)
    } catch (e) {
      assert.instance(e, SyntaxProblem, src)
      assert.is((e as SyntaxProblem).at, at, src)
    }
  }
})

statements('comprehensions: list and dict, several for clauses, conditions', () => {
  const e = parseExpression('[(a, b) for a, b in pairs if a if b]')
  assert.is(e.type, 'comprehension')
  if (e.type !== 'comprehension') return
  assert.is(e.clauses.length, 1)
  assert.equal(e.clauses[0]!.target.type, 'tuple')
  assert.is(e.clauses[0]!.conditions.length, 2)
  const d = parseExpression('{t.name: len(t.pizzas.all()) for t in toppings}')
  assert.ok(d.type === 'comprehension' && d.key !== undefined)
  const nested = parseExpression('[[x for x in r] for r in rows]')
  assert.ok(nested.type === 'comprehension' && nested.element.type === 'comprehension')
  assert.equal(
    parseExpression('[a for a in b for c in a]').type === 'comprehension' &&
      (parseExpression('[a for a in b for c in a]') as { clauses: unknown[] }).clauses.length,
    2
  )
})

statements('Q operators: | binds looser than &, ~ is unary, comparisons looser than both', () => {
  const e = parseExpression('~Q(a=1) | Q(b=2) & Q(c=3)')
  assert.ok(e.type === 'binary' && e.op === '|')
  if (e.type !== 'binary') return
  assert.is(e.left.type, 'invert')
  assert.ok(e.right.type === 'binary' && e.right.op === '&')
  const div = parseExpression("F('pages') / 10 + 1")
  assert.ok(div.type === 'binary' && div.op === '+' && div.left.type === 'binary' && div.left.op === '/')
})

tokens.run()
statements.run()

const unsupported = suite('valid Python outside the subset')

unsupported('is told apart from a syntax error', () => {
  for (const src of [
    '(a.id for a in qs)',
    'a1 is a2',
    'x = 1 // 2',
    'f"{x:>3}"',
    '1j',
    'lambda: 0',
    'not x',
    'f(*args)',
    'a < b < c',
    '(n := 1)'
  ]) {
    try {
      parseStatement(src)
      assert.unreachable(src)
    } catch (e) {
      assert.instance(e, UnsupportedSyntax, src)
    }
  }
  for (const src of ['f(a=1, 2)', 'x = = 1', 'f(', 'a b']) {
    try {
      parseStatement(src)
      assert.unreachable(src)
    } catch (e) {
      assert.not.instance(e, UnsupportedSyntax, src)
    }
  }
})

unsupported.run()

const more = suite('floats, operators, f-strings, limits')

more('floats, binary operators with precedence, comparisons, f-string fields', () => {
  assert.equal(parseExpression('1.5e-3'), { type: 'float', value: 0.0015, at: 0 })
  assert.equal(parseExpression('-2.5'), { type: 'float', value: -2.5, at: 0 })
  const e = parseExpression("'%s-%s' % (a, b) + 'x' * 2")
  assert.is(e.type === 'binary' && e.op, '+')
  assert.is(parseExpression('a.b == 1 + 2').type, 'binary')
  const f = parseExpression("f'{self.name!r} ({self.year})'")
  assert.ok(f.type === 'fstring' && f.parts.length === 4 && typeof f.parts[0] !== 'string' && f.parts[0]!.conversion === 'r')
  assert.equal(parseExpression("f'{{x}}'"), { type: 'fstring', parts: ['{x}'], at: 0 })
  assert.is(parseExpression('x[0].name').type, 'attribute', 'an int before a dot is not a float')
})

more('deep input is refused fast, never by exhausting the stack', () => {
  const syntax = ['('.repeat(3000) + '1' + ')'.repeat(3000), '['.repeat(3000) + ']'.repeat(3000), '-'.repeat(20000) + '1']
  for (const src of syntax) {
    try {
      parseStatement(src)
      assert.unreachable(src.slice(0, 10))
    } catch (e) {
      assert.instance(e, SyntaxProblem)
      assert.not.instance(e, UnsupportedSyntax)
      assert.match((e as Error).message, /too many nested/)
    }
  }
  try {
    parseStatement('x' + '.all()'.repeat(5000))
    assert.unreachable()
  } catch (e) {
    assert.instance(e, UnsupportedSyntax)
  }
})

more("valid Python the kit lacks errors its case; Python's own syntax errors stay syntax errors", () => {
  for (const src of ['p = 1; p.save()', 'x = ...', 'café = 1', "'\\N{EM DASH}'", '12345678901234567890', "f'{x:>5}'"]) {
    try {
      parseStatement(src)
      assert.unreachable(src)
    } catch (e) {
      assert.instance(e, UnsupportedSyntax, src)
    }
  }
  for (const src of ["'\\U00110000'", "f'{}'", "f'}'"]) {
    try {
      parseStatement(src)
      assert.unreachable(src)
    } catch (e) {
      assert.instance(e, SyntaxProblem, src)
      assert.not.instance(e, UnsupportedSyntax, src)
    }
  }
})

more.run()
