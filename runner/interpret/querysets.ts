/**
 * Django 3.2 queryset semantics over the contract: lazy evaluation, the
 * result cache, slicing marks, `get`/`first`/`last`/`exists`/`count`,
 * `values()`/`values_list()`, bulk `delete()`.
 */
import type { Condition, Filter, OrderKey, Query, Row } from '../../adapters/contract.js'
import { REPR_OUTPUT_SIZE as REPR_LIMIT } from '../present/repr.js'
import { ask, type Context } from './context.js'
import { PyException, raise, Unsupported } from './exceptions.js'
import { fromScalar } from './fields.js'
import { type LookupValue, prepare, resolveLookup } from './lookups.js'
import { deleteRows, rowValues } from './related.js'
import type { FieldValue, Instance, Mode, PyValue, QuerySet } from './values.js'

/** Django's `MAX_GET_RESULTS`. */
const MAX_GET_RESULTS = 21

export function newQuerySet(model: string, filters: readonly Filter[] = [], sticky = false): QuerySet {
  return {
    kind: 'queryset',
    model,
    filters,
    distinct: false,
    order: null,
    low: 0,
    high: undefined,
    mode: { kind: 'models' },
    sticky,
    cache: null
  }
}

/** A copy without cache; every chained call goes through here, which ends stickiness. */
export function chain(qs: QuerySet, changes: Partial<Omit<QuerySet, 'kind' | 'model' | 'cache'>> = {}): QuerySet {
  return { ...qs, sticky: false, ...changes, cache: null }
}

export function isSliced(qs: QuerySet): boolean {
  return qs.low !== 0 || qs.high !== undefined
}

/** Add one `filter(**kwargs)` / `exclude(**kwargs)` call. */
export function addFilter(ctx: Context, qs: QuerySet, negated: boolean, kwargs: readonly (readonly [string, LookupValue])[]): QuerySet {
  if (isSliced(qs)) throw raise.assertion('Cannot filter a query once a slice has been taken.')
  if (kwargs.length === 0) return chain(qs)
  const conditions = kwargs.map(([key, value]) => resolveLookup(ctx.index, ctx.display, qs.model, key, value))
  for (const c of conditions) {
    if ((c.transform || c.lookup === 'range') && !ctx.features.has('date-lookups')) {
      throw new Unsupported(`the adapter does not declare feature 'date-lookups', needed for '${c.transform ?? c.lookup}'`)
    }
  }
  const last = qs.filters[qs.filters.length - 1]
  const sameHop = (c: Condition) => c.via && last?.conditions.some((l) => l.via?.relation === c.via!.relation && l.via.side === c.via!.side)
  if (qs.sticky && negated && conditions.some(sameHop)) {
    // Django tests the exclusion on the manager's own join row; a contract filter cannot say "not" on a shared join.
    throw new Unsupported('exclude() through the relation a related manager already follows')
  }
  if (qs.sticky && !negated && last && !last.negated) {
    // A related manager's own filter and the next one share their join (Django's _next_is_sticky).
    return chain(qs, { filters: [...qs.filters.slice(0, -1), { negated: false, conditions: [...last.conditions, ...conditions] }] })
  }
  return chain(qs, { filters: [...qs.filters, { negated, conditions }] })
}

/** Django's `QuerySet.ordered`. */
export function isOrdered(ctx: Context, qs: QuerySet): boolean {
  return qs.order === null ? ctx.index.model(qs.model).ordering.length > 0 : qs.order.length > 0
}

export function orderBy(ctx: Context, qs: QuerySet, keys: readonly string[]): QuerySet {
  if (isSliced(qs)) throw raise.assertion('Cannot reorder a query once a slice has been taken.')
  const order = keys.map((key): OrderKey => {
    if (key === '?') throw raise.type('random ordering is not supported by the kit')
    const descending = key.startsWith('-')
    const name = descending ? key.slice(1) : key
    const field = ctx.index.keyAlias(qs.model, name) ?? name
    if (field !== 'id' && !ctx.index.field(qs.model, field)) {
      if (ctx.index.relationByQueryName(qs.model, field.split('__')[0]!))
        throw raise.type(`ordering across a relation ('${key}') is not supported by the kit`)
      throw raise.field(`Cannot resolve keyword '${field}' into field. Choices are: ${ctx.index.choices(qs.model)}`)
    }
    return { field, descending }
  })
  return chain(qs, { order })
}

export function reverse(ctx: Context, qs: QuerySet): QuerySet {
  const order = qs.order ?? ctx.index.model(qs.model).ordering
  return chain(qs, { order: order.map((k) => ({ field: k.field, descending: !k.descending })) })
}

