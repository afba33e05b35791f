/**
 * Python's binary operators over the interpreter's values: `+ - * %` and
 * comparisons, with Python's TypeErrors. `%` on a string is formatting and
 * needs presented values, so the interpreter does that one itself.
 */

import { compareDecimals } from '../../adapters/semantics.js'
import type { BinaryOp } from '../language/ast.js'
import { PyException, raise } from './exceptions.js'
import { dateText, timeText } from './fields.js'
import { isObject, type PyValue, typeName } from './values.js'

type Num = { int: boolean; value: number }

function num(v: PyValue): Num | undefined {
  if (typeof v === 'number') return { int: true, value: v }
  if (typeof v === 'boolean') return { int: true, value: v ? 1 : 0 }
  if (isObject(v) && v.kind === 'float') return { int: false, value: v.value }
  return undefined
}

function numeric(n: number, int: boolean): PyValue {
  if (int && !Number.isSafeInteger(n)) throw raise.value('integer result beyond the kit (2**53)')
  return int ? n : { kind: 'float', value: n }
}

/** A Decimal (or an int, which Python's Decimal arithmetic accepts) as coefficient and scale. */
function decimal(v: PyValue): { coefficient: bigint; scale: number } | undefined {
  const text =
    typeof v === 'number' && Number.isInteger(v)
      ? String(v)
      : typeof v === 'boolean'
        ? v
          ? '1'
          : '0'
        : isObject(v) && v.kind === 'decimal'
          ? v.text
          : undefined
  if (text === undefined) return undefined
  const [int, frac = ''] = text.split('.') as [string, string?]
  return { coefficient: BigInt(int.replace(/^-/, '') + frac) * (text.startsWith('-') ? -1n : 1n), scale: frac.length }
}

function decimalText(coefficient: bigint, scale: number): string {
  const negative = coefficient < 0n
  let digits = (negative ? -coefficient : coefficient).toString().padStart(scale + 1, '0')
  if (scale) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return (negative ? '-' : '') + digits
}

/** Exact Decimal `+ - *` (Python keeps the larger scale, or adds scales when multiplying). */
function decimalArithmetic(op: '+' | '-' | '*', a: PyValue, b: PyValue): PyValue | undefined {
  if (!(isObject(a) && a.kind === 'decimal') && !(isObject(b) && b.kind === 'decimal')) return undefined
  const x = decimal(a)
  const y = decimal(b)
  if (!x || !y) return undefined
  if (op === '*') return { kind: 'decimal', text: decimalText(x.coefficient * y.coefficient, x.scale + y.scale) }
  const scale = Math.max(x.scale, y.scale)
  const left = x.coefficient * 10n ** BigInt(scale - x.scale)
  const right = y.coefficient * 10n ** BigInt(scale - y.scale)
  return { kind: 'decimal', text: decimalText(op === '+' ? left + right : left - right, scale) }
}

