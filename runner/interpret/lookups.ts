/**
 * Keyword lookups (`authors__name__startswith="Ann"`, `when__year__gte=2005`)
 * -> contract conditions, with Django's value preparation and its
 * FieldError messages.
 */
import type { Condition, Hop, Lookup, Scalar, Transform } from '../../adapters/contract.js'
import { type Displays, pyStr } from '../present/repr.js'
import { raise, Unsupported } from './exceptions.js'
import { toInteger, toScalar } from './fields.js'
import type { SchemaIndex } from './schema-index.js'
import { isObject, type PyValue } from './values.js'

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
/** Valid in Django, not implemented by the kit: an honest error, not a FieldError. */
const KNOWN_UNSUPPORTED = new Set([
  'regex',
  'iregex',
  'time',
  'search',
  'week',
  'week_day',
  'iso_week_day',
  'quarter',
  'iso_year',
  'hour',
  'minute',
  'second',
  'contained_by',
  'overlap'
])

/** Values that `in` accepts, already listed (querysets are evaluated by the caller). */
export type LookupValue = PyValue | { readonly kind: 'values'; readonly items: readonly PyValue[] }

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
 * lookup. `prepValue` false keeps the value unprepared (an `F` expression).
 */
export function resolvePath(
  index: SchemaIndex,
  display: Displays,
  model: string,
  key: string,
  value: LookupValue,
  prepValue = true
): PathLookup {
  const parts = key.split('__')
  const path: Hop[] = []
  let current = model
  let i = 0
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
      if (parts.length > i + 2) throw raise.field(`Related Field got invalid lookup: ${parts[i + 2]}`)
      const lookup = next as Lookup
      if (!prepValue) return { path, model: current, condition: { field: 'id', lookup, value: null } }
      return {
        path,
        model: current,
        condition: condition(undefined, 'id', undefined, lookup, value, (v) => relatedValue(index, display, current, v))
      }
    }
    const alias = index.keyAlias(current, next)
    if (!alias && !index.field(current, next)) throw raise.field(`Related Field got invalid lookup: ${next}`)
    i += 2
    const field = alias ?? next
    return { path, model: current, condition: fieldCondition(index, display, current, field, parts.slice(i), value, undefined, prepValue) }
  }
  if (path.length) {
    // The name ends on a relation: its primary key, exact.
    if (!prepValue) return { path, model: current, condition: { field: 'id', lookup: 'exact', value: null } }
    return {
      path,
      model: current,
      condition: condition(undefined, 'id', undefined, 'exact', value, (v) => relatedValue(index, display, current, v))
    }
  }
  const first = parts[0]!
  const field = index.keyAlias(model, first) ?? (index.field(model, first) ? first : undefined)
  if (field === undefined) throw raise.field(`Cannot resolve keyword '${first}' into field. Choices are: ${index.choices(model)}`)
  return { path, model, condition: fieldCondition(index, display, model, field, parts.slice(1), value, undefined, prepValue) }
}

/** `field[__transform][__lookup]` on `model`'s own field (or the key, `id`). */
function fieldCondition(
  index: SchemaIndex,
  display: Displays,
  model: string,
  field: string,
  parts: readonly string[],
  value: LookupValue,
  via: Condition['via'],
  prepValue = true
): Condition {
  const spec = index.spec(model, field)!
  const cls = index.models.classes.get(`${model}.${field}`) ?? 'Field'
  let transform: Transform | undefined
  let rest = parts
  if (rest[0] !== undefined && TRANSFORMS.has(rest[0])) {
    const allowed = spec.type === 'datetime' || (spec.type === 'date' && rest[0] !== 'date')
    if (!allowed) throw raise.field(`Unsupported lookup '${rest[0]}' for ${cls} or join on the field not permitted.`)
    transform = rest[0] as Transform
    rest = rest.slice(1)
    if (rest[0] !== undefined && !TRANSFORM_LOOKUPS.has(rest[0])) {
      if (KNOWN_UNSUPPORTED.has(rest[0])) throw new Unsupported(`the '${rest[0]}' lookup`)
      throw raise.field(
        `Unsupported lookup '${rest[0]}' for ${transform === 'date' ? 'DateField' : 'IntegerField'} or join on the field not permitted.`
      )
    }
  }
  const lookup = lookupName(rest, cls)
  if (!prepValue) return { ...(via ? { via } : {}), field, ...(transform ? { transform } : {}), lookup, value: null }
  const prep =
    transform === 'date'
      ? (v: PyValue) => toScalar({ name: field, type: 'date' }, v, display)
      : transform
        ? (v: PyValue) => toInteger(v, field, display)
        : (v: PyValue) => toScalar(spec, v, display)
  return condition(via, field, transform, lookup, value, prep)
}

