import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Key, Row, Schema, Select } from './contract.js'
import { decimalArithmetic, runSelect, selectScope, tablesOf } from './select.js'

// Books and authors: b1 has a1 a2, b2 has a1, b3 has none. Stores sell books: s1 b1 b2, s2 b1.
const schema: Schema = {
  models: [
    { name: 'Author', fields: [{ name: 'name', type: 'string', nullable: false }], ordering: [] },
    {
      name: 'Book',
      fields: [
        { name: 'title', type: 'string', nullable: false },
        { name: 'pages', type: 'integer', nullable: true },
        { name: 'price', type: 'decimal', nullable: false, maxDigits: 5, decimalPlaces: 2 }
      ],
      ordering: []
    },
    { name: 'Store', fields: [{ name: 'name', type: 'string', nullable: false }], ordering: [] }
  ],
  relations: [
    { name: 'Book.authors', source: 'Book', field: 'authors', target: 'Author', reverseQueryName: 'book', reverseAccessor: 'book_set' },
    { name: 'Store.books', source: 'Store', field: 'books', target: 'Book', reverseQueryName: 'store', reverseAccessor: 'store_set' }
  ]
}
const rows = new Map<string, Row[]>([
  [
    'Author',
    [
      { id: 1, name: 'Ann' },
      { id: 2, name: 'Bo' }
    ]
  ],
  [
    'Book',
    [
      { id: 1, title: 'One', pages: 100, price: '1.50' },
      { id: 2, title: 'Two', pages: null, price: '2.25' },
      { id: 3, title: 'Three', pages: 7, price: '3.00' }
    ]
  ],
  [
    'Store',
    [
      { id: 1, name: 'S1' },
      { id: 2, name: 'S2' }
    ]
  ]
])
const links = new Map<string, (readonly [Key, Key])[]>([
  [
    'Book.authors',
    [
      [1, 1],
      [1, 2],
      [2, 1]
    ]
  ],
  [
    'Store.books',
    [
      [1, 1],
      [1, 2],
      [2, 1]
    ]
  ]
])
const tables = tablesOf(schema, rows, links)
const run = (s: Partial<Select> & Pick<Select, 'model' | 'columns'>) =>
  runSelect(schema, tables, { joins: [], distinct: false, orderBy: [], offset: 0, ...s })
const id = { kind: 'field', field: 'id' } as const
const authors = { relation: 'Book.authors', side: 'forward' } as const
const stores = { relation: 'Store.books', side: 'reverse' } as const

test('a join is a left join: one row per related row, one NULL row when there is none', () => {
  assert.equal(run({ model: 'Book', joins: [authors], columns: [id, { kind: 'field', join: 0, field: 'name' }] }), [
    [1, 'Ann'],
    [1, 'Bo'],
    [2, 'Ann'],
    [3, null]
  ])
})

test('a lookup on a NULL joined row is false, also under not', () => {
  const where = {
    kind: 'lookup',
    left: { kind: 'field', join: 0, field: 'name' },
    lookup: 'exact',
    right: { kind: 'value', value: 'Ann' }
  } as const
  assert.equal(run({ model: 'Book', joins: [authors], where, columns: [id] }), [[1], [2]])
  assert.equal(run({ model: 'Book', joins: [authors], where: { kind: 'not', item: where }, columns: [id] }), [[1], [3]])
})

test('aggregates over two joins multiply each other, as Django counts them', () => {
  const count = (join: number, distinct = false) =>
    ({ kind: 'aggregate', fn: 'count', argument: { kind: 'field', join, field: 'id' }, distinct }) as const
  const columns = [id, count(0), count(1), count(0, true)]
  assert.equal(run({ model: 'Book', joins: [authors, stores], group: [id], columns }), [
    [1, 4, 4, 2],
    [2, 1, 1, 1],
    [3, 0, 0, 0]
  ])
})

test('an aggregate filter, sum, avg, min, max skip what they should; an empty group [] is one row', () => {
  const pages = { kind: 'field', field: 'pages' } as const
  const agg = (fn: 'sum' | 'avg' | 'min' | 'max' | 'count') => ({ kind: 'aggregate', fn, argument: pages, distinct: false }) as const
  assert.equal(run({ model: 'Book', group: [], columns: [agg('sum'), agg('avg'), agg('min'), agg('max'), agg('count')] }), [
    [107, 53.5, 7, 100, 2]
  ])
  const none = { kind: 'lookup', left: id, lookup: 'in', right: [] } as const
  assert.equal(run({ model: 'Book', where: none, group: [], columns: [agg('sum'), agg('count')] }), [[null, 0]])
  const filtered = { ...agg('count'), filter: { kind: 'lookup', left: pages, lookup: 'gt', right: { kind: 'value', value: 50 } } } as const
  assert.equal(run({ model: 'Book', group: [], columns: [filtered] }), [[1]])
  const price = { kind: 'aggregate', fn: 'sum', argument: { kind: 'field', field: 'price' }, distinct: false } as const
  assert.equal(run({ model: 'Book', group: [], columns: [price] }), [['6.75']])
})

