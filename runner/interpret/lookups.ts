/**
 * Keyword lookups (`authors__name__startswith="Ann"`, `when__year__gte=2005`)
 * -> contract conditions, with Django's value preparation and its
 * FieldError messages.
 */
import type { Condition, Hop, Lookup, Scalar, Transform } from '../../adapters/contract.js'
import { type Displays, pyStr } from '../present/repr.js'
import { PyException, raise, Unsupported } from './exceptions.js'
import { toInteger, toScalar } from './fields.js'
import type { SchemaIndex } from './schema-index.js'
import { type Instance, type PyValue, typeName } from './values.js'

const LOOKUPS: ReadonlySet<string> = new Set<Lookup>([
  'exact',
  'iexact',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'isnull',
  'range'
])
const RELATED_LOOKUPS: ReadonlySet<string> = new Set(['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'isnull'])
const TRANSFORMS: ReadonlySet<string> = new Set<Transform>(['year', 'month', 'day', 'date'])
/** Lookups a transform's integer accepts. */
const TRANSFORM_LOOKUPS: ReadonlySet<string> = new Set(['exact', 'gt', 'gte', 'lt', 'lte', 'in', 'range', 'isnull'])
/** Django 3.2's lookups and transforms of a field class (`get_lookups()`, without contrib.postgres). */
const BASE_LOOKUPS = [...LOOKUPS, 'regex', 'iregex']
const DATE_PARTS = ['year', 'month', 'day', 'week_day', 'iso_week_day', 'week', 'iso_year', 'quarter']
const TIME_PARTS = ['hour', 'minute', 'second']
function djangoTransforms(cls: string): readonly string[] {
  if (cls === 'DateField') return DATE_PARTS
  if (cls === 'DateTimeField') return [...DATE_PARTS, 'date', 'time', ...TIME_PARTS]
  // Stryker disable next-line ArrayDeclaration: no lookup is named 'Stryker was here' (not an identifier)
  return cls === 'TimeField' ? TIME_PARTS : []
}

/** Values that `in` accepts, already listed (querysets are evaluated by the caller). */
export type LookupValue = PyValue | Subquery

/**
 * A queryset given as a lookup's value, evaluated: its rows, or the column
 * its subquery selects (querysets.subquery()), with what Django reads of the
 * query itself: the model of a model queryset, and whether it is sliced to
 * one row (`has_limit_one()`).
 */
export interface Subquery {
  readonly kind: 'values'
  readonly items: readonly PyValue[]
  readonly model?: string
  readonly limitOne?: boolean
}

/** A lookup resolved along its relations: the hops from `model`, and the condition on the last model reached. */
export interface PathLookup {
  readonly path: readonly Hop[]
  /** The model the condition's field belongs to. */
  readonly model: string
  readonly condition: Omit<Condition, 'via'>
}

/**
 * Resolve `a__b__field__lookup` through any number of relations, as Django
 * does: names resolve as far as they go, the rest are a transform and a
 * lookup. `prepValue` false keeps the value unprepared (an `F` expression);
 * `annotations` are the query's selected ones, which an unknown first name's
 * message lists.
 */
export function resolvePath(
  index: SchemaIndex,
  display: Displays,
  model: string,
  key: string,
  value: LookupValue,
  prepValue: boolean,
  // Stryker disable next-line ArrayDeclaration: the callers that omit it (compile.ts's references) pass names whose first part they found already
  annotations: readonly string[] = []
): PathLookup {
  const parts = key.split('__')
  const path: Hop[] = []
  let current = model
  let i = 0
  // Stryker disable next-line EqualityOperator: parts[parts.length] is undefined, which names no relation and ends the loop the same
  for (; i < parts.length; i++) {
    const end = index.relationByQueryName(current, parts[i]!)
    if (!end) break
    path.push({ relation: end.relation.name, side: end.side })
    current = end.other
    const next = parts[i + 1]
    if (next === undefined || index.relationByQueryName(current, next)) continue
    // Django resolves names as far as they go; the rest are lookups on the relation itself.
    if (LOOKUPS.has(next) && !index.field(current, next) && !index.keyAlias(current, next)) {
      if (!RELATED_LOOKUPS.has(next)) throw raise.field(`Related Field got invalid lookup: ${next}`)
      // Django reads `next` as a transform when more names follow, and a relation has none.
      if (parts.length > i + 2) throw raise.field(`Related Field got invalid lookup: ${next}`)
      const lookup = next as Lookup
      if (!prepValue) return { path, model: current, condition: { field: 'id', lookup, value: null } }
      return { path, model: current, condition: innerIsNull(relatedCondition(index, display, current, lookup, value), normalized(value)) }
    }
    const alias = index.keyAlias(current, next)
    if (!alias && !index.field(current, next)) throw raise.field(`Related Field got invalid lookup: ${next}`)
    const field = alias ?? next
    const c = fieldCondition(index, display, current, field, parts.slice(i + 2), value, prepValue)
    return { path, model: current, condition: prepValue ? innerIsNull(c, value) : c }
  }
  if (path.length) {
    // The name ends on a relation: its primary key, exact.
    if (!prepValue) return { path, model: current, condition: { field: 'id', lookup: 'exact', value: null } }
    return { path, model: current, condition: relatedCondition(index, display, current, 'exact', value) }
  }
  const first = parts[0]!
  const field = index.keyAlias(model, first) ?? (index.field(model, first) ? first : undefined)
  if (field === undefined) throw cannotResolve(index, model, first, annotations)
  return { path, model, condition: fieldCondition(index, display, model, field, parts.slice(1), value, prepValue) }
}

/** `field[__transform][__lookup]` on `model`'s own field (or the key, `id`). */
function fieldCondition(
  index: SchemaIndex,
  display: Displays,
  model: string,
  field: string,
  parts: readonly string[],
  value: LookupValue,
  prepValue: boolean
): Condition {
  const spec = index.spec(model, field)!
  // Every field of the schema, the key included, has its class.
  const cls = index.models.classes.get(`${model}.${field}`)!
  let transform: Transform | undefined
  let rest = parts
  // Stryker disable next-line ConditionalExpression: no name of TRANSFORMS is undefined
  if (rest[0] !== undefined && TRANSFORMS.has(rest[0])) {
    const allowed = spec.type === 'datetime' || (spec.type === 'date' && rest[0] !== 'date')
    if (!allowed) throw raise.field(unsupportedLookup(rest[0], cls))
    transform = rest[0] as Transform
    rest = rest.slice(1)
  }
  // After a transform, the names that follow apply to its output field.
  const lookup = transform
    ? lookupName(rest, transform === 'date' ? 'DateField' : 'IntegerField', TRANSFORM_LOOKUPS)
    : lookupName(rest, cls, LOOKUPS)
  if (!prepValue) return { field, ...(transform ? { transform } : {}), lookup, value: null }
  const prep =
    transform === 'date'
      ? (v: PyValue) => toScalar({ name: field, type: 'date' }, v, display)
      : transform
        ? (v: PyValue) => toInteger(v, field, display)
        : (v: PyValue) => toScalar(spec, v, display)
  const rounds = !transform && spec.type === 'integer' && (lookup === 'gte' || lookup === 'lt')
  return condition(field, transform, lookup, value, rounds ? (v) => roundedUp(v) ?? prep(v) : prep)
}

/**
 * A lookup on a relation's key. Django checks the model of an instance given
 * (or of each item given), then normalizes the value (`get_normalized_value`,
 * each item's for `in`): an instance stands for its key, a tuple for its first
 * item (the key's columns); then the key field prepares it, but for `isnull`.
 */
function relatedCondition(index: SchemaIndex, display: Displays, target: string, lookup: Lookup, value: LookupValue): Condition {
  const items = isObj(value) && (value.kind === 'list' || value.kind === 'tuple') ? value.items : [value]
  for (const v of items) {
    // Django formats this message with str(), not repr().
    if (isObj(v) && v.kind === 'instance' && v.model !== target)
      throw raise.value(`Cannot query "${pyStr(v, display)}": Must be "${target}" instance.`)
  }
  if (isValues(value)) {
    // A model queryset must be of the relation's model (Django's check_related_objects); its rows stand for their keys.
    const other = value.model ?? (value.items.find((v) => isObj(v) && v.kind === 'instance') as Instance | undefined)?.model
    if (other !== undefined && other !== target) throw raise.value(`Cannot use QuerySet for "${other}": Use a QuerySet for "${target}".`)
  }
  const prep = (v: PyValue) => toScalar(index.spec(target, 'id')!, v, display)
  if (lookup === 'in') return condition('id', undefined, lookup, value, (v) => prep(normalized(v)))
  return condition('id', undefined, lookup, normalized(value), prep)
}

/**
 * Django joins a relation with a left outer join for `isnull=True` only: any
 * other true value (`1`, `'yes'`) keeps the inner join, which pairs no row
 * with NULL. On the relation's key, nothing matches then.
 */
function innerIsNull(c: Condition, given: LookupValue): Condition {
  if (c.lookup !== 'isnull' || c.value !== true || given === true) return c
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document reaches it
  if (c.field !== 'id') throw new Unsupported('isnull with a true value other than True on a field across a relation (an inner join)')
  return { ...c, lookup: 'in', value: [] }
}

function normalized<T extends LookupValue>(v: T): T | PyValue {
  if (!isObj(v)) return v
  if (v.kind === 'instance') return v.id
  if (v.kind !== 'tuple') return v
  if (v.items.length === 0) throw raise.index('tuple index out of range')
  return v.items[0]!
}

function condition(
  field: string,
  transform: Transform | undefined,
  lookup: Lookup,
  value: LookupValue,
  prep: (v: PyValue) => Scalar
): Condition {
  const base = { field, ...(transform ? { transform } : {}) }
  // None is refused after the lookup is built: `in` and `range` fail first, iterating it.
  if (lookup === 'isnull' && value !== null) return { ...base, lookup, value: truthy(value) }
  if (lookup === 'in' || lookup === 'range') return { ...base, lookup, value: lookupItems(lookup, value).map(prep) }
  if (value === null && (lookup === 'exact' || lookup === 'iexact')) return { ...base, lookup: 'isnull', value: true }
  if (value === null) throw raise.value('Cannot use None as a query value')
  // Django tests for None after preparing the value too: a nullable BooleanField reads '' as None.
  const prepared = prep(isValues(value) ? subqueryValue(lookup, value) : value)
  if (prepared === null && (lookup === 'exact' || lookup === 'iexact')) return { ...base, lookup: 'isnull', value: true }
  if (prepared === null) throw raise.value('Cannot use None as a query value')
  return { ...base, lookup, value: prepared }
}

/** The values of an `in` or `range` lookup, read as Django reads them. */
export function lookupItems(lookup: 'in' | 'range', value: LookupValue): readonly PyValue[] {
  if (isValues(value)) {
    // Django keeps a queryset given to range as a subquery and writes broken SQL, a database error that differs per database.
    // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document gives range a queryset
    if (lookup === 'range') throw new Unsupported('a queryset as the value of range (the database rejects it)')
    return subqueryItems(value.items)
  }
  const items = iterable(value)
  if (lookup === 'in') return items
  // Django makes the values a tuple and reads two: none fails the unpacking, one the indexing of the second.
  if (items.length === 0) throw raise.value('not enough values to unpack (expected 2, got 0)')
  if (items.length === 1) throw raise.index('tuple index out of range')
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document gives range more than two values
  if (items.length > 2) throw new Unsupported(`a range of ${items.length} values (the database rejects it)`)
  return items
}

/**
 * The lookup of `parts` on a field of class `cls`, when the kit implements it.
 * Django reads every name but the last as a transform, and the last as a
 * lookup (or else a transform): the first name that fails is the error's.
 */
function lookupName(parts: readonly string[], cls: string, implemented: ReadonlySet<string>): Lookup {
  if (parts.length === 0) return 'exact'
  const name = parts[0]!
  if (parts.length === 1 && implemented.has(name)) return name as Lookup
  // Stryker disable next-line ConditionalExpression,LogicalOperator: made false, the test only turns the kit's Unsupported for a name Django knows into a FieldError, which no passing document holds
  const valid = djangoTransforms(cls).includes(name) || (parts.length === 1 && BASE_LOOKUPS.includes(name))
  // Stryker disable next-line ConditionalExpression,StringLiteral: see the line above
  if (valid) throw new Unsupported(`the '${name}' lookup`)
  throw raise.field(unsupportedLookup(name, cls))
}

/** Django's message for a name that is neither a lookup nor a transform of `cls`, with its difflib suggestions. */
function unsupportedLookup(name: string, cls: string): string {
  const close = closeMatches(name, [...BASE_LOOKUPS, ...djangoTransforms(cls)])
  const suggestion = close.length ? `, perhaps you meant ${close.join(' or ')}?` : '.'
  return `Unsupported lookup '${name}' for ${cls} or join on the field not permitted${suggestion}`
}

/** Python's `difflib.get_close_matches(word, possibilities)`: n=3, cutoff=0.6, best first, ties by name descending. */
function closeMatches(word: string, possibilities: readonly string[]): string[] {
  const scored = possibilities.map((x) => ({ x, score: (2 * matching(x, word)) / (x.length + word.length) })).filter((m) => m.score >= 0.6)
  // Stryker disable next-line EqualityOperator: the names are distinct, so p.x never equals q.x
  scored.sort((p, q) => q.score - p.score || (p.x < q.x ? 1 : -1))
  return scored.slice(0, 3).map((m) => m.x)
}

/** The characters `SequenceMatcher(None, a, b)` matches: the longest block (earliest in `a`, then in `b`), then both sides of it. */
function matching(a: string, b: string): number {
  let best = { i: 0, j: 0, k: 0 }
  // Stryker disable next-line EqualityOperator: at i = a.length the block below is empty (k stays 0)
  for (let i = 0; i < a.length; i++) {
    // Stryker disable next-line EqualityOperator: b[b.length] is undefined, which no a[i] equals (k stays 0)
    for (let j = 0; j < b.length; j++) {
      let k = 0
      // Out of range, a[] is undefined and ends the block: `b` needs no bound of its own.
      while (i + k < a.length && a[i + k] === b[j + k]) k++
      if (k > best.k) best = { i, j, k }
    }
  }
  if (best.k === 0) return 0
  return best.k + matching(a.slice(0, best.i), b.slice(0, best.j)) + matching(a.slice(best.i + best.k), b.slice(best.j + best.k))
}

/** Django's FieldError for a name that is no field, relation or selected annotation of `model`. */
export function cannotResolve(index: SchemaIndex, model: string, name: string, annotations: readonly string[] = []): PyException {
  return raise.field(`Cannot resolve keyword '${name}' into field. Choices are: ${index.choices(model, annotations)}`)
}

/**
 * Django's `IntegerFieldFloatRounding`: `gte` and `lt` on an integer field
 * round a float up with `math.ceil()` (`x >= 1.5` is `x >= 2`) before the
 * field's `int()` would cut it. Undefined for a value that is no float.
 */
export function roundedUp(v: PyValue): number | undefined {
  if (!isObj(v) || v.kind !== 'float') return undefined
  if (Number.isNaN(v.value)) throw raise.value('cannot convert float NaN to integer')
  if (!Number.isFinite(v.value)) throw new PyException('OverflowError', 'cannot convert float infinity to integer')
  return Math.ceil(v.value)
}

/** Django's `get_prep_value` for one field, as a contract scalar (saving when `forSave`). */
export function prepare(index: SchemaIndex, display: Displays, model: string, field: string, v: PyValue, forSave: boolean): Scalar {
  return toScalar(index.spec(model, field)!, v, display, forSave)
}

/** Python's truth of an `isnull` value. */
export function truthy(v: LookupValue): boolean {
  if (v === null || v === false || v === 0 || v === '') return false
  // Stryker disable next-line ConditionalExpression: a non-object has no kind, and the switch's default answers true too
  if (typeof v !== 'object') return true
  switch (v.kind) {
    // A queryset stays a query, which is true whatever its rows (the default below).
    case 'list':
    case 'tuple':
      return v.items.length > 0
    case 'dict':
      return v.entries.length > 0
    case 'float':
      return v.value !== 0
    case 'decimal':
      return Number(v.text) !== 0
    default:
      return true
  }
}

/**
 * The one value of a queryset compared with `lookup` (not `in`): Django
 * compares with its subquery, which an exact lookup wants sliced to one row.
 */
export function subqueryValue(lookup: string, value: Subquery): PyValue {
  const comparison = ['exact', 'gt', 'gte', 'lt', 'lte'].includes(lookup)
  if (!value.limitOne) {
    // Stryker disable next-line ConditionalExpression: every other lookup is Unsupported below, so a ValueError for it shows nowhere
    if (lookup === 'exact') throw raise.value('The QuerySet value for an exact lookup must be limited to one result using slicing.')
    // Compared with many rows, the databases differ (SQLite reads the first, PostgreSQL fails).
    // Stryker disable next-line StringLiteral: an Unsupported case errors whatever its message, so no passing document shows it
    throw new Unsupported(`a queryset of more than one row as the value of '${lookup}'`)
  }
  // No row is NULL, which compares as nothing (not even negated); the kit's conditions cannot say so.
  const [first] = subqueryItems(value.items)
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: weakened, the test only lets through values the kit refuses as Unsupported, which no passing document holds
  if (!comparison || first === undefined || first === null) throw new Unsupported(`this queryset as the value of '${lookup}'`)
  return first
}

/**
 * The rows of a queryset given to `in` (evaluated by the caller): Django
 * compares with a subquery, which selects a model queryset's primary key, or
 * the one column of a `values()`/`values_list()` queryset. querysets.subquery()
 * gives the keys already, and refuses more than one column.
 */
function subqueryItems(items: readonly PyValue[]): PyValue[] {
  return items.map((v) => {
    if (!isObj(v) || (v.kind !== 'dict' && v.kind !== 'tuple')) return v
    return v.kind === 'dict' ? v.entries[0]![1] : v.items[0]!
  })
}

const isObj = (v: LookupValue): v is Exclude<LookupValue, null | boolean | number | string> => v !== null && typeof v === 'object'

export function isValues(v: LookupValue): v is Subquery {
  return isObj(v) && v.kind === 'values'
}

function iterable(v: LookupValue): readonly PyValue[] {
  // A queryset is read before this (lookupItems()).
  if (isObj(v) && (v.kind === 'list' || v.kind === 'tuple')) return v.items
  if (typeof v === 'string') return [...v] // Python iterates a string's characters
  throw raise.type(`'${typeName(v as PyValue)}' object is not iterable`)
}
