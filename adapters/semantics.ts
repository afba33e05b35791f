/**
 * The contract's data rules as pure functions, for adapters that fetch
 * candidate rows and must decide exactly in JavaScript (the memory adapter
 * for everything; the Prisma adapter where a database cannot say it, such as
 * a case-sensitive match under a case-insensitive collation).
 *
 * Lookups (rule 6): case-sensitive unless the lookup starts with `i`; values
 * are literal strings (no wildcards); strings order by code point.
 */
import type { Condition, Filter, OrderKey, Row, Scalar } from './contract.js'

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

export function fieldValue(row: Row, field: string): Scalar {
  return field === 'id' ? row.id : (row[field] ?? null)
}

/** Rule 2: `orderBy`, then id. */
export function compareRows(a: Row, b: Row, keys: readonly OrderKey[]): number {
  for (const k of keys) {
    const c = compareScalars(fieldValue(a, k.field), fieldValue(b, k.field))
    if (c !== 0) return k.descending ? -c : c
  }
  return a.id - b.id
}

/** The rows related to one row through the hop of a condition. */
export type RelatedRows = (condition: Condition) => readonly Row[]

/** Rule 3: how many joined rows a non-negated filter yields for `row` (0: filtered out). */
export function joinCount(row: Row, filter: Filter, related: RelatedRows): number {
  if (!filter.conditions.every((c) => c.via || matches(fieldValue(row, c.field), c))) return 0
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
      times *= rows.filter((t) => conditions.every((c) => matches(fieldValue(t, c.field), c))).length
    }
  }
  return times
}

/** Rule 4: a negated filter drops the row when every condition holds on its own. */
export function isExcluded(row: Row, filter: Filter, related: RelatedRows): boolean {
  return filter.conditions.every((c) => {
    if (!c.via) return matches(fieldValue(row, c.field), c)
    const rows = related(c)
    if (c.lookup === 'isnull' && c.field === 'id') return c.value === true ? rows.length === 0 : rows.length > 0
    return rows.some((t) => matches(fieldValue(t, c.field), c))
  })
}

/** How many times `row` appears for all filters (rules 3 and 4). */
export function multiplicity(row: Row, filters: readonly Filter[], related: RelatedRows): number {
  let times = 1
  for (const f of filters) {
    times *= f.negated ? (isExcluded(row, f, related) ? 0 : 1) : joinCount(row, f, related)
    if (times === 0) return 0
  }
  return times
}
