import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { FieldType, Scalar } from '../../adapters/contract.js'
import type { Displays } from '../present/repr.js'
import { AdapterFault, PyException, Unsupported } from './exceptions.js'
import { decimalFromFloat, decimalValue, type FieldSpec, fromScalar, parseDecimal, toScalar } from './fields.js'
import type { PyValue } from './values.js'

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
  // A number past 1e21 is read by its value, not by String()'s exponent.
  ['decimal', 1e21, { kind: 'decimal', text: '1000000000000000000000.00' }, { decimalPlaces: 2 }],
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

// Python's Decimal(str), written plain: every spelling the oracle showed Django accepting.
const values: [string, string | undefined][] = [
  ['1e3', '1000'],
  ['1E+3', '1000'],
  ['1.5e2', '150'],
  ['.15e3', '150'],
  ['15.e1', '150'],
  ['1500e-1', '150.0'],
  ['+1.5E+2', '150'],
  ['-25E-1', '-2.5'],
  ['1e-2', '0.01'],
  ['  1e3  ', '1000'],
  ['1_000', '1000'],
  ['1e0_3', '1000'],
  ['_1e3', '1000'],
  ['000.001e1', '0.01'],
  ['0e5', '0'],
  ['-0e-5', '-0'],
  ['12.50', '12.50'],
  ['1e', undefined],
  ['e5', undefined],
  ['1e+', undefined],
  ['1e1.5', undefined],
  ['1ee3', undefined],
  ['1e 3', undefined],
  ['.e3', undefined],
  ['.', undefined],
  ['', undefined],
  ['0x10', undefined],
  // Python strips its own whitespace (U+001F and U+00A0 are, U+FEFF is not), then drops underscores.
  ['\x1f1e3\u00a0', '1000'],
  ['\ufeff1', undefined],
  ['_ 1', undefined],
  ['1.5_e-1_0', '0.00000000015'],
  ['_', undefined]
]

test('decimalValue: Decimal(str) in any notation, as plain text', () => {
  for (const [text, want] of values) assert.is(decimalValue(text), want, text)
})

test('decimalValue: special values and very long numbers are beyond the kit', () => {
  for (const text of ['inf', '-Infinity', 'nan', 'sNaN', '1e1001', '1e-1001', '1e99999999999999999999', '١٢٣'])
    assert.throws(
      () => decimalValue(text),
      (e: unknown) => e instanceof Unsupported,
      text
    )
  assert.is(decimalValue('0e99999999999999999999'), '0')
})

test('parseDecimal: plain notation only (a Decimal with an exponent shows it)', () => {
  assert.is(parseDecimal(' 0012.50 '), '12.50')
  assert.is(parseDecimal('1_000'), '1000')
  assert.is(parseDecimal('-.5'), '-0.5')
  assert.is(parseDecimal('1e3'), undefined)
})

// Python: decimal.Context(prec=p).create_decimal_from_float(x), written plain.
const floats: [number, number, string][] = [
  [1e21, 30, '1000000000000000000000'],
  [1e-7, 30, '0.0000000999999999999999954748111825886'],
  [0.1, 17, '0.10000000000000001'],
  [123.125, 5, '123.12'],
  [123.375, 5, '123.38'],
  [-123.125, 5, '-123.12'],
  [0.125, 2, '0.12'],
  [999.995, 5, '1000.0'],
  [12345678.0, 5, '12346000'],
  [2.5, 28, '2.5'],
  [0, 5, '0'],
  [-0, 5, '-0'],
  [5e-324, 3, '0.' + '0'.repeat(323) + '494'],
  [1.7976931348623157e308, 3, '18' + '0'.repeat(307)]
]

test('decimalFromFloat: the exact binary value, rounded half-even to the precision', () => {
  for (const [x, p, want] of floats) assert.is(decimalFromFloat(x, p), want, `${x} ${p}`)
  for (const x of [Infinity, -Infinity, NaN])
    assert.throws(
      () => decimalFromFloat(x, 5),
      (e: unknown) => e instanceof Unsupported
    )
})

