/**
 * Keyword lookups (`authors__name__startswith="Ann"`) -> contract
 * conditions, with Django's value preparation and its FieldError messages.
 */
import type { Condition, Lookup, Scalar } from '../../adapters/contract.js'
import { pyRepr, pyStr, type Displays } from '../present/repr.js'
import { raise, Unsupported } from './exceptions.js'
import { SchemaIndex } from './schema-index.js'
import type { Instance, PyValue } from './values.js'

const LOOKUPS: ReadonlySet<string> = new Set<Lookup>([
  'exact', 'iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith',
  'in', 'gt', 'gte', 'lt', 'lte', 'isnull'
])
const RELATED_LOOKUPS: ReadonlySet<string> = new Set(['exact', 'in', 'gt', 'gte', 'lt', 'lte', 'isnull'])
/** Valid in Django, not implemented by the kit: an honest error, not a FieldError. */
const KNOWN_UNSUPPORTED = new Set(['range', 'regex', 'iregex', 'year', 'month', 'day', 'date', 'search'])

/** Values that `in` accepts, already listed (querysets are evaluated by the caller). */
export type LookupValue = PyValue | { readonly kind: 'values'; readonly items: readonly PyValue[] }

/** Resolve one keyword argument of `filter`/`exclude`/`get` on `model`. */
export function resolveLookup(index: SchemaIndex, display: Displays, model: string, key: string, value: LookupValue): Condition {
  const parts = key.split('__')
  const first = parts[0]!
  const rest = parts.slice(1)
  const relation = index.relationByQueryName(model, first)
  if (relation) {
    const target = relation.other
    let field = 'id'
    let lookupParts = rest
    const next = rest[0]
    if (next !== undefined && !LOOKUPS.has(next)) {
      if (index.relationByQueryName(target, next)) throw new Unsupported(`lookups that span more than one relation ('${key}')`)
      // Django resolves names as far as they go; the rest are lookups on the relation itself.
      if (next !== 'pk' && next !== 'id' && !index.field(target, next)) throw raise.field(`Related Field got invalid lookup: ${next}`)
      field = next === 'pk' ? 'id' : next
      lookupParts = rest.slice(1)
    } else if (next !== undefined && !RELATED_LOOKUPS.has(next)) {
      throw raise.field(`Related Field got invalid lookup: ${next}`)
    }
    const lookup = lookupName(lookupParts, fieldClass(index, target, field))
    const isRelatedPk = field === 'id'
    return condition({ relation: relation.relation.name, side: relation.side }, field, lookup, value, (v) =>
      isRelatedPk ? relatedValue(index, display, target, v) : prepare(index, display, target, field, v)
    )
  }
  if (first !== 'pk' && first !== 'id' && !index.field(model, first)) {
    throw raise.field(`Cannot resolve keyword '${first}' into field. Choices are: ${index.choices(model)}`)
  }
  const field = first === 'pk' ? 'id' : first
  const lookup = lookupName(rest, fieldClass(index, model, field))
  return condition(undefined, field, lookup, value, (v) => prepare(index, display, model, field, v))
}

function condition(
  via: Condition['via'],
  field: string,
  lookup: Lookup,
  value: LookupValue,
  prep: (v: PyValue) => Scalar
): Condition {
  const base = via ? { via } : {}
  if (lookup === 'isnull') return { ...base, field, lookup, value: truthy(value) }
  if (lookup === 'in') {
    const items = iterable(value)
    return { ...base, field, lookup, value: items.map(prep) }
  }
  if (value === null && (lookup === 'exact' || lookup === 'iexact')) return { ...base, field, lookup: 'isnull', value: true }
  if (value === null) throw raise.value('Cannot use None as a query value')
  if (isValues(value)) throw raise.type(`Field '${field}' expected a number but got a queryset.`)
  return { ...base, field, lookup, value: prep(value) }
}

function lookupName(parts: readonly string[], fieldClassName: string): Lookup {
  if (parts.length === 0) return 'exact'
  const name = parts[0]!
  if (parts.length === 1 && LOOKUPS.has(name)) return name as Lookup
  if (KNOWN_UNSUPPORTED.has(name)) throw new Unsupported(`the '${name}' lookup`)
  const bad = parts.length === 1 || LOOKUPS.has(name) ? parts[parts.length - 1]! : name
  throw raise.field(`Unsupported lookup '${bad}' for ${fieldClassName} or join on the field not permitted.`)
}

function fieldClass(index: SchemaIndex, model: string, field: string): string {
  if (field === 'id') return 'AutoField'
  const f = index.field(model, field)
  return f?.type === 'integer' ? 'IntegerField' : f?.type === 'boolean' ? 'BooleanField' : 'CharField'
}

/** The value of a lookup on a relation's primary key: an instance of the related model, or a pk. */
function relatedValue(index: SchemaIndex, display: Displays, target: string, v: PyValue): Scalar {
  if (v !== null && typeof v === 'object' && v.kind === 'instance') {
    // Django formats this message with str(), not repr().
    if (v.model !== target) throw raise.value(`Cannot query "${pyStr(v, display)}": Must be "${target}" instance.`)
    return v.id
  }
  return toInteger(v, 'id', display)
}

/** Django's `get_prep_value` for one field. */
export function prepare(index: SchemaIndex, display: Displays, model: string, field: string, v: PyValue): Scalar {
  if (v === null) return null
  const type = field === 'id' ? 'integer' : index.field(model, field)?.type
  if (type === 'integer') return toInteger(v, field, display)
  if (type === 'boolean') {
    if (typeof v === 'boolean') return v
    if (v === 0 || v === 1) return v === 1
    throw raise.value(`“${typeof v === 'string' ? v : pyRepr(asPresentable(v), display)}” value must be either True or False.`)
  }
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  return pyRepr(asPresentable(v), display)
}

export function toInteger(v: PyValue, field: string, display: Displays): number {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10)
  const shown = pyRepr(asPresentable(v), display)
  if (typeof v === 'string') throw raise.value(`Field '${field}' expected a number but got ${shown}.`)
  throw raise.type(`Field '${field}' expected a number but got ${shown}.`)
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
  throw raise.type(`'${v === null ? 'NoneType' : typeof v === 'number' ? 'int' : typeof v === 'string' ? 'str' : typeof v === 'boolean' ? 'bool' : v.kind}' object is not iterable`)
}

/** Best-effort presentable view for messages (instances keep their repr). */
function asPresentable(v: PyValue): import('../present/repr.js').Presentable {
  if (v === null || typeof v !== 'object') return v
  if (v.kind === 'instance') return v as Instance
  if (v.kind === 'list' || v.kind === 'tuple') return { kind: v.kind, items: v.items.map(asPresentable) }
  return { kind: 'opaque', text: `<${v.kind}>` }
}
