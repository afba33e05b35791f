import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseExpression } from '../language/parse.js'
import { type Displays, pyRepr, pyStr, strRepr } from './repr.js'

const test = suite('repr')
const display: Displays = (model) => ({ str: model === 'Book' ? parseExpression('self.name') : undefined, pk: 'id' })
const book = (id: number | null, name: string) => ({ kind: 'instance' as const, model: 'Book', id, values: { name } })

test("Python's string quoting and escapes", () => {
  assert.is(strRepr('abc'), "'abc'")
  assert.is(strRepr("it's"), '"it\'s"')
  assert.is(strRepr('it\'s "x"'), "'it\\'s \"x\"'")
  assert.is(strRepr('a\\b\n\t'), "'a\\\\b\\n\\t'")
  assert.is(strRepr('\x01é\u200b'), "'\\x01é\\u200b'")
})

test('scalars and containers', () => {
  assert.is(pyRepr(null, display), 'None')
  assert.is(pyRepr(true, display), 'True')
  assert.is(pyRepr(-3, display), '-3')
  assert.is(pyRepr({ kind: 'tuple', items: [1] }, display), '(1,)')
  assert.is(pyRepr({ kind: 'tuple', items: [] }, display), '()')
  assert.is(pyRepr({ kind: 'list', items: ['a', null] }, display), "['a', None]")
  assert.is(
    pyRepr(
      {
        kind: 'dict',
        entries: [
          ['id', 1],
          ['name', 'x']
        ]
      },
      display
    ),
    "{'id': 1, 'name': 'x'}"
  )
})

test('Django model and queryset reprs', () => {
  assert.is(pyRepr(book(1, 'Dune'), display), '<Book: Dune>')
  assert.is(pyStr(book(1, 'Dune'), display), 'Dune')
  const other = { kind: 'instance' as const, model: 'Shelf', id: null, values: {} }
  assert.is(pyRepr(other, display), '<Shelf: Shelf object (None)>')
  assert.is(
    pyRepr({ kind: 'evaluated-queryset', items: [book(1, 'A'), book(2, 'B')], truncated: false }, display),
    '<QuerySet [<Book: A>, <Book: B>]>'
  )
  assert.is(
    pyRepr({ kind: 'evaluated-queryset', items: [book(1, 'A')], truncated: true }, display),
    "<QuerySet [<Book: A>, '...(remaining elements truncated)...']>"
  )
})

test.run()