/** Django's `set_limits`: marks combine with the ones already there. */
export function slice(qs: QuerySet, low: number | undefined, high: number | undefined): QuerySet {
  let newLow = qs.low
  let newHigh = qs.high
  if (high !== undefined) newHigh = newHigh !== undefined ? Math.min(newHigh, qs.low + high) : qs.low + high
  if (low !== undefined) newLow = newHigh !== undefined ? Math.min(newHigh, qs.low + low) : qs.low + low
  return chain(qs, { low: newLow, high: newHigh })
}

export function toQuery(ctx: Context, qs: QuerySet): Query {
  const base = {
    model: qs.model,
    filters: qs.filters,
    distinct: qs.distinct,
    orderBy: qs.order ?? ctx.index.model(qs.model).ordering,
    offset: qs.low
  }
  return qs.high === undefined ? base : { ...base, limit: Math.max(0, qs.high - qs.low) }
}

/** Rows as Python values, per the queryset's mode. */
export async function fetch(ctx: Context, qs: QuerySet): Promise<PyValue[]> {
  if (qs.cache) return qs.cache.slice()
  if (qs.high !== undefined && qs.high <= qs.low) return []
  const { rows } = await ask(ctx, { kind: 'select', query: toQuery(ctx, qs) }, 'rows')
  return rows.map((row) => fromRow(ctx, qs.model, qs.mode, row))
}

/** `len(qs)` / `list(qs)`: evaluate and keep the result cache, as Django does. */
export async function fill(ctx: Context, qs: QuerySet): Promise<PyValue[]> {
  if (!qs.cache) qs.cache = await fetch(ctx, qs)
  return qs.cache.slice()
}

export function fromRow(ctx: Context, model: string, mode: Mode, row: Row): PyValue {
  const value = (name: string): FieldValue => {
    if (ctx.index.keyAlias(model, name)) return row.id
    const spec = ctx.index.field(model, name)!
    return fromScalar(spec, Object.hasOwn(row, name) ? row[name]! : null, model)
  }
  switch (mode.kind) {
    case 'models':
      return instanceFromRow(ctx, model, row)
    case 'values': {
      const fields = mode.fields.length ? mode.fields : ctx.index.concreteFields(model)
      return { kind: 'dict', entries: fields.map((f) => [f, value(f)] as const) }
    }
    case 'values_list': {
      const fields = mode.fields.length ? mode.fields : ctx.index.concreteFields(model)
      if (mode.flat) return value(fields[0]!)
      return { kind: 'tuple', items: fields.map(value) }
    }
  }
}

export function instanceFromRow(ctx: Context, model: string, row: Row): Instance {
  return { kind: 'instance', model, id: row.id, values: rowValues(ctx, model, row), db: 'default', extra: new Map() }
}

/** `values(*fields)` / `values_list(*fields, flat=)`. */
export function withMode(ctx: Context, qs: QuerySet, mode: Mode): QuerySet {
  for (const f of mode.kind === 'models' ? [] : mode.fields) {
    if (ctx.index.keyAlias(qs.model, f) || ctx.index.field(qs.model, f)) continue
    if (ctx.index.relationByQueryName(qs.model, f.split('__')[0]!))
      throw raise.type(`values() across a relation ('${f}') is not supported by the kit`)
    throw raise.field(`Cannot resolve keyword '${f}' into field. Choices are: ${ctx.index.choices(qs.model)}`)
  }
  if (mode.kind === 'values_list' && mode.flat && mode.fields.length > 1) {
    throw raise.type("'flat' is not valid when values_list is called with more than one field.")
  }
  return chain(qs, { mode })
}

export async function count(ctx: Context, qs: QuerySet): Promise<number> {
  if (qs.cache) return qs.cache.length
  const { count } = await ask(ctx, { kind: 'count', query: toQuery(ctx, qs) }, 'count')
  return count
}

export async function exists(ctx: Context, qs: QuerySet): Promise<boolean> {
  if (qs.cache) return qs.cache.length > 0
  return (await fetch(ctx, slice(qs, undefined, 1))).length > 0
}

/** `qs[k]`. */
export async function item(ctx: Context, qs: QuerySet, k: number): Promise<PyValue> {
  if (k < 0) throw raise.assertion('Negative indexing is not supported.')
  if (qs.cache) {
    if (k >= qs.cache.length) throw raise.index('list index out of range')
    return qs.cache[k]!
  }
  const rows = await fetch(ctx, slice(qs, k, k + 1))
  if (rows.length === 0) throw raise.index('list index out of range')
  return rows[0]!
}

