/**
 * The adapter's features (field types, own keys and names, self relations,
 * date lookups) on every reachable database: each operation runs on the
 * memory adapter (the contract's reference) and on Sequelize, and the answers
 * must be equal; a few answers are also spelled out.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Adapter, Condition, Filter, Operation, Query, Result, Schema } from '../contract.js'
import memory from '../memory/index.js'
import { availableTargets } from '../servers.js'
import sequelize, { decimalText, fromDb } from './index.js'

const schema: Schema = {
  models: [
    {
      name: 'Club',
      table: 'the_clubs',
      primaryKey: { name: 'code', type: 'string', auto: false, maxLength: 10, column: 'club_code' },
      fields: [
        { name: 'title', type: 'string', maxLength: 30, nullable: false, column: 'title_text' },
        { name: 'born', type: 'date', nullable: true },
        { name: 'fee', type: 'decimal', maxDigits: 6, decimalPlaces: 2, nullable: false },
        { name: 'ratio', type: 'float', nullable: true },
        { name: 'at', type: 'datetime', nullable: true, column: 'at_col' },
        { name: 'opens', type: 'time', nullable: true },
        { name: 'members', type: 'integer', nullable: false }
      ],
      ordering: [{ field: 'title', descending: false }]
    },
    {
      name: 'Person',
      table: 'people',
      primaryKey: { name: 'number', type: 'integer', auto: true },
      fields: [{ name: 'name', type: 'string', maxLength: 20, nullable: false }],
      ordering: [{ field: 'name', descending: false }]
    },
    {
      name: 'Tag',
      primaryKey: { name: 'tag_id', type: 'integer', auto: false },
      fields: [{ name: 'label', type: 'string', maxLength: 20, nullable: false }],
      ordering: []
    }
  ],
  relations: [
    {
      name: 'Person.friends',
      source: 'Person',
      field: 'friends',
      target: 'Person',
      reverseQueryName: 'person',
      reverseAccessor: 'person_set+',
      symmetrical: true,
      table: 'friendships'
    },
    { name: 'Person.idols', source: 'Person', field: 'idols', target: 'Person', reverseQueryName: 'stalkers', reverseAccessor: 'stalkers' },
    {
      name: 'Person.clubs',
      source: 'Person',
      field: 'clubs',
      target: 'Club',
      reverseQueryName: 'members',
      reverseAccessor: 'members',
      table: 'memberships'
    },
    { name: 'Club.tags', source: 'Club', field: 'tags', target: 'Tag', reverseQueryName: 'clubs', reverseAccessor: 'clubs' }
  ]
}

const clubs = [
  {
    id: 'CHESS',
    title: 'Chess',
    born: '2005-07-27',
    fee: '1.50',
    ratio: 0.5,
    at: '2005-07-28T10:00:00.123456',
    opens: '09:30:00.000000',
    members: 10000000000
  },
  {
    id: 'GO',
    title: 'Go',
    born: '2004-12-31',
    fee: '12.00',
    ratio: null,
    at: '2005-12-31T23:59:59.999999',
    opens: '20:00:00.250000',
    members: 3
  },
  { id: 'BRIDGE', title: 'Bridge', born: null, fee: '-3.25', ratio: 2.75, at: null, opens: null, members: 0 },
  {
    id: 'poker',
    title: 'Poker',
    born: '2006-01-05',
    fee: '9.99',
    ratio: 0.1,
    at: '2006-01-05T00:00:00.000000',
    opens: '00:00:00.000001',
    members: 7
  }
]

const f = (conditions: Condition[], negated = false): Filter => ({ negated, conditions })
const q = (model: string, filters: Filter[] = [], more: Partial<Query> = {}): Query => ({
  model,
  filters,
  distinct: false,
  orderBy: [],
  offset: 0,
  ...more
})
const members = { relation: 'Person.clubs', side: 'reverse' } as const
const clubsOf = { relation: 'Person.clubs', side: 'forward' } as const
const friends = { relation: 'Person.friends', side: 'forward' } as const
const idols = { relation: 'Person.idols', side: 'forward' } as const
const stalkers = { relation: 'Person.idols', side: 'reverse' } as const

/** Queries whose answers must equal the memory adapter's. */
const queries: [string, Query][] = [
  ['all clubs', q('Club')],
  ['order by decimal', q('Club', [], { orderBy: [{ field: 'fee', descending: false }] })],
  ['order by decimal desc', q('Club', [], { orderBy: [{ field: 'fee', descending: true }] })],
  ['order by date, None first', q('Club', [], { orderBy: [{ field: 'born', descending: false }] })],
  ['order by datetime desc, None last', q('Club', [], { orderBy: [{ field: 'at', descending: true }] })],
  ['order by time', q('Club', [], { orderBy: [{ field: 'opens', descending: false }] })],
  ['order by float', q('Club', [], { orderBy: [{ field: 'ratio', descending: false }] })],
  ['order by big integer', q('Club', [], { orderBy: [{ field: 'members', descending: true }] })],
  ['order by string key', q('Club', [], { orderBy: [{ field: 'id', descending: true }] })],
  ['decimal exact by value', q('Club', [f([{ field: 'fee', lookup: 'exact', value: '1.5' }])])],
  ['decimal gt', q('Club', [f([{ field: 'fee', lookup: 'gt', value: '9.990' }])])],
  ['decimal in', q('Club', [f([{ field: 'fee', lookup: 'in', value: ['12', '-3.25'] }])])],
  ['decimal range', q('Club', [f([{ field: 'fee', lookup: 'range', value: ['-4', '9.99'] }])])],
  ['float gte', q('Club', [f([{ field: 'ratio', lookup: 'gte', value: 0.5 }])])],
  ['date range', q('Club', [f([{ field: 'born', lookup: 'range', value: ['2004-12-31', '2005-12-31'] }])])],
  ['date lt', q('Club', [f([{ field: 'born', lookup: 'lt', value: '2006-01-01' }])])],
  ['datetime exact with microseconds', q('Club', [f([{ field: 'at', lookup: 'exact', value: '2005-07-28T10:00:00.123456' }])])],
  ['datetime gt', q('Club', [f([{ field: 'at', lookup: 'gt', value: '2005-07-28T10:00:00.123455' }])])],
  [
    'datetime range',
    q('Club', [f([{ field: 'at', lookup: 'range', value: ['2005-01-01T00:00:00.000000', '2005-12-31T23:59:59.999999'] }])])
  ],
  ['time lt', q('Club', [f([{ field: 'opens', lookup: 'lt', value: '09:30:00.000001' }])])],
  ['time range', q('Club', [f([{ field: 'opens', lookup: 'range', value: ['09:00:00.000000', '20:00:00.250000'] }])])],
  ['year of a date', q('Club', [f([{ field: 'born', transform: 'year', lookup: 'exact', value: 2005 }])])],
  ['year in', q('Club', [f([{ field: 'born', transform: 'year', lookup: 'in', value: [2004, 2006] }])])],
  ['month range', q('Club', [f([{ field: 'born', transform: 'month', lookup: 'range', value: [1, 7] }])])],
  ['day gte', q('Club', [f([{ field: 'born', transform: 'day', lookup: 'gte', value: 27 }])])],
  ['year of a datetime', q('Club', [f([{ field: 'at', transform: 'year', lookup: 'lte', value: 2005 }])])],
  ['month of a datetime', q('Club', [f([{ field: 'at', transform: 'month', lookup: 'exact', value: 12 }])])],
  ['date of a datetime', q('Club', [f([{ field: 'at', transform: 'date', lookup: 'exact', value: '2005-12-31' }])])],
  ['date of a datetime, range', q('Club', [f([{ field: 'at', transform: 'date', lookup: 'range', value: ['2005-07-28', '2006-01-05'] }])])],
  ['exclude by year', q('Club', [f([{ field: 'born', transform: 'year', lookup: 'exact', value: 2005 }], true)])],
  ['isnull with a transform', q('Club', [f([{ field: 'born', transform: 'year', lookup: 'isnull', value: true }])])],
  ['string key in', q('Club', [f([{ field: 'id', lookup: 'in', value: ['GO', 'poker', 'NONE'] }])])],
  [
    'renamed column',
    q('Club', [f([{ field: 'title', lookup: 'startswith', value: 'P' }])], { orderBy: [{ field: 'title', descending: true }] })
  ],
  ['people by year of their clubs', q('Person', [f([{ via: clubsOf, field: 'born', transform: 'year', lookup: 'exact', value: 2005 }])])],
  [
    'people by date range of their clubs',
    q('Person', [f([{ via: clubsOf, field: 'born', lookup: 'range', value: ['2004-01-01', '2005-12-31'] }])])
  ],
  [
    'people by datetime month, distinct',
    q('Person', [f([{ via: clubsOf, field: 'at', transform: 'month', lookup: 'in', value: [7, 12] }])], { distinct: true })
  ],
  ['count across with a transform', q('Person', [f([{ via: clubsOf, field: 'at', transform: 'day', lookup: 'gte', value: 28 }])])],
  ['people by decimal of their clubs', q('Person', [f([{ via: clubsOf, field: 'fee', lookup: 'gte', value: '1.5' }])])],
  ['clubs by their members', q('Club', [f([{ via: members, field: 'name', lookup: 'exact', value: 'Anne' }])])],
  [
    'clubs by member key',
    q('Club', [f([{ via: members, field: 'id', lookup: 'in', value: [1, 2] }])], { orderBy: [{ field: 'fee', descending: false }] })
  ],
  ['clubs without members', q('Club', [f([{ via: members, field: 'id', lookup: 'isnull', value: true }])])],
  ['friends of Anne', q('Person', [f([{ via: friends, field: 'name', lookup: 'exact', value: 'Anne' }])])],
  ['idols of someone', q('Person', [f([{ via: stalkers, field: 'name', lookup: 'startswith', value: 'A' }])])],
  ['stalkers of Bob', q('Person', [f([{ via: idols, field: 'name', lookup: 'exact', value: 'Bob' }])])],
  [
    'friends and idols in one filter',
    q('Person', [
      f([
        { via: friends, field: 'name', lookup: 'exact', value: 'Cy' },
        { via: idols, field: 'name', lookup: 'exact', value: 'Cy' }
      ])
    ])
  ],
  [
    'two filters across one relation',
    q('Person', [
      f([{ via: friends, field: 'name', lookup: 'exact', value: 'Anne' }]),
      f([{ via: friends, field: 'name', lookup: 'startswith', value: '' }])
    ])
  ],
  [
    'exclude, each condition on its own',
    q('Person', [
      f(
        [
          { via: clubsOf, field: 'born', transform: 'year', lookup: 'exact', value: 2005 },
          { via: clubsOf, field: 'fee', lookup: 'gt', value: '10' }
        ],
        true
      )
    ])
  ],
  ['exclude friends', q('Person', [f([{ via: friends, field: 'name', lookup: 'exact', value: 'Cy' }], true)])],
  ['no friends', q('Person', [f([{ via: friends, field: 'id', lookup: 'isnull', value: true }])])],
  ['clubs by tag key', q('Club', [f([{ via: { relation: 'Club.tags', side: 'forward' }, field: 'id', lookup: 'exact', value: 50 }])])],
  ['paged', q('Person', [f([{ via: clubsOf, field: 'fee', lookup: 'gt', value: '-10' }])], { offset: 1, limit: 3 })]
]

