/**
 * The wider QuerySet API on top of `querysets.ts`: `annotate`, `aggregate`,
 * `in_bulk`, `latest`/`earliest`, `dates`, `prefetch_related`, with Django
 * 3.2's argument checks and messages.
 */
import type { Hop, Key } from '../../adapters/contract.js'
import type { Context } from './context.js'
import { raise, Unsupported } from './exceptions.js'
import { containsAggregate, defaultAlias } from './expressions.js'
import * as qs from './querysets.js'
import { type Instance, isObject, type PyExpression, type PyValue, type QuerySet, typeName } from './values.js'

type Kwargs = readonly (readonly [string, PyValue])[]

function expressionOf(v: PyValue, what: string): PyExpression {
  if (isObject(v) && v.kind === 'expression') return v.expr
  throw raise.type(`${what} must be an expression, not ${typeName(v)}`)
}

/** Named expressions of `annotate()`/`aggregate()`: positional ones by their default alias. */
function named(args: readonly PyValue[], kwargs: Kwargs, positionalFirst: boolean): [string, PyExpression][] {
  const positional = args.map((a): [string, PyExpression] => {
    const e = expressionOf(a, 'Complex annotations')
    const alias = defaultAlias(e)
    if (!alias) throw raise.type('Complex annotations require an alias')
    return [alias, e]
  })
  const keyword = kwargs.map(([k, v]): [string, PyExpression] => [k, expressionOf(v, k)])
  // aggregate() puts positional aggregates into its kwargs dict after the named ones.
  return positionalFirst ? [...positional, ...keyword] : [...keyword, ...positional]
}

export function annotate(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): QuerySet {
  const items = named(args, kwargs, true)
  const known = new Map(q.annotations.map((a) => [a.name, a.aggregate]))
  const steps = [...q.steps]
  const annotations = [...q.annotations]
  for (const [name, expr] of items) {
    const values = q.mode.kind === 'values' || q.mode.kind === 'values_list' ? q.mode.fields : undefined
    const taken = values
      ? values.includes(name)
      : ctx.index.field(q.model, name) || ctx.index.keyAlias(q.model, name) || ctx.index.relationByQueryName(q.model, name)
    if (taken) throw raise.value(`The annotation '${name}' conflicts with a field on the model.`)
    const aggregate = containsAggregate(expr, known)
    known.set(name, aggregate)
    steps.push({ kind: 'annotate', name, expr })
    annotations.push({ name, aggregate })
  }
  return qs.chain(q, { steps, annotations, wide: true })
}

export async function aggregate(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): Promise<PyValue> {
  const items = named(args, kwargs, false)
  for (const [, e] of items)
    if (!containsAggregate(e, new Map())) throw raise.type(`${typeName({ kind: 'expression', expr: e })} is not an aggregate expression`)
  const overAnnotations = items.some(([, e]) => e.kind === 'aggregate' && q.annotations.some((a) => a.name === e.name && a.aggregate))
  if (overAnnotations || qs.isSliced(q) || q.distinct) return aggregateInRunner(ctx, q, items)
  const base = qs.chain(q, { order: [], orderNames: null, mode: { kind: 'models' } })
  const { rows } = await qs.runCompiled(ctx, base, { kind: 'aggregate', items })
  const row = rows[0] ?? items.map(() => null)
  return { kind: 'dict', entries: items.map(([name], i) => [name, row[i]!] as const) }
}

/**
 * Aggregates over an annotated, sliced or distinct queryset: Django wraps it
 * in a subquery; the kit reads the rows and aggregates them itself.
 */