const display: Displays = () => {
  throw new Error('no model is displayed here')
}
const price: FieldSpec = { name: 'price', type: 'decimal', maxDigits: 5, decimalPlaces: 2 }

test('toScalar: a decimal field prepares exponents, floats and ints as plain text', () => {
  assert.is(toScalar(price, '1.5e2', display), '150')
  assert.is(toScalar(price, { kind: 'float', value: 1e21 }, display), '1000000000000000000000')
  assert.is(toScalar(price, { kind: 'float', value: 123.125 }, display), '123.12')
  assert.is(toScalar(price, { kind: 'decimal', text: '1E+3' }, display), '1000')
  assert.is(toScalar(price, 7, display), '7')
  assert.is(toScalar(price, true, display), '1')
  assert.is(toScalar(price, '1.5e-2', display, true), '0.02')
  assert.is(toScalar(price, { kind: 'float', value: 100.125 }, display, true), '100.12')
  assert.is(toScalar({ name: 'p', type: 'decimal' }, { kind: 'float', value: 0.1 }, display), '0.1000000000000000055511151231')
  assert.throws(
    () => toScalar(price, 2 ** 53, display),
    (e: unknown) => e instanceof Unsupported
  )
})

test('toScalar: a boolean field takes a Decimal equal to 0 or 1, in any notation', () => {
  const flag: FieldSpec = { name: 'flag', type: 'boolean' }
  const cases: [string, boolean][] = [
    ['1', true],
    ['1.00', true],
    ['0', false],
    ['-0.0', false],
    ['0E+3', false],
    ['1.0E+0', true]
  ]
  for (const [text, want] of cases) assert.is(toScalar(flag, { kind: 'decimal', text }, display), want, text)
  for (const text of ['2', '0.5', '10', '1E+1'])
    assert.throws(
      () => toScalar(flag, { kind: 'decimal', text }, display),
      (e: unknown) => e instanceof PyException,
      text
    )
})

test('toScalar: a nullable boolean field reads an empty value as None and names None in its message', () => {
  const flag: FieldSpec = { name: 'flag', type: 'boolean', nullable: true }
  const empties: PyValue[] = ['', { kind: 'list', items: [] }, { kind: 'tuple', items: [] }, { kind: 'dict', entries: [] }]
  for (const v of empties) assert.is(toScalar(flag, v, display), null, JSON.stringify(v))
  assert.is(toScalar(flag, 't', display), true)
  try {
    toScalar(flag, 'yes', display)
    assert.unreachable()
  } catch (e) {
    assert.is((e as PyException).detail, "['“yes” value must be either True, False, or None.']")
  }
  try {
    toScalar({ name: 'flag', type: 'boolean' }, '', display)
    assert.unreachable()
  } catch (e) {
    assert.is((e as PyException).detail, "['“” value must be either True or False.']")
  }
})

test('toScalar: Django refuses what Decimal() refuses, with its message', () => {
  for (const text of ['1e', 'e5', '1e+']) {
    try {
      toScalar(price, text, display)
      assert.unreachable(text)
    } catch (e) {
      assert.instance(e, PyException, text)
      assert.is((e as PyException).detail, `['“${text}” value must be a decimal number.']`)
    }
  }
})

test('toScalar: saving more digits than max_digits is beyond the kit (the databases differ)', () => {
  for (const v of ['1e3', '999.995', { kind: 'float', value: 999.995 } as const])
    assert.throws(
      () => toScalar(price, v, display, true),
      (e: unknown) => e instanceof Unsupported,
      JSON.stringify(v)
    )
  assert.is(toScalar(price, '999.99', display, true), '999.99')
  assert.is(toScalar(price, '-0.001', display, true), '0.00')
})

test.run()
