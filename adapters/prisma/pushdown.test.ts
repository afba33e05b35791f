import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Condition } from '../contract.js'
import { pushCondition } from './pushdown.js'

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

test.run()