test('having keeps groups; ordering by an aggregate; grouping by a column', () => {
  const n = { kind: 'aggregate', fn: 'count', argument: { kind: 'field', join: 0, field: 'id' }, distinct: false } as const
  const having = { kind: 'lookup', left: n, lookup: 'gte', right: { kind: 'value', value: 1 } } as const
  assert.equal(
    run({ model: 'Book', joins: [authors], group: [id], having, columns: [id, n], orderBy: [{ expression: n, descending: true }] }),
    [
      [1, 2],
      [2, 1]
    ]
  )
  const name = { kind: 'field', join: 0, field: 'name' } as const
  const books = { kind: 'aggregate', fn: 'count', argument: id, distinct: false } as const
  assert.equal(run({ model: 'Book', joins: [authors], group: [name], columns: [name, books] }), [
    [null, 1],
    ['Ann', 2],
    ['Bo', 1]
  ])
})

test('exists: any related row, or the one of a join (a tied exclusion)', () => {
  const ann = { field: 'name', lookup: 'exact', value: 'Ann' } as const
  const exists = { kind: 'exists', path: [authors], condition: ann } as const
  assert.equal(run({ model: 'Book', where: { kind: 'not', item: exists }, columns: [id] }), [[3]])
  // Tied to join 0: only the joined author is tested, so b1 keeps its row for Bo.
  const tied = { kind: 'not', item: { ...exists, join: 0 } } as const
  assert.equal(run({ model: 'Book', joins: [authors], where: tied, columns: [id, { kind: 'field', join: 0, field: 'name' }] }), [
    [1, 'Bo'],
    [3, null]
  ])
  const anyAuthor = { kind: 'exists', path: [authors] } as const
  assert.equal(run({ model: 'Book', where: anyAuthor, columns: [id] }), [[1], [2]])
  const twoHops = {
    kind: 'exists',
    path: [{ relation: 'Store.books', side: 'forward' }, authors],
    condition: { field: 'name', lookup: 'exact', value: 'Bo' }
  } as const
  assert.equal(run({ model: 'Store', where: twoHops, columns: [id] }), [[1], [2]])
})

test('arithmetic: integers divide toward zero, decimals stay exact, NULL spreads', () => {
  const pages = { kind: 'field', field: 'pages' } as const
  const half = { kind: 'arithmetic', op: '/', left: pages, right: { kind: 'value', value: 2 } } as const
  assert.equal(run({ model: 'Book', columns: [half] }), [[50], [null], [3]])
  const price = { kind: 'arithmetic', op: '*', left: { kind: 'field', field: 'price' }, right: { kind: 'value', value: 3 } } as const
  assert.equal(run({ model: 'Book', columns: [price] }), [['4.50'], ['6.75'], ['9.00']])
  assert.is(decimalArithmetic('-', '1.5', '2.25'), '-0.75')
  assert.is(decimalArithmetic('/', '1', '3'), '0.33333333333333333333')
  assert.is(decimalArithmetic('/', '1', '0'), null)
})

test('ordering: keys, NULLs first unless told, then the row ids; distinct counts the order values', () => {
  const pages = { kind: 'field', field: 'pages' } as const
  assert.equal(run({ model: 'Book', columns: [id], orderBy: [{ expression: pages, descending: false }] }), [[2], [3], [1]])
  assert.equal(run({ model: 'Book', columns: [id], orderBy: [{ expression: pages, descending: false, nulls: 'last' }] }), [[3], [1], [2]])
  const name = { kind: 'field', join: 0, field: 'name' } as const
  const distinct = run({
    model: 'Book',
    joins: [authors],
    columns: [id],
    distinct: true,
    orderBy: [{ expression: name, descending: false }]
  })
  assert.equal(distinct, [[3], [1], [2], [1]])
  assert.equal(run({ model: 'Book', joins: [authors], columns: [id], distinct: true }), [[1], [2], [3]])
  assert.equal(run({ model: 'Book', columns: [id], offset: 1, limit: 1 }), [[2]])
})

test('a join must start from an earlier join', () => {
  assert.throws(
    () => run({ model: 'Book', joins: [{ from: 3, relation: 'Book.authors', side: 'forward' }], columns: [id] }),
    /no such earlier join/
  )
})

test('selectScope names every model and relation a select reads', () => {
  const scope = selectScope(schema, {
    model: 'Store',
    joins: [],
    where: { kind: 'exists', path: [{ relation: 'Store.books', side: 'forward' }, authors] },
    columns: [id],
    distinct: false,
    orderBy: [],
    offset: 0
  })
  assert.equal([...scope.models].sort(), ['Author', 'Book', 'Store'])
  assert.equal([...scope.relations].sort(), ['Book.authors', 'Store.books'])
})

test.run()
