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
  // A string meets only a string here: matches() turns the other side into text, and a sort compares one column.
  if (typeof a === 'string') {
    const x = [...a]
    const y = [...String(b)]
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
      if (d !== 0) return d
    }
    return x.length - y.length
  }
  // Equal numbers of one type are === above; the sign of the difference orders the rest (a number against a
  // boolean or a numeric text too, though the contract sends values of one type: values travel by field type).
  return Math.sign(Number(a) - Number(b))
}

/** Exact order of two decimal numbers written in plain notation (`-1.50`, `10`). */
export function compareDecimals(a: string, b: string): number {
  const parse = (s: string) => {
    // Stryker disable next-line MethodExpression,Regex: decimal texts are always plain notation (the kit normalizes literals and formats fields; select.ts's decimalText), so every one matches whole, with no spaces
    const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(s.trim())
    // Stryker disable next-line ConditionalExpression,ObjectLiteral,StringLiteral: see above; a text that is no decimal never reaches here
    if (!m) return { sign: 0, int: '', frac: '' }
    // Stryker disable next-line Regex: plain notation has at most one leading zero ('0.50'), which /^0/ removes as well
    const int = m[2]!.replace(/^0+/, '')
    const frac = (m[3] ?? '').replace(/0+$/, '')
    return { sign: int === '' && frac === '' ? 0 : m[1] === '-' ? -1 : 1, int, frac }
  }
  const x = parse(a)
  const y = parse(b)
  if (x.sign !== y.sign) return x.sign - y.sign
  let c = x.int.length - y.int.length || (x.int < y.int ? -1 : x.int > y.int ? 1 : 0)
  if (c === 0) {
    // Fractions carry no trailing zeros, so their plain string order is already numeric; the padding only makes that plain.
    // Stryker disable next-line MethodExpression: see above
    const n = Math.max(x.frac.length, y.frac.length)
    // Stryker disable next-line StringLiteral: see above
    const f = x.frac.padEnd(n, '0')
    // Stryker disable next-line StringLiteral: see above
    const g = y.frac.padEnd(n, '0')
    c = f < g ? -1 : f > g ? 1 : 0
  }
  return x.sign * c
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
  // A transform keeps NULL as NULL and a date as a value, so `isnull` reads the same after it.
  if (c.transform) {
    value = transform(value, c.transform)
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: compareScalars treats only 'decimal' apart, and a transform's output never is
    type = c.transform === 'date' ? 'date' : 'integer'
  }
  const v = c.value
  const cmp = (x: Scalar, y: Scalar) => compareScalars(x, coerce(y, x, type), type)
  if (c.lookup === 'isnull') return (value === null) === (v === true)
  if (value === null) return false
  // A None in the list matches nothing (no value compares equal to it).
  if (c.lookup === 'in') return Array.isArray(v) && v.some((x) => cmp(value, x) === 0)
  if (c.lookup === 'range') {
    // Always two values (the interpreter checks); a missing end matches nothing, as SQL's BETWEEN with NULL.
    const [low, high] = v as readonly Scalar[]
    return low !== null && cmp(value, low!) >= 0 && cmp(value, high!) <= 0
  }
  // None is an isnull lookup or refused before this, and lists come only with in/range.
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
  // A lookup the contract does not name is refused, not read as matching nothing.
  // Stryker disable next-line StringLiteral: an error's text is not part of the contract, only that the condition is refused
  throw new Error(`no such lookup: ${String(c.lookup)}`)
}

function text(v: Scalar, fold: boolean): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: under the contract a boolean meets only a boolean (values travel by field type), which any two distinct texts compare alike; a pattern lookup of True on a boolean field is each database's own (SQLite tests the text '1', PostgreSQL refuses), so no document holds one
  const s = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)
  // Stryker disable next-line MethodExpression: case folding is promised for ASCII letters only (contract rule 6), where upper and lower case agree
  return fold ? s.toLowerCase() : s
}

