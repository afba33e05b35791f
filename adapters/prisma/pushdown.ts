/**
 * Contract conditions -> Prisma `where` clauses that the database can run.
 *
 * A pushed clause always selects a SUPERSET of the rows the condition means,
 * and says whether it is exact. Exact clauses need no second look; the rest
 * are re-checked in JavaScript on the candidates (adapters/semantics.ts).
 * Why not exact everywhere:
 * - SQLite's LIKE (Prisma's contains/startsWith/endsWith) ignores ASCII case,
 *   and folds no other letters;
 * - MariaDB's utf8mb4_unicode_ci collation ignores case and accents in `=`,
 *   LIKE and ordering;
 * - Prisma does not escape `%` and `_` in contains/startsWith/endsWith, and
 *   PostgreSQL/MariaDB read `\` in LIKE patterns as an escape.
 * A wildcard or a folded comparison only widens a match, so the clause stays a
 * superset; a value is split at the characters the database would misread and
 * its longest safe piece is searched with `contains`.
 */
import type { Condition, FieldType, Scalar } from '../contract.js'

export type Provider = 'sqlite' | 'postgresql' | 'mysql'

/** A Prisma where clause (an object literal the generated client accepts). */
export type Where = Record<string, unknown>

export interface Pushed {
  /** undefined: no clause (every row is a candidate). */
  readonly where: Where | undefined
  readonly exact: boolean
}

const PATTERN = new Set(['contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith'])
const PRISMA_PATTERN: Readonly<Record<string, string>> = { contains: 'contains', startswith: 'startsWith', endswith: 'endsWith' }
const COMPARE: Readonly<Record<string, string>> = { gt: 'gt', gte: 'gte', lt: 'lt', lte: 'lte' }
const LIKE_SPECIAL = /[%_\\]/
/** A literal compared with text, as Python's str() writes it (True, not true). */
const text = (v: Scalar): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v))
const NON_ASCII = /[^\x00-\x7f]/

/**
 * One condition on `field` (the Prisma field name) of the rows being filtered
 * (the relation hop is the caller's). `type` is the field's type, `toPrisma`
 * turns a contract scalar into what Prisma takes for that field.
 */
export function pushCondition(
  provider: Provider,
  c: Condition,
  type: FieldType,
  field: string,
  toPrisma: (v: Scalar) => unknown,
  nullable = true
): Pushed {
  const { lookup } = c
  if (c.transform) return { where: undefined, exact: false } // year/month/day: decided on the candidates
  if (lookup === 'isnull') {
    // Prisma refuses `null` for a required field; there, IS NULL never holds (an empty `in` matches nothing).
    if (!nullable) return c.value === true ? { where: { [field]: { in: [] } }, exact: true } : { where: undefined, exact: true }
    return { where: c.value === true ? { [field]: null } : { NOT: { [field]: null } }, exact: true }
  }
  // Django drops None from `in` (NULL equals nothing); a None bound of `range` is SQL's BETWEEN NULL, left to JS.
  const list = Array.isArray(c.value) ? (c.value as Scalar[]) : []
  if (lookup === 'range' && list.includes(null)) return { where: undefined, exact: false }
  const present = list.filter((v) => v !== null)
  const isString = type === 'string'
  if (type === 'boolean') {
    // Prisma's boolean filter has only equals and not: `in` is one equals per value (Prisma reads an
    // empty OR as no condition, so an empty `in` is true AND false); comparisons are decided in JS.
    const equals = (v: Scalar) => ({ [field]: { equals: toPrisma(v) } })
    if (lookup === 'exact') return { where: equals(c.value as Scalar), exact: true }
    if (lookup === 'in')
      return { where: present.length ? { OR: present.map(equals) } : { AND: [equals(true), equals(false)] }, exact: true }
    return { where: undefined, exact: false }
  }
  if (!isString) {
    if (lookup === 'in') return { where: { [field]: { in: present.map(toPrisma) } }, exact: true }
    if (lookup === 'range') return { where: { [field]: { gte: toPrisma(list[0]!), lte: toPrisma(list[1]!) } }, exact: true }
    if (lookup === 'exact') return { where: { [field]: { equals: toPrisma(c.value as Scalar) } }, exact: true }
    if (COMPARE[lookup]) return { where: { [field]: { [COMPARE[lookup]]: toPrisma(c.value as Scalar) } }, exact: true }
    return { where: undefined, exact: false } // text lookups on numbers: decided in JS
  }
  const caseFolding = provider === 'mysql' // the collation folds case and accents everywhere
  if (lookup === 'exact') return { where: { [field]: { equals: text(c.value as Scalar) } }, exact: !caseFolding }
  if (lookup === 'in') return { where: { [field]: { in: present.map(text) } }, exact: !caseFolding }
  if (lookup === 'range') {
    const [low, high] = list.map(text) as [string, string]
    return caseFolding ? { where: undefined, exact: false } : { where: { [field]: { gte: low, lte: high } }, exact: true }
  }
  if (COMPARE[lookup]) {
    // Ordering under a folding collation is not code point order: no superset exists.
    return caseFolding
      ? { where: undefined, exact: false }
      : { where: { [field]: { [COMPARE[lookup]]: text(c.value as Scalar) } }, exact: true }
  }
  const value = text(c.value as Scalar)
  const insensitive = lookup.startsWith('i')
  if (lookup === 'iexact' || PATTERN.has(lookup)) {
    const base = insensitive ? lookup.slice(1) : lookup
    const safe = !LIKE_SPECIAL.test(value) && !(insensitive && NON_ASCII.test(value))
    if (safe && lookup !== 'iexact') {
      const op = PRISMA_PATTERN[base]!
      if (provider === 'postgresql')
        return { where: { [field]: insensitive ? { [op]: value, mode: 'insensitive' } : { [op]: value } }, exact: true }
      // SQLite LIKE folds ASCII case: exact for the i-variants of ASCII values only. A prefix is
      // also a range in the column's binary (code point) order, which is exact in one statement.
      const upper = base === 'startswith' && !insensitive ? prefixEnd(value) : undefined
      if (provider === 'sqlite' && upper !== undefined) return { where: { [field]: { gte: value, lt: upper } }, exact: true }
      if (provider === 'sqlite') return { where: { [field]: { [op]: value } }, exact: insensitive }
      return { where: { [field]: { [op]: value } }, exact: false }
    }
    if (safe && provider === 'postgresql') return { where: { [field]: { equals: value, mode: 'insensitive' } }, exact: true }
    const piece = longestPiece(value, insensitive)
    const contains = insensitive && provider === 'postgresql' ? { contains: piece, mode: 'insensitive' } : { contains: piece }
    return { where: piece ? { [field]: contains } : undefined, exact: false }
  }
  return { where: undefined, exact: false }
}

/**
 * The least text above every text that starts with `prefix`, in code point
 * order: the prefix with its last code point raised by one (surrogates
 * skipped). undefined for an empty prefix or one ending at U+10FFFF.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix]
  const last = points.pop()?.codePointAt(0)
  // A lone surrogate has no place in the column's UTF-8, and none follows U+10FFFF.
  if (last === undefined || (last >= 0xd800 && last <= 0xdfff) || last >= 0x10ffff) return undefined
  return points.join('') + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1)
}

/** The longest run of characters every provider matches literally (and, for i-lookups, folds). */
export function longestPiece(value: string, insensitive: boolean): string {
  const split = insensitive ? /[%_\\]|[^\x00-\x7f]/u : LIKE_SPECIAL
  return value.split(split).reduce((best, piece) => (piece.length > best.length ? piece : best), '')
}
