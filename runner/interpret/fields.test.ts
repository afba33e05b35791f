import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { FieldType, Scalar } from '../../adapters/contract.js'
import { AdapterFault } from './exceptions.js'
import { type FieldSpec, fromScalar } from './fields.js'

const spec = (type: FieldType, more: Partial<FieldSpec> = {}): FieldSpec => ({ name: 'f', type, ...more })

// What an adapter may answer for each field type, and what Django then holds.
const accepted: [FieldType, Scalar, unknown, Partial<FieldSpec>?][] = [
  ['string', 'abc', 'abc'],
  ['integer', 7, 7],
  ['boolean', true, true],
  ['boolean', 0, false],
  ['boolean', 1, true],
  ['float', 1.5, { kind: 'float', value: 1.5 }],
  ['decimal', '1.50', { kind: 'decimal', text: '1.50' }],
  ['decimal', 2.5, { kind: 'decimal', text: '2.50' }, { decimalPlaces: 2 }],
  ['decimal', '2.5', { kind: 'decimal', text: '2.500' }, { decimalPlaces: 3 }],
  ['date', '2024-02-29', { kind: 'date', year: 2024, month: 2, day: 29 }],
  [
    'datetime',
    '2024-02-29 10:20:30',
    { kind: 'datetime', year: 2024, month: 2, day: 29, hour: 10, minute: 20, second: 30, microsecond: 0 }
  ],
  ['datetime', '2024-02-29', { kind: 'datetime', year: 2024, month: 2, day: 29, hour: 0, minute: 0, second: 0, microsecond: 0 }],
  ['time', '10:20:30.000005', { kind: 'time', hour: 10, minute: 20, second: 30, microsecond: 5 }],
  ['integer', null, null]
]

test('fromScalar: each type reads what the contract allows', () => {
  for (const [type, s, want, more] of accepted) assert.equal(fromScalar(spec(type, more), s, 'M'), want, `${type} ${JSON.stringify(s)}`)
})

// Answers of the wrong kind: the adapter's fault, named with model, field and value.
const refused: [FieldType, Scalar][] = [
  ['string', 7],
  ['string', true],
  ['integer', '7'],
  ['integer', 1.5],
  ['integer', true],
  ['boolean', 2],
  ['boolean', 'true'],
  ['float', '1.5'],
  ['float', false],
  ['decimal', 'abc'],
  ['decimal', true],
  ['date', 20240229],
  ['date', '2024-13-01'],
  ['date', 'soon'],
  ['datetime', 0],
  ['datetime', 'later'],
  ['time', 1030],
  ['time', 'noon']
]

test('fromScalar: a value of the wrong kind is the adapter fault', () => {
  for (const [type, s] of refused) {
    try {
      fromScalar(spec(type), s, 'M')
      assert.unreachable(`${type} ${JSON.stringify(s)} was accepted`)
    } catch (e) {
      assert.instance(e, AdapterFault, `${type} ${JSON.stringify(s)}`)
      assert.is((e as Error).message, `adapter answered ${JSON.stringify(s)} for M.f, which is not a ${type} value of the contract`)
    }
  }
})

test.run()