function condition(
  via: Condition['via'],
  field: string,
  transform: Transform | undefined,
  lookup: Lookup,
  value: LookupValue,
  prep: (v: PyValue) => Scalar
): Condition {
  const base = { ...(via ? { via } : {}), field, ...(transform ? { transform } : {}) }
  if (lookup === 'isnull') return { ...base, lookup, value: truthy(value) }
  if (lookup === 'in') return { ...base, lookup, value: iterable(value).map(prep) }
  if (lookup === 'range') {
    const items = iterable(value)
    if (items.length !== 2) throw raise.value(`not enough values to unpack (expected 2, got ${items.length})`)
    return { ...base, lookup, value: items.map(prep) }
  }
  if (value === null && (lookup === 'exact' || lookup === 'iexact')) return { ...base, lookup: 'isnull', value: true }
  if (value === null) throw raise.value('Cannot use None as a query value')
  if (isValues(value)) throw raise.type(`Field '${field}' expected a number but got a queryset.`)
  return { ...base, lookup, value: prep(value) }
}

function lookupName(parts: readonly string[], fieldClassName: string): Lookup {
  if (parts.length === 0) return 'exact'
  const name = parts[0]!
  if (parts.length === 1 && LOOKUPS.has(name)) return name as Lookup
  if (KNOWN_UNSUPPORTED.has(name)) throw new Unsupported(`the '${name}' lookup`)
  const bad = parts.length === 1 || LOOKUPS.has(name) ? parts[parts.length - 1]! : name
  throw raise.field(`Unsupported lookup '${bad}' for ${fieldClassName} or join on the field not permitted.`)
}

/** The value of a lookup on a relation's primary key: an instance of the related model, or a key. */
function relatedValue(index: SchemaIndex, display: Displays, target: string, v: PyValue): Scalar {
  if (isObject(v) && v.kind === 'instance') {
    // Django formats this message with str(), not repr().
    if (v.model !== target) throw raise.value(`Cannot query "${pyStr(v, display)}": Must be "${target}" instance.`)
    return v.id
  }
  return toScalar(index.spec(target, 'id')!, v, display)
}

/** Django's `get_prep_value` for one field, as a contract scalar (saving when `forSave`). */
export function prepare(index: SchemaIndex, display: Displays, model: string, field: string, v: PyValue, forSave = false): Scalar {
  return toScalar(index.spec(model, field)!, v, display, forSave)
}

function truthy(v: LookupValue): boolean {
  if (v === null || v === false || v === 0 || v === '') return false
  if (typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple')) return v.items.length > 0
  return true
}

function isValues(v: LookupValue): v is { readonly kind: 'values'; readonly items: readonly PyValue[] } {
  return v !== null && typeof v === 'object' && v.kind === 'values'
}

function iterable(v: LookupValue): readonly PyValue[] {
  if (v !== null && typeof v === 'object' && (v.kind === 'list' || v.kind === 'tuple' || v.kind === 'values')) return v.items
  if (typeof v === 'string') return [...v] // Python iterates a string's characters
  throw raise.type(
    `'${v === null ? 'NoneType' : typeof v === 'number' ? 'int' : typeof v === 'string' ? 'str' : typeof v === 'boolean' ? 'bool' : v.kind}' object is not iterable`
  )
}
