import Database from 'better-sqlite3'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Condition } from '../contract.js'
import { prefixEnd, pushCondition } from './pushdown.js'

const same = (v: unknown) => v
const cond = (lookup: Condition['lookup'], value: Condition['value']): Condition => ({ field: 'f', lookup, value })

test('in: None is dropped, as Django drops it (NULL equals nothing)', () => {
  assert.equal(pushCondition('sqlite', cond('in', [null, 10]), 'integer', 'f', same), { where: { f: { in: [10] } }, exact: true })
  assert.equal(pushCondition('postgresql', cond('in', [null, 'a']), 'string', 'f', same), { where: { f: { in: ['a'] } }, exact: true })
  assert.equal(pushCondition('sqlite', cond('in', [null]), 'string', 'f', same), { where: { f: { in: [] } }, exact: true })
})

test('range with a None bound is left to JS (BETWEEN NULL)', () => {
  for (const type of ['integer', 'string'] as const)
    assert.equal(pushCondition('sqlite', cond('range', [null, 5]), type, 'f', same), { where: undefined, exact: false })
})

test('booleans compared with text read as Python writes them', () => {
  assert.equal(pushCondition('sqlite', cond('exact', true), 'string', 'f', same), { where: { f: { equals: 'True' } }, exact: true })
  assert.equal(pushCondition('postgresql', cond('in', [false, 'x']), 'string', 'f', same), {
    where: { f: { in: ['False', 'x'] } },
    exact: true
  })
})

test("booleans: Prisma's filter has only equals, so in is an OR of equals and comparisons go to JS", () => {
  assert.equal(pushCondition('sqlite', cond('in', [true, null]), 'boolean', 'f', same), {
    where: { OR: [{ f: { equals: true } }] },
    exact: true
  })
  assert.equal(pushCondition('postgresql', cond('in', []), 'boolean', 'f', same), {
    where: { AND: [{ f: { equals: true } }, { f: { equals: false } }] },
    exact: true
  })
  assert.equal(pushCondition('mysql', cond('gt', false), 'boolean', 'f', same), { where: undefined, exact: false })
})

test('startswith on SQLite is a code point range, exact in one statement; elsewhere unchanged', () => {
  assert.equal(pushCondition('sqlite', cond('startswith', 'Sci'), 'string', 'f', same), {
    where: { f: { gte: 'Sci', lt: 'Scj' } },
    exact: true
  })
  assert.equal(pushCondition('sqlite', cond('istartswith', 'Sci'), 'string', 'f', same), {
    where: { f: { startsWith: 'Sci' } },
    exact: true
  })
  assert.equal(pushCondition('mysql', cond('startswith', 'Sci'), 'string', 'f', same), {
    where: { f: { startsWith: 'Sci' } },
    exact: false
  })
  assert.equal(pushCondition('sqlite', cond('startswith', ''), 'string', 'f', same).where, { f: { startsWith: '' } })
})

test('prefixEnd: the last code point raised, surrogates skipped, none past U+10FFFF', () => {
  assert.is(prefixEnd('ab'), 'ac')
  assert.is(prefixEnd(''), undefined)
  assert.is(prefixEnd('a\u{10FFFF}'), undefined)
  assert.is(prefixEnd('a\uD7FF'), 'a\uE000')
  assert.is(prefixEnd('a\uFFFF'), 'a\u{10000}')
  assert.is(prefixEnd('x\u{1F600}'), 'x\u{1F601}')
})

test('the range selects exactly the texts a JS startsWith selects, in a real SQLite column', () => {
  const texts = [
    'Sci',
    'Science',
    'science',
    'SCIENCE',
    'Scj',
    'Sch',
    'Sci%',
    'Sc_',
    '',
    'S',
    'a\uD7FF',
    'a\uD7FFz',
    'a\uE000',
    'a\uFFFF',
    'a\uFFFFb',
    'a\u{10000}',
    'x\u{1F600}y',
    'x\u{1F601}',
    'é',
    'éa',
    'f'
  ]
  const db = new Database(':memory:')
  db.exec('CREATE TABLE t (v TEXT)')
  const insert = db.prepare('INSERT INTO t VALUES (?)')
  for (const t of texts) insert.run(t)
  const range = db.prepare('SELECT v FROM t WHERE v >= ? AND v < ? ORDER BY v')
  for (const prefix of ['Sci', 'S', 'a\uD7FF', 'a\uFFFF', 'x\u{1F600}', 'é', 'Sc_']) {
    const got = (range.all(prefix, prefixEnd(prefix)!) as { v: string }[]).map((r) => r.v).sort()
    assert.equal(got, texts.filter((t) => t.startsWith(prefix)).sort(), prefix)
  }
  db.close()
})

test.run()
