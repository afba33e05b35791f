/**
 * Lookup semantics on plain values (contract rule 6): case-sensitive unless
 * the lookup starts with `i`, values are literal strings (no wildcards),
 * strings order by code point.
 */
import type { Condition, Scalar } from '../contract.js'

/** Code-point order for strings, numeric for numbers, None first. */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  if (typeof a === 'string' && typeof b === 'string') {
    const x = [...a]
    const y = [...b]
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
      if (d !== 0) return d
    }
    return x.length - y.length
  }
  return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0
}

/** Does `value` (a row's field) satisfy the condition? */
export function matches(value: Scalar, c: Condition): boolean {
  const v = c.value
  if (c.lookup === 'isnull') return (value === null) === (v === true)
  if (value === null) return false
  if (c.lookup === 'in') return Array.isArray(v) && v.some((x) => x !== null && compareScalars(coerce(value, x), x) === 0)
  if (v === null || Array.isArray(v)) return false
  const target = v as Scalar
  const insensitive = c.lookup.startsWith('i')
  const s = text(value, insensitive)
  const t = text(target, insensitive)
  switch (c.lookup) {
    case 'exact': return compareScalars(coerce(value, target), target) === 0
    case 'iexact': return s === t
    case 'contains':
    case 'icontains': return s.includes(t)
    case 'startswith':
    case 'istartswith': return s.startsWith(t)
    case 'endswith':
    case 'iendswith': return s.endsWith(t)
    case 'gt': return compareScalars(coerce(value, target), target) > 0
    case 'gte': return compareScalars(coerce(value, target), target) >= 0
    case 'lt': return compareScalars(coerce(value, target), target) < 0
    case 'lte': return compareScalars(coerce(value, target), target) <= 0
  }
}

function text(v: Scalar, fold: boolean): string {
  const s = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)
  return fold ? s.toLowerCase() : s
}

/** Compare like with like: a number field against a number, a string field against a string. */
function coerce(value: Scalar, like: Scalar): Scalar {
  if (typeof like === 'number' && typeof value === 'string') return Number(value)
  if (typeof like === 'string' && typeof value === 'number') return String(value)
  return value
}