const setup: Operation[] = [
  ...clubs.map(({ ...values }): Operation => ({ kind: 'insert', model: 'Club', values })),
  { kind: 'insert', model: 'Person', values: { name: 'Anne' } },
  { kind: 'insert', model: 'Person', values: { name: 'Bob' } },
  { kind: 'insert', model: 'Person', values: { id: 10, name: 'Cy' } },
  { kind: 'insert', model: 'Person', values: { name: 'Dee' } },
  { kind: 'insert', model: 'Person', values: { id: 5, name: 'Eve' } },
  { kind: 'insert', model: 'Person', values: { name: 'Fay' } },
  { kind: 'insert', model: 'Tag', values: { id: 50, label: 'board' } },
  { kind: 'insert', model: 'Tag', values: { id: 7, label: 'cards' }, link: { relation: 'Club.tags', side: 'forward', ownerId: 'poker' } },
  { kind: 'add', relation: 'Club.tags', side: 'reverse', id: 50, targets: ['CHESS', 'GO'] },
  // Symmetrical: the runner sends both links.
  { kind: 'add', relation: 'Person.friends', side: 'forward', id: 1, targets: [2, 10] },
  { kind: 'add', relation: 'Person.friends', side: 'reverse', id: 1, targets: [2, 10] },
  { kind: 'add', relation: 'Person.friends', side: 'forward', id: 2, targets: [10] },
  { kind: 'add', relation: 'Person.friends', side: 'reverse', id: 2, targets: [10] },
  { kind: 'add', relation: 'Person.idols', side: 'forward', id: 1, targets: [2, 10] },
  { kind: 'add', relation: 'Person.idols', side: 'forward', id: 10, targets: [10] },
  { kind: 'add', relation: 'Person.clubs', side: 'forward', id: 1, targets: ['CHESS', 'GO', 'poker'] },
  { kind: 'add', relation: 'Person.clubs', side: 'reverse', id: 'GO', targets: [2, 10, 11] },
  { kind: 'add', relation: 'Person.clubs', side: 'forward', id: 5, targets: ['CHESS'] }
]