async function aggregateInRunner(ctx: Context, q: QuerySet, items: readonly (readonly [string, PyExpression])[]): Promise<PyValue> {
  const entries: (readonly [PyValue, PyValue])[] = []
  for (const [name, e] of items) {
    if (e.kind !== 'aggregate' || e.filter) throw new Unsupported('this aggregate over an annotated, sliced or distinct queryset')
    const column = await qs.fetch(ctx, qs.chain(q, { mode: { kind: 'values_list', fields: [e.name], flat: true } }))
    let values = column.filter((v) => v !== null)
    if (e.distinct) values = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()]
    const numbers = values.map((v) => (typeof v === 'number' ? v : isObject(v) && v.kind === 'float' ? v.value : Number.NaN))
    let result: PyValue = null
    if (e.fn === 'count') result = values.length
    else if (values.length && numbers.every((n) => !Number.isNaN(n))) {
      if (e.fn === 'sum') result = numbers.reduce((a, b) => a + b, 0)
      else if (e.fn === 'avg') result = { kind: 'float', value: numbers.reduce((a, b) => a + b, 0) / numbers.length }
      else result = (e.fn === 'min' ? Math.min : Math.max)(...numbers)
    } else if (values.length) throw new Unsupported(`${e.fn} over non-numeric annotations`)
    entries.push([name, result])
  }
  return { kind: 'dict', entries }
}

/** `in_bulk(id_list=None, *, field_name='pk')`. */
export async function inBulk(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): Promise<PyValue> {
  if (qs.isSliced(q)) throw raise.assertion("Cannot use 'limit' or 'offset' with in_bulk")
  const ids = args[0] ?? kwargs.find(([k]) => k === 'id_list')?.[1] ?? null
  const fieldName = kwargs.find(([k]) => k === 'field_name')?.[1] ?? 'pk'
  if (typeof fieldName !== 'string') throw raise.type('field_name must be a string')
  const key = ctx.index.keyAlias(q.model, fieldName)
  const field = key ?? fieldName
  if (!key && !ctx.index.field(q.model, field)?.unique) {
    throw raise.value(`in_bulk()'s field_name must be a unique field but '${fieldName}' isn't.`)
  }
  let base = q
  if (ids !== null) {
    const list = isObject(ids) && (ids.kind === 'list' || ids.kind === 'tuple') ? ids.items : undefined
    if (!list) throw new Unsupported(`in_bulk() of a ${typeName(ids)}`)
    if (list.length === 0) return { kind: 'dict', entries: [] }
    base = qs.orderBy(ctx, qs.addFilter(ctx, q, false, [[`${field === 'id' ? 'pk' : field}__in`, ids]]), [])
  }
  const entries: (readonly [PyValue, PyValue])[] = []
  for (const item of await qs.fetch(ctx, base)) {
    if (!isObject(item) || item.kind !== 'instance') throw raise.type('in_bulk() cannot be used with values() or values_list()')
    const k = field === 'id' ? item.id : item.values[field]!
    const i = entries.findIndex(([x]) => JSON.stringify(x) === JSON.stringify(k))
    if (i >= 0) entries[i] = [k, item]
    else entries.push([k, item])
  }
  return { kind: 'dict', entries }
}

/** `latest(*fields)` / `earliest(*fields)`: the first row of that ordering, or DoesNotExist. */
export async function latest(ctx: Context, q: QuerySet, fields: readonly string[], isLatest: boolean): Promise<PyValue> {
  if (fields.length === 0) {
    throw raise.value(`earliest() and latest() require either fields as positional arguments or 'get_latest_by' in the model's Meta.`)
  }
  if (qs.isSliced(q)) throw raise.type(`Cannot change a query once a slice has been taken.`)
  const order = isLatest ? fields.map((f) => (f.startsWith('-') ? f.slice(1) : '-' + f)) : fields
  return qs.get(ctx, qs.slice(qs.orderBy(ctx, qs.chain(q, { order: [], orderNames: null }), order), undefined, 1))
}

/** `dates(field_name, kind, order='ASC')`. */
export function datesOf(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): QuerySet {
  const all = [...args]
  const byName = new Map(kwargs)
  const field = all[0] ?? byName.get('field_name')
  const kind = all[1] ?? byName.get('kind')
  const order = all[2] ?? byName.get('order') ?? 'ASC'
  if (typeof field !== 'string') throw raise.type("dates() missing 1 required positional argument: 'field_name'")
  if (kind !== 'year' && kind !== 'month' && kind !== 'week' && kind !== 'day')
    throw raise.assertion("'kind' must be one of 'year', 'month', 'week', or 'day'.")
  if (order !== 'ASC' && order !== 'DESC') throw raise.assertion("'order' must be either 'ASC' or 'DESC'.")
  const spec = ctx.index.field(q.model, field)
  if (!spec) throw raise.field(`Cannot resolve keyword '${field}' into field. Choices are: ${ctx.index.choices(q.model)}`)
  if (spec.type !== 'date' && spec.type !== 'datetime') throw new Unsupported(`dates() on a ${spec.type} field`)
  return qs.chain(q, { mode: { kind: 'dates', field, unit: kind, descending: order === 'DESC' } })
}