export async function get(ctx: Context, qs: QuerySet): Promise<PyValue> {
  const sliced = isSliced(qs)
  const clone = sliced ? qs : slice(chain(qs, { order: [] }), undefined, MAX_GET_RESULTS)
  const rows = await fetch(ctx, clone)
  if (rows.length === 1) return rows[0]!
  if (rows.length === 0) throw new PyException(`${qs.model}.DoesNotExist`, `${qs.model} matching query does not exist.`)
  const n = !sliced && rows.length >= MAX_GET_RESULTS ? `more than ${MAX_GET_RESULTS - 1}` : String(rows.length)
  throw new PyException(`${qs.model}.MultipleObjectsReturned`, `get() returned more than one ${qs.model} -- it returned ${n}!`)
}

export async function first(ctx: Context, qs: QuerySet): Promise<PyValue> {
  const ordered = isOrdered(ctx, qs) ? qs : orderBy(ctx, qs, ['pk'])
  const rows = await fetch(ctx, slice(ordered, undefined, 1))
  return rows[0] ?? null
}

export async function last(ctx: Context, qs: QuerySet): Promise<PyValue> {
  if (isSliced(qs)) throw raise.assertion('Cannot reverse a query once a slice has been taken.')
  const reversed = isOrdered(ctx, qs) ? reverse(ctx, qs) : orderBy(ctx, qs, ['-pk'])
  const rows = await fetch(ctx, slice(reversed, undefined, 1))
  return rows[0] ?? null
}

/** Bulk delete: Django's `(total, {label: count})` (see `deleteRows`). */
export async function deleteAll(ctx: Context, qs: QuerySet, counted = true): Promise<PyValue> {
  if (isSliced(qs)) throw raise.assertion("Cannot use 'limit' or 'offset' with delete.")
  if (qs.distinct) throw raise.type('Cannot call delete() after .distinct().')
  if (qs.mode.kind !== 'models') throw raise.type('Cannot call delete() after .values() or .values_list()')
  let result: PyValue
  if (counted) {
    const { rows } = await ask(
      ctx,
      { kind: 'select', query: toQuery(ctx, chain(qs, { order: [], distinct: true, mode: { kind: 'models' } })) },
      'rows'
    )
    result = await deleteRows(
      ctx,
      qs.model,
      rows.map((r) => r.id),
      true
    )
  } else {
    await ask(ctx, { kind: 'delete', query: toQuery(ctx, chain(qs, { order: [] })) }, 'affected')
    result = null
  }
  qs.cache = null
  return result
}

/** `none()`: a queryset that matches nothing (an empty `in`, which every adapter answers without data). */
export function none(qs: QuerySet): QuerySet {
  return chain(qs, { filters: [...qs.filters, { negated: false, conditions: [{ field: 'id', lookup: 'in', value: [] }] }] })
}

/** `update(**fields)`: each matched row once; answers how many, as Django does. */
export async function update(ctx: Context, qs: QuerySet, values: readonly (readonly [string, FieldValue])[]): Promise<number> {
  if (isSliced(qs)) throw raise.assertion('Cannot update a query once a slice has been taken.')
  for (const [field] of values) {
    if (!ctx.index.field(qs.model, field)) {
      if (ctx.index.relationByQueryName(qs.model, field))
        throw raise.field(`Cannot update model field ${qs.model}.${field} (only non-relations and foreign keys permitted).`)
      throw raise.field(`${qs.model} has no field named '${field}'`)
    }
  }
  const { rows } = await ask(
    ctx,
    { kind: 'select', query: toQuery(ctx, chain(qs, { distinct: true, order: [], mode: { kind: 'models' } })) },
    'rows'
  )
  const prepared = Object.fromEntries(values.map(([k, v]) => [k, prepare(ctx.index, ctx.display, qs.model, k, v, true)]))
  for (const row of rows) await ask(ctx, { kind: 'update', model: qs.model, id: row.id, values: prepared }, 'affected')
  qs.cache = null
  return rows.length
}

/** Repr of a queryset: at most 20 items, then Django's truncation marker. */
export async function reprItems(ctx: Context, qs: QuerySet): Promise<{ items: PyValue[]; truncated: boolean }> {
  const items = qs.cache ? qs.cache.slice(0, REPR_LIMIT + 1) : await fetch(ctx, slice(qs, undefined, REPR_LIMIT + 1))
  const truncated = items.length > REPR_LIMIT
  return { items: truncated ? items.slice(0, REPR_LIMIT) : items, truncated }
}