const answer = async (db: Adapter, op: Operation): Promise<Result | string> => {
  try {
    return await db.execute(op)
  } catch (e) {
    return `error: ${(e as Error).message}`
  }
}

for (const target of await availableTargets()) {
  const test = suite(`sequelize features on ${target.name}`)
  let db: Adapter
  let ref: Adapter
  /** Run on both; they must answer alike. */
  const both = async (op: Operation, label = op.kind): Promise<Result> => {
    let expected = await answer(ref, op)
    const actual = await answer(db, op)
    // Link operations answer the number of targets given (not the runner's concern; memory counts changes).
    if (['add', 'remove', 'set', 'clear'].includes(op.kind) && typeof expected !== 'string' && typeof actual !== 'string') expected = actual
    assert.equal(actual, expected, `${target.name}: ${label}`)
    if (typeof actual === 'string') throw new Error(actual)
    return actual
  }
  const rows = async (query: Query) => {
    const r = await db.execute({ kind: 'select', query })
    if (r.kind !== 'rows') throw new Error(`select answered ${r.kind}`)
    return r.rows
  }

  test.before.each(async () => {
    ref = await memory.open({ schema })
    db = await sequelize.open({ schema, ...(target.url ? { db: target.url } : {}) })
    for (const op of setup) await both(op)
  })
  test.after.each(async () => {
    await db.close?.()
  })

  test('values come back in the contract text forms', async () => {
    const [chess] = await rows(q('Club', [f([{ field: 'id', lookup: 'exact', value: 'CHESS' }])]))
    assert.equal(chess, { ...clubs[0] })
    const [bridge] = await rows(q('Club', [f([{ field: 'title', lookup: 'exact', value: 'Bridge' }])]))
    assert.equal(bridge, { ...clubs[2] })
  })

  test('every query answers as the memory adapter does (select and count)', async () => {
    for (const [label, query] of queries) {
      await both({ kind: 'select', query }, `select: ${label}`)
      await both({ kind: 'count', query }, `count: ${label}`)
    }
  })

  test('rule 1: automatic keys continue above an explicit one, never reused', async () => {
    assert.equal(await both({ kind: 'insert', model: 'Person', values: { name: 'Gus' } }), { kind: 'inserted', id: 13 })
    await both({ kind: 'delete', query: q('Person', [f([{ field: 'id', lookup: 'gte', value: 13 }])]) })
    await both({ kind: 'insert', model: 'Person', values: { id: 3, name: 'Hal' } })
    assert.equal(await both({ kind: 'insert', model: 'Person', values: { name: 'Ida' } }), { kind: 'inserted', id: 14 })
    await both({ kind: 'insert', model: 'Person', values: { id: 40, name: 'Jo' } })
    assert.equal(await both({ kind: 'insert', model: 'Person', values: { name: 'Kim' } }), { kind: 'inserted', id: 41 })
    await both({ kind: 'select', query: q('Person') })
  })

  test('updates by string key; decimals, datetimes and times in and out', async () => {
    await both({
      kind: 'update',
      model: 'Club',
      id: 'poker',
      values: { fee: '100.00', at: '2007-03-04T05:06:07.000008', opens: '23:59:59.999999', born: '2007-03-04', ratio: 1e-7 }
    })
    assert.equal(await both({ kind: 'update', model: 'Club', id: 'NONE', values: { fee: '1.00' } }), { kind: 'affected', count: 0 })
    for (const [label, query] of queries.slice(0, 12)) await both({ kind: 'select', query }, `after update: ${label}`)
    const [poker] = await rows(q('Club', [f([{ field: 'id', lookup: 'exact', value: 'poker' }])]))
    assert.equal(
      [poker!['fee'], poker!['at'], poker!['opens'], poker!['ratio']],
      ['100.00', '2007-03-04T05:06:07.000008', '23:59:59.999999', 1e-7]
    )
  })

  test('self relations: links, removal from either column, cascade on delete', async () => {
    await both({ kind: 'remove', relation: 'Person.idols', side: 'reverse', id: 10, targets: [1] })
    await both({ kind: 'select', query: q('Person', [f([{ via: stalkers, field: 'id', lookup: 'exact', value: 1 }])]) })
    await both({ kind: 'delete', query: q('Person', [f([{ field: 'name', lookup: 'exact', value: 'Cy' }])]) })
    for (const [label, query] of queries.filter(([l]) => /friend|idol|stalker|people/.test(l)))
      await both({ kind: 'select', query }, `after delete: ${label}`)
    await both({ kind: 'set', relation: 'Person.clubs', side: 'reverse', id: 'CHESS', targets: [2] })
    await both({ kind: 'delete', query: q('Club', [f([{ field: 'born', transform: 'year', lookup: 'lt', value: 2006 }])]) })
    await both({ kind: 'select', query: q('Person', [f([{ via: clubsOf, field: 'id', lookup: 'isnull', value: true }])]) })
    await both({ kind: 'select', query: q('Club', [f([{ via: members, field: 'id', lookup: 'isnull', value: false }])]) })
  })

  test.run()
}

