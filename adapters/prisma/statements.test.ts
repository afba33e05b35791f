// How many statements the Prisma adapter spends (issue #15: the seed within
// 1.3x Django's count). Counts are Prisma's own query log on SQLite, with
// transaction control left out as Django's connection.queries leaves it out.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Adapter, Filter, Operation, Query } from '../contract.js'
import { asker, schema } from '../contract-suite.js'
import prisma from './index.js'

const via = { relation: 'Article.publications', side: 'forward' as const }
const q = (filters: Filter[], distinct = false): Query => ({
  model: 'Article',
  filters,
  distinct,
  orderBy: [{ field: 'headline', descending: false }],
  offset: 0
})
const hop = (field: string, lookup: 'exact' | 'startswith', value: string | number): Filter => ({
  negated: false,
  conditions: [{ via, field, lookup, value }]
})

let db: Adapter
const { run, ids, count } = asker(() => db)
/** The statements one step costs, with its answer. */
const spent = async <T>(step: () => Promise<T>): Promise<[T, number]> => {
  const before = db.queryCount!()
  const answer = await step()
  return [answer, db.queryCount!() - before]
}

test.before(async () => {
  db = await prisma.open({ schema })
  for (const title of ['Science News', 'Science Weekly', 'The Journal'])
    await run({ kind: 'insert', model: 'Publication', values: { title } })
  for (const headline of ['Alpha', 'Beta']) await run({ kind: 'insert', model: 'Article', values: { headline } })
  await run({ kind: 'add', relation: 'Article.publications', side: 'forward', id: 1, targets: [1, 2, 3] })
  await run({ kind: 'add', relation: 'Article.publications', side: 'forward', id: 2, targets: [1] })
})
test.after(async () => {
  await db.close?.()
})

test('a hop that fixes the related row by its key is one statement (it matches one link at most)', async () => {
  assert.equal(await spent(() => ids(q([hop('id', 'exact', 1)]))), [[1, 2], 1])
  assert.equal(await spent(() => ids(q([hop('id', 'exact', 3)]))), [[1], 1])
})

test('join duplicates are counted in the same statement (a filtered _count)', async () => {
  const science = [hop('title', 'startswith', 'Science')]
  assert.equal(await spent(() => ids(q(science))), [[1, 1, 2], 1])
  assert.equal(await spent(() => count(q(science))), [3, 1])
  assert.equal(await spent(() => ids(q(science, true))), [[1, 2], 1])
  // startswith is case-sensitive (a code point range, not SQLite's LIKE)
  assert.equal(await spent(() => ids(q([hop('title', 'startswith', 'science')]))), [[], 1])
})

test("a link change is Prisma's nested connect: owner, targets, insert, owner read back", async () => {
  const add: Operation = { kind: 'add', relation: 'Article.publications', side: 'forward', id: 2, targets: [2] }
  assert.is((await spent(() => run(add)))[1], 4)
  assert.equal(await ids(q([hop('id', 'exact', 2)])), [1, 2])
})

test.run()