function unsupported(op: string, a: PyValue, b: PyValue): never {
  throw raise.type(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`)
}

/** `a + b`, `a - b`, `a * b`, and `a % b` for numbers. */
export function arithmetic(op: '+' | '-' | '*' | '%', a: PyValue, b: PyValue): PyValue {
  const exact = op === '%' ? undefined : decimalArithmetic(op, a, b)
  if (exact) return exact
  const x = num(a)
  const y = num(b)
  if (x && y) {
    const int = x.int && y.int
    switch (op) {
      case '+':
        return numeric(x.value + y.value, int)
      case '-':
        return numeric(x.value - y.value, int)
      case '*':
        return numeric(x.value * y.value, int)
      case '%': {
        if (y.value === 0) throw new PyException('ZeroDivisionError', int ? 'integer division or modulo by zero' : 'float modulo')
        // Python's modulo takes the divisor's sign.
        return numeric(((x.value % y.value) + y.value) % y.value, int)
      }
    }
  }
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b
    if (typeof a === 'string') throw raise.type(`can only concatenate str (not "${typeName(b)}") to str`)
    if (isObject(a) && isObject(b) && a.kind === 'list' && b.kind === 'list') return { kind: 'list', items: [...a.items, ...b.items] }
    if (isObject(a) && isObject(b) && a.kind === 'tuple' && b.kind === 'tuple') return { kind: 'tuple', items: [...a.items, ...b.items] }
    if (isObject(a) && a.kind === 'list') throw raise.type(`can only concatenate list (not "${typeName(b)}") to list`)
  }
  if (op === '*') {
    const [s, n] = typeof a === 'string' ? [a, num(b)] : typeof b === 'string' ? [b, num(a)] : [undefined, undefined]
    if (s !== undefined && n?.int) return s.repeat(Math.max(0, n.value))
  }
  return unsupported(op, a, b)
}

/** Python `==` for the values the kit has; model instances are equal by model and key, as Django's `Model.__eq__`. */
export function equals(a: PyValue, b: PyValue): boolean {
  const x = num(a)
  const y = num(b)
  if (x && y) return x.value === y.value
  const dx = decimal(a)
  const dy = decimal(b)
  if (dx && dy) return compareDecimals(decimalText(dx.coefficient, dx.scale), decimalText(dy.coefficient, dy.scale)) === 0
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b
  if (a.kind === 'instance' && b.kind === 'instance') return a.model === b.model && a.id !== null && a.id === b.id
  if (a.kind === 'decimal' && b.kind === 'decimal') return compareDecimals(a.text, b.text) === 0
  if ((a.kind === 'date' || a.kind === 'datetime' || a.kind === 'time') && a.kind === b.kind) return order(a) === order(b)
  if ((a.kind === 'list' || a.kind === 'tuple') && a.kind === b.kind) {
    return a.items.length === b.items.length && a.items.every((v, i) => equals(v, b.items[i]!))
  }
  if (a.kind === 'dict' && b.kind === 'dict') {
    return (
      a.entries.length === b.entries.length && a.entries.every(([k, v]) => b.entries.some(([k2, v2]) => equals(k, k2) && equals(v, v2)))
    )
  }
  return a === b
}

function order(v: PyValue): string {
  if (isObject(v) && v.kind === 'date') return dateText(v)
  if (isObject(v) && v.kind === 'datetime') return `${dateText(v)}T${timeText(v)}`
  if (isObject(v) && v.kind === 'time') return timeText(v)
  return ''
}

/** `<`, `<=`, `>`, `>=` between numbers, strings, decimals, and dates or times of one kind. */
export function compare(op: '<' | '<=' | '>' | '>=', a: PyValue, b: PyValue): boolean {
  const c = order3(op, a, b)
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0
}

/** Python's `sorted()`: stable, by `<`; tuples and lists compare item by item. */
export function pySorted(items: readonly PyValue[]): PyValue[] {
  return [...items].sort((a, b) => order3('<', a, b))
}

function order3(op: string, a: PyValue, b: PyValue): number {
  if (isObject(a) && isObject(b) && (a.kind === 'tuple' || a.kind === 'list') && a.kind === b.kind) {
    for (let i = 0; i < Math.min(a.items.length, b.items.length); i++) {
      if (equals(a.items[i]!, b.items[i]!)) continue
      return order3(op, a.items[i]!, b.items[i]!)
    }
    return a.items.length - b.items.length
  }
  let c: number | undefined
  const x = num(a)
  const y = num(b)
  if (x && y) c = x.value - y.value
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0
  else if (isObject(a) && isObject(b) && a.kind === 'decimal' && b.kind === 'decimal') c = compareDecimals(a.text, b.text)
  else if (isObject(a) && isObject(b) && a.kind === b.kind && (a.kind === 'date' || a.kind === 'datetime' || a.kind === 'time'))
    c = order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0
  if (c === undefined) throw raise.type(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`)
  return c
}

export function isComparison(op: BinaryOp): op is '==' | '!=' | '<' | '<=' | '>' | '>=' {
  return op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>='
}