const units = suite('sequelize value conversions')
units('decimals get exactly their places', () => {
  assert.is(decimalText(1.5, 2), '1.50')
  assert.is(decimalText('12.5', 2), '12.50')
  assert.is(decimalText('-0.00', 2), '0.00')
  assert.is(decimalText('-3.25', 2), '-3.25')
  assert.is(decimalText('7', 0), '7')
  // SQLite's REAL, read to 15 significant digits as Django's SQLite backend reads it; never through exponent notation.
  assert.is(decimalText(0.1 + 0.2, 20), '0.30000000000000000000')
  assert.is(decimalText(0.12345678901234568, 20), '0.12345678901234600000')
  assert.is(decimalText(1e-7, 20), '0.00000010000000000000')
  assert.is(decimalText(1e21, 0), '1000000000000000000000')
  // Extra places round half to even, digit by digit (a float would read 1.015 as 1.01499…).
  assert.is(decimalText('1.015', 2), '1.02')
  assert.is(decimalText('1.025', 2), '1.02')
  assert.is(decimalText('-1.035', 2), '-1.04')
  assert.is(decimalText('-0.004', 2), '0.00')
})
units('dates and times from what drivers answer', () => {
  assert.is(fromDb('datetime', '2005-07-28 10:00:00'), '2005-07-28T10:00:00.000000')
  assert.is(fromDb('datetime', '2005-07-28 10:00:00.25'), '2005-07-28T10:00:00.250000')
  assert.is(fromDb('time', '09:30:00'), '09:30:00.000000')
  assert.is(fromDb('date', '2005-07-27'), '2005-07-27')
  assert.is(fromDb('boolean', 1), true)
  assert.is(fromDb('integer', '10000000000'), 10000000000)
})
units.run()
