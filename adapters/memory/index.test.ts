import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Filter, Query, Schema } from '../contract.js'
import { asker, contractSuite } from '../contract-suite.js'
import memory from './index.js'

const schema: Schema = {
  models: [
    { name: 'Author', fields: [{ name: 'name', type: 'string', nullable: false }], ordering: [{ field: 'name', descending: false }] },
    { name: 'Book', fields: [{ name: 'title', type: 'string', nullable: false }], ordering: [] }
  ],
  relations: [
    { name: 'Book.authors', source: 'Book', field: 'authors', target: 'Author', reverseQueryName: 'book', reverseAccessor: 'book_set' }
  ]
}

const q = (model: string, filters: Filter[] = [], extra: Partial<Query> = {}): Query => ({
  model,
  filters,
  distinct: false,
  orderBy: [],
  offset: 0,
  ...extra
})
const viaAuthors = { relation: 'Book.authors', side: 'forward' as const }
const viaBooks = { relation: 'Book.authors', side: 'reverse' as const }

async function setup() {
  const db = await memory.open({ schema })
  const { run, ids, count } = asker(() => db)
  for (const name of ['Ann', 'bob', 'Cy']) await run({ kind: 'insert', model: 'Author', values: { name } })
  for (const title of ['T1', 'T2']) await run({ kind: 'insert', model: 'Book', values: { title } })
  await run({ kind: 'add', relation: 'Book.authors', side: 'forward', id: 1, targets: [1, 2] })
  await run({ kind: 'add', relation: 'Book.authors', side: 'reverse', id: 3, targets: [2] })
  return { run, ids, count }
}

const test = suite('memory adapter: contract semantics')

test('join duplicates, distinct, count', async () => {
  const { ids, count } = await setup()
  const f: Filter[] = [{ negated: false, conditions: [{ via: viaAuthors, field: 'id', lookup: 'in', value: [1, 2, 3] }] }]
  assert.equal(await ids(q('Book', f)), [1, 1, 2])
  assert.equal(await ids(q('Book', f, { distinct: true })), [1, 2])
  assert.is(await count(q('Book', f)), 3)
  assert.is(await count(q('Book', f, { distinct: true })), 2)
  assert.is(await count(q('Book', f, { offset: 1, limit: 1 })), 1)
})

test('separate filters join separately (counts multiply); one filter shares its join', async () => {
  const { ids } = await setup()
  const a = { via: viaAuthors, field: 'name', lookup: 'istartswith' as const, value: 'a' }
  const b = { via: viaAuthors, field: 'name', lookup: 'istartswith' as const, value: 'b' }
  assert.equal(await ids(q('Book', [{ negated: false, conditions: [a, b] }])), [])
  assert.equal(
    await ids(
      q('Book', [
        { negated: false, conditions: [a] },
        { negated: false, conditions: [b] }
      ])
    ),
    [1]
  )
  const any = { via: viaAuthors, field: 'id', lookup: 'gt' as const, value: 0 }
  assert.equal(
    await ids(
      q('Book', [
        { negated: false, conditions: [any] },
        { negated: false, conditions: [any] }
      ])
    ),
    [1, 1, 1, 1, 2]
  )
})

test('exclude keeps rows with no matching related row, without duplicates', async () => {
  const { ids } = await setup()
  assert.equal(await ids(q('Book', [{ negated: true, conditions: [{ via: viaAuthors, field: 'id', lookup: 'exact', value: 3 }] }])), [1])
  assert.equal(
    await ids(q('Author', [{ negated: true, conditions: [{ via: viaBooks, field: 'title', lookup: 'exact', value: 'T1' }] }])),
    [3]
  )
})

test('isnull across the relation is a left join', async () => {
  const { run, ids } = await setup()
  await run({ kind: 'insert', model: 'Book', values: { title: 'T3' } })
  assert.equal(
    await ids(q('Book', [{ negated: false, conditions: [{ via: viaAuthors, field: 'id', lookup: 'isnull', value: true }] }])),
    [3]
  )
})

test('case-sensitive lookups unless i…; wildcards are literal', async () => {
  const { run, ids } = await setup()
  await run({ kind: 'insert', model: 'Author', values: { name: '50%_off' } })
  const by = (lookup: 'startswith' | 'istartswith' | 'contains', value: string) =>
    ids(q('Author', [{ negated: false, conditions: [{ field: 'name', lookup, value }] }]))
  assert.equal(await by('startswith', 'B'), [])
  assert.equal(await by('istartswith', 'B'), [2])
  assert.equal(await by('contains', '%_'), [4])
  assert.equal(await by('contains', '_o'), [4])
  assert.equal(await by('contains', 'n%'), [])
})

test('ordering then id; code point order for strings', async () => {
  const { ids } = await setup()
  assert.equal(await ids(q('Author', [], { orderBy: [{ field: 'name', descending: false }] })), [1, 3, 2])
  assert.equal(await ids(q('Author', [], { orderBy: [{ field: 'name', descending: true }] })), [2, 3, 1])
})

test('add is idempotent; set, remove, clear; cascades on delete; ids never reused', async () => {
  const { run, ids } = await setup()
  const a = await run({ kind: 'add', relation: 'Book.authors', side: 'forward', id: 1, targets: [1, 2] })
  assert.equal(a, { kind: 'affected', count: 0 })
  await run({ kind: 'set', relation: 'Book.authors', side: 'forward', id: 1, targets: [2, 3] })
  const authorsOf1 = q('Author', [{ negated: false, conditions: [{ via: viaBooks, field: 'id', lookup: 'exact', value: 1 }] }])
  assert.equal(await ids(authorsOf1), [2, 3])
  await run({ kind: 'remove', relation: 'Book.authors', side: 'reverse', id: 2, targets: [1] })
  assert.equal(await ids(authorsOf1), [3])
  await run({ kind: 'delete', query: q('Author', [{ negated: false, conditions: [{ field: 'id', lookup: 'exact', value: 3 }] }]) })
  assert.equal(await ids(authorsOf1), [])
  const inserted = await run({ kind: 'insert', model: 'Author', values: { name: 'Dee' } })
  assert.equal(inserted, { kind: 'inserted', id: 4 })
  await run({ kind: 'clear', relation: 'Book.authors', side: 'reverse', id: 2 })
  assert.equal(await ids(q('Book', [{ negated: false, conditions: [{ via: viaAuthors, field: 'id', lookup: 'exact', value: 2 }] }])), [])
})

test('nested create links the new row', async () => {
  const { run, ids } = await setup()
  const r = await run({
    kind: 'insert',
    model: 'Author',
    values: { name: 'New' },
    link: { relation: 'Book.authors', side: 'forward', ownerId: 2 }
  })
  assert.equal(r, { kind: 'inserted', id: 4 })
  assert.equal(
    await ids(q('Author', [{ negated: false, conditions: [{ via: viaBooks, field: 'id', lookup: 'exact', value: 2 }] }])),
    [3, 4]
  )
})

test.run()

// The memory adapter is the contract's executable statement: it must pass the whole suite, features included.
await contractSuite(memory)