/**
 * Compare like with like, the way Django prepares a lookup's value for the field it
 * tests (an annotation compared with a literal of another type): a text field takes
 * 5 as `'5'` and True as `'True'`, a decimal 5 as `'5'` and True as 1; a number field takes `'9'` as 9, which
 * compareScalars already does by comparing anything but two strings as numbers.
 */
function coerce(target: Scalar, like: Scalar, type: FieldType | undefined): Scalar {
  // The kit prepares every value for the field it meets (lookups.ts prepare()), so under the contract a target
  // already has its field's type and nothing below changes it (no spec document reaches a change); the other pairs
  // (True against a decimal or a text column) are out of contract, and the databases disagree on them.
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: see above
  if (type === 'decimal' && typeof target === 'boolean') return String(Number(target))
  // Stryker disable next-line ConditionalExpression,StringLiteral: see above; a number meets a string in compareScalars() as text anyway
  return typeof like === 'string' && target !== null ? text(target, false) : target
}

export function fieldValue(row: Row, field: string): Scalar {
  // A row carries its key as its `id` property.
  return row[field] ?? null
}

/** Rule 2: `orderBy`, then id. `typeOf` gives a field's type (decimals order by value). */
export function compareRows(a: Row, b: Row, keys: readonly OrderKey[], typeOf?: (field: string) => FieldType | undefined): number {
  for (const k of keys) {
    // Stryker disable next-line OptionalChaining: every caller (memory, Prisma) passes typeOf
    const c = compareScalars(fieldValue(a, k.field), fieldValue(b, k.field), typeOf?.(k.field))
    if (c !== 0) return k.descending ? -c : c
  }
  return compareScalars(a.id, b.id)
}

/** The rows related to one row through the hop of a condition. */
export type RelatedRows = (condition: Condition) => readonly Row[]

/** Rule 3: how many joined rows a non-negated filter yields for `row` (0: filtered out). */
export function joinCount(row: Row, filter: Filter, related: RelatedRows, typeOf?: TypeOf): number {
  // Stryker disable next-line OptionalChaining: every caller passes typeOf
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
    // Without related rows, Django's LEFT OUTER JOIN pairs the row with one all-NULL partner: it
    // stays when every condition accepts NULL (`isnull=True` on the key or on any other field).
    // Stryker disable next-line OptionalChaining: every caller passes typeOf
    const matching = rows.filter((t) => conditions.every((c) => matches(fieldValue(t, c.field), c, typeOf?.(c)))).length
    times *= rows.length === 0 ? Number(conditions.every((c) => matches(null, c))) : matching
  }
  return times
}

/** Rule 4: a negated filter drops the row when every condition holds on its own. */
export function isExcluded(row: Row, filter: Filter, related: RelatedRows, typeOf?: TypeOf): boolean {
  return filter.conditions.every((c) => {
    // Stryker disable next-line OptionalChaining: every caller passes typeOf
    if (!c.via) return matches(fieldValue(row, c.field), c, typeOf?.(c))
    const rows = related(c)
    // No related rows: the subquery's LEFT OUTER JOIN still gives one all-NULL row, so
    // `exclude(tags__note__isnull=True)` drops a row without tags, as `tags__isnull=True` does.
    if (rows.length === 0) return matches(null, c)
    // Stryker disable next-line OptionalChaining: every caller passes typeOf
    return rows.some((t) => matches(fieldValue(t, c.field), c, typeOf?.(c)))
  })
}

/** How many times `row` appears for all filters (rules 3 and 4). */
export function multiplicity(row: Row, filters: readonly Filter[], related: RelatedRows, typeOf?: TypeOf): number {
  let times = 1
  for (const f of filters) {
    times *= f.negated ? (isExcluded(row, f, related, typeOf) ? 0 : 1) : joinCount(row, f, related, typeOf)
  }
  return times
}
