/**
 * The contract's data rules as pure functions, for adapters that fetch
 * candidate rows and must decide exactly in JavaScript (the memory adapter
 * for everything; the Prisma adapter where a database cannot say it, such as
 * a case-sensitive match under a case-insensitive collation).
 *
 * Lookups (rule 6): case-sensitive unless the lookup starts with `i`; values
 * are literal strings (no wildcards); strings order by code point.
 */
import type { Condition, FieldType, Filter, OrderKey, Row, Scalar, Transform } from './contract.js'

/** Which type a condition's field has (undefined: judge by the values, as before field types). */
export type TypeOf = (c: Condition) => FieldType | undefined

/**
 * Code-point order for strings, numeric for numbers and decimals, None first.
 * Dates and times are fixed-width text, so code-point order is time order.
 */
export function compareScalars(a: Scalar, b: Scalar, type?: FieldType): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  if (type === 'decimal') return compareDecimals(String(a), String(b))
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

/** Exact order of two decimal numbers written in plain notation (`-1.50`, `10`). */
export function compareDecimals(a: string, b: string): number {
  const parse = (s: string) => {
    const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(s.trim())
    if (!m) return { sign: 0, int: '', frac: '' }
    const int = m[2]!.replace(/^0+/, '')
    const frac = (m[3] ?? '').replace(/0+$/, '')
    return { sign: int === '' && frac === '' ? 0 : m[1] === '-' ? -1 : 1, int, frac }
  }
  const x = parse(a)
  const y = parse(b)
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1
  let c = x.int.length - y.int.length || (x.int < y.int ? -1 : x.int > y.int ? 1 : 0)
  if (c === 0) {
    const n = Math.max(x.frac.length, y.frac.length)
    const f = x.frac.padEnd(n, '0')
    const g = y.frac.padEnd(n, '0')
    c = f < g ? -1 : f > g ? 1 : 0
  }
  return x.sign < 0 ? -c : c
}

/** The part of a date (`YYYY-MM-DD`) or datetime value a transform takes. */
export function transform(value: Scalar, t: Transform): Scalar {
  if (typeof value !== 'string') return null
  if (t === 'date') return value.slice(0, 10)
  const [start, end] = t === 'year' ? [0, 4] : t === 'month' ? [5, 7] : [8, 10]
  return Number(value.slice(start, end))
}

/** Does `value` (a row's field, of `type`) satisfy the condition? */
export function matches(value: Scalar, c: Condition, type?: FieldType): boolean {
  if (c.transform && c.lookup !== 'isnull') {
    value = transform(value, c.transform)
    type = c.transform === 'date' ? 'date' : 'integer'
  }
  const v = c.value
  const cmp = (x: Scalar, y: Scalar) => compareScalars(coerce(x, y), y, type)
  if (c.lookup === 'isnull') return (value === null) === (v === true)
  if (value === null) return false
  if (c.lookup === 'in') return Array.isArray(v) && v.some((x) => x !== null && cmp(value, x) === 0)
  if (c.lookup === 'range')
    return Array.isArray(v) && v.length === 2 && v[0] !== null && v[1] !== null && cmp(value, v[0]!) >= 0 && cmp(value, v[1]!) <= 0
  if (v === null || Array.isArray(v)) return false
  const target = v as Scalar
  const insensitive = c.lookup.startsWith('i')
  const s = text(value, insensitive)
  const t = text(target, insensitive)
  switch (c.lookup) {
    case 'exact':
      return cmp(value, target) === 0
    case 'iexact':
      return s === t
    case 'contains':
    case 'icontains':
      return s.includes(t)
    case 'startswith':
    case 'istartswith':
      return s.startsWith(t)
    case 'endswith':
    case 'iendswith':
      return s.endsWith(t)
    case 'gt':
      return cmp(value, target) > 0
    case 'gte':
      return cmp(value, target) >= 0
    case 'lt':
      return cmp(value, target) < 0
    case 'lte':
      return cmp(value, target) <= 0
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

export function fieldValue(row: Row, field: string): Scalar {
  return field === 'id' ? row.id : (row[field] ?? null)
}

/** Rule 2: `orderBy`, then id. `typeOf` gives a field's type (decimals order by value). */
export function compareRows(a: Row, b: Row, keys: readonly OrderKey[], typeOf?: (field: string) => FieldType | undefined): number {
  for (const k of keys) {
    const c = compareScalars(fieldValue(a, k.field), fieldValue(b, k.field), typeOf?.(k.field))
    if (c !== 0) return k.descending ? -c : c
  }
  return compareScalars(a.id, b.id)
}

/** The rows related to one row through the hop of a condition. */
export type RelatedRows = (condition: Condition) => readonly Row[]

/** Rule 3: how many joined rows a non-negated filter yields for `row` (0: filtered out). */
export function joinCount(row: Row, filter: Filter, related: RelatedRows, typeOf?: TypeOf): number {
  if (!filter.conditions.every((c) => c.via || matches(fieldValue(row, c.field), c, typeOf?.(c)))) return 0
  const byHop = new Map<string, Condition[]>()
  for (const c of filter.conditions) {
    if (!c.via) continue
    const key = `${c.via.relation}|${c.via.side}`
    byHop.set(key, [...(byHop.get(key) ?? []), c])
  }
  let times = 1
  for (const conditions of byHop.values()) {
    const rows = related(conditions[0]!)
    if (conditions.some((c) => c.lookup === 'isnull' && c.field === 'id' && c.value === true)) {
      times *= rows.length === 0 && conditions.length === 1 ? 1 : 0
    } else {
      times *= rows.filter((t) => conditions.every((c) => matches(fieldValue(t, c.field), c, typeOf?.(c)))).length
    }
  }
  return times
}

/** Rule 4: a negated filter drops the row when every condition holds on its own. */
export function isExcluded(row: Row, filter: Filter, related: RelatedRows, typeOf?: TypeOf): boolean {
  return filter.conditions.every((c) => {
    if (!c.via) return matches(fieldValue(row, c.field), c, typeOf?.(c))
    const rows = related(c)
    if (c.lookup === 'isnull' && c.field === 'id') return c.value === true ? rows.length === 0 : rows.length > 0
    return rows.some((t) => matches(fieldValue(t, c.field), c, typeOf?.(c)))
  })
}

/** How many times `row` appears for all filters (rules 3 and 4). */
export function multiplicity(row: Row, filters: readonly Filter[], related: RelatedRows, typeOf?: TypeOf): number {
  let times = 1
  for (const f of filters) {
    times *= f.negated ? (isExcluded(row, f, related, typeOf) ? 0 : 1) : joinCount(row, f, related, typeOf)
    if (times === 0) return 0
  }
  return times
}