/** `prefetch_related(*lookups)`; `prefetch_related(None)` clears them. */
export function prefetchRelated(_ctx: Context, q: QuerySet, args: readonly PyValue[]): QuerySet {
  if (args.length === 1 && args[0] === null) return qs.chain(q, { prefetch: [] })
  const lookups = args.map((a) => {
    if (typeof a === 'string') return { kind: 'prefetch' as const, lookup: a, queryset: null, toAttr: null }
    if (isObject(a) && a.kind === 'prefetch') return a
    throw raise.type(`'${typeName(a)}' object is not a valid prefetch lookup`)
  })
  return qs.chain(q, { prefetch: [...q.prefetch, ...lookups] })
}

/** Django's `prefetch_related_objects`: fill each instance's caches, one query per level. */
export async function prefetch(ctx: Context, q: QuerySet, instances: readonly PyValue[]): Promise<void> {
  const roots = instances.filter((i): i is Instance => isObject(i) && i.kind === 'instance')
  if (roots.length === 0 || q.prefetch.length === 0) return
  const done = new Set<string>()
  for (const p of q.prefetch) {
    const parts = p.lookup.split('__')
    let level: Instance[] = roots
    let model = q.model
    for (const [depth, part] of parts.entries()) {
      const prefix = parts.slice(0, depth + 1).join('__')
      const last = depth === parts.length - 1
      const toAttr = last ? p.toAttr : null
      const queryset = last ? p.queryset : null
      const end = ctx.index.relationByAttribute(model, part)
      if (!end) {
        // Through an earlier `to_attr` list, or a name that is no relation.
        const first = level[0]
        if (first?.extra.has(part)) {
          const next: Instance[] = []
          for (const i of level) {
            const v = i.extra.get(part) ?? null
            if (isObject(v) && v.kind === 'list') for (const x of v.items) if (isObject(x) && x.kind === 'instance') next.push(x)
          }
          level = next
          model = next[0]?.model ?? model
          continue
        }
        if (ctx.index.field(model, part) || ctx.index.keyAlias(model, part)) {
          throw raise.value(
            `'${prefix}' does not resolve to an item that supports prefetching - this is an invalid parameter to prefetch_related().`
          )
        }
        throw raise.attribute(`Cannot find '${part}' on ${model} object, '${prefix}' is an invalid parameter to prefetch_related()`)
      }
      if (toAttr && (ctx.index.field(model, toAttr) || ctx.index.relationByAttribute(model, toAttr)))
        throw raise.value(`to_attr=${toAttr} conflicts with a field on the ${model} model.`)
      const key = `${prefix}|${toAttr ?? ''}`
      const already = done.has(key)
      done.add(key)
      const attribute = toAttr ?? part
      if (!already || toAttr) {
        const owners = [...new Map(level.filter((i) => i.id !== null).map((i) => [JSON.stringify(i.id), i.id as Key])).values()]
        const hop: Hop = { relation: end.relation.name, side: end.side === 'forward' ? 'reverse' : 'forward' }
        const base = queryset ?? qs.newQuerySet(end.other)
        const groups = await qs.fetchPrefetch(ctx, base, hop, owners)
        for (const i of level) {
          const related = groups.get(JSON.stringify(i.id)) ?? []
          if (toAttr) i.extra.set(toAttr, { kind: 'list', items: related })
          else (i.prefetched ??= new Map()).set(attribute, related)
        }
      }
      const next: Instance[] = []
      for (const i of level) {
        const related = toAttr
          ? ((i.extra.get(toAttr) as { items: Instance[] } | undefined)?.items ?? [])
          : (i.prefetched?.get(attribute) ?? [])
        next.push(...related)
      }
      level = next
      model = end.other
    }
  }
}
