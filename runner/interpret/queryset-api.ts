/**
 * The wider QuerySet API on top of `querysets.ts`: `annotate`, `aggregate`,
 * `in_bulk`, `latest`/`earliest`, `dates`, `prefetch_related`, with Django
 * 3.2's argument checks and messages.
 */
import type { Hop, Key } from '../../adapters/contract.js'
import type { Context } from './context.js'
import { PyException, raise, Unsupported } from './exceptions.js'
import { containsAggregate, defaultAlias } from './expressions.js'
import { dateText } from './fields.js'
import * as qs from './querysets.js'
import { type Instance, isObject, type PyExpression, type PyValue, type QuerySet, typeName } from './values.js'

type Kwargs = readonly (readonly [string, PyValue])[]

/** Django's class name of an expression without a default alias: `F()` or arithmetic (a bare value is always inside it). */
function expressionClass(e: PyExpression): string {
  return e.kind === 'combined' ? 'CombinedExpression' : 'F'
}

/** `str()` of a plain value in Django's "received non-expression(s)" message. */
function plainText(v: PyValue): string {
  if (v === null) return 'None'
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  if (typeof v === 'number' || typeof v === 'string') return String(v)
  if (isObject(v) && v.kind === 'date') return dateText(v)
  throw new Unsupported(`annotate()/aggregate() with a ${typeName(v)} value`)
}

/** Named expressions of `annotate()`/`aggregate()` (`method`): positional ones by their default alias. */
function named(args: readonly PyValue[], kwargs: Kwargs, method: 'annotate' | 'aggregate'): [string, PyExpression][] {
  // Django checks every value is an expression before it looks at any alias.
  const plain = [...args, ...kwargs.map(([, v]) => v)].filter((v) => !isObject(v) || v.kind !== 'expression')
  if (plain.length) throw raise.type(`QuerySet.${method}() received non-expression(s): ${plain.map(plainText).sort().join(', ')}.`)
  const expr = (v: PyValue) => (v as { expr: PyExpression }).expr
  const positional = args.map((a): [string, PyExpression] => {
    const e = expr(a)
    const alias = defaultAlias(e)
    if (alias) return [alias, e]
    // Only aggregates have a default alias: aggregate() says so, annotate() lets the AttributeError through.
    if (method === 'aggregate') throw raise.type('Complex aggregates require an alias')
    throw raise.attribute(`'${expressionClass(e)}' object has no attribute 'default_alias'`)
  })
  const keyword = kwargs.map(([k, v]): [string, PyExpression] => [k, expr(v)])
  // Both go through a dict: a repeated name keeps its first place and its last expression.
  const dict = (items: [string, PyExpression][]) => [...new Map(items)]
  if (method === 'aggregate') return dict([...keyword, ...positional]) // into its kwargs dict after the named ones
  for (const [alias] of positional)
    if (kwargs.some(([k]) => k === alias))
      throw raise.value(`The named annotation '${alias}' conflicts with the default name for another annotation.`)
  return dict([...positional, ...keyword])
}

export function annotate(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): QuerySet {
  const items = named(args, kwargs, 'annotate')
  const known = new Map(q.annotations.map((a) => [a.name, a.aggregate]))
  const steps = [...q.steps]
  const annotations = [...q.annotations]
  for (const [name, expr] of items) {
    // Only values() and values_list() modes have fields.
    const values = (q.mode as { fields?: readonly string[] }).fields
    const taken = values
      ? values.includes(name)
      : // Django's names are the fields' names (the key's too), not 'pk'.
        ctx.index.field(q.model, name) ||
        (name !== 'pk' && ctx.index.keyAlias(q.model, name)) ||
        ctx.index.relationByQueryName(q.model, name)
    if (taken) throw raise.value(`The annotation '${name}' conflicts with a field on the model.`)
    const aggregate = containsAggregate(expr, known)
    known.set(name, aggregate)
    steps.push({ kind: 'annotate', name, expr })
    annotations.push({ name, aggregate })
  }
  return qs.chain(q, { steps, annotations, wide: true })
}

export async function aggregate(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): Promise<PyValue> {
  const items = named(args, kwargs, 'aggregate')
  for (const [name, e] of items) if (!containsAggregate(e, new Map())) throw raise.type(`${name} is not an aggregate expression`)
  const overAnnotations = items.some(([, e]) => e.kind === 'aggregate' && q.annotations.some((a) => a.name === e.name && a.aggregate))
  if (overAnnotations || qs.isSliced(q) || q.distinct) return aggregateInRunner(ctx, q, items)
  // Stryker disable next-line ObjectLiteral,ArrayDeclaration,StringLiteral: the compiled aggregate reads neither the ordering nor a values() mode
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
  // A name that is no string matches no field, key or relation below.
  const name = fieldName as string
  const key = ctx.index.keyAlias(q.model, name)
  const spec = ctx.index.field(q.model, name)
  // Django's get_field(): a relation is a field (never unique), anything else does not exist.
  if (!key && !spec && !ctx.index.relationByQueryName(q.model, name))
    throw new PyException('django.core.exceptions.FieldDoesNotExist', `${q.model} has no field named '${plainText(fieldName)}'`)
  if (!key && !spec?.unique) throw raise.value(`in_bulk()'s field_name must be a unique field but '${fieldName}' isn't.`)
  const field = key ?? name
  let base = q
  if (ids !== null) {
    const list = isObject(ids) && (ids.kind === 'list' || ids.kind === 'tuple') ? ids.items : undefined
    if (!list) throw new Unsupported(`in_bulk() of a ${typeName(ids)}`)
    // Stryker disable next-line ConditionalExpression: fast path; filtering on an empty list answers no rows, so the same empty dict
    if (list.length === 0) return { kind: 'dict', entries: [] }
    base = qs.orderBy(ctx, qs.addFilter(ctx, q, false, [[`${field === 'id' ? 'pk' : field}__in`, ids]]), [])
  }
  const entries: (readonly [PyValue, PyValue])[] = []
  for (const item of await qs.fetch(ctx, base)) {
    // Django reads getattr(obj, field_name) of each row.
    if (!isObject(item) || item.kind !== 'instance') throw raise.attribute(`'${typeName(item)}' object has no attribute '${name}'`)
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
  // latest() reverses the query first (a TypeError on a slice); earliest() asserts.
  if (qs.isSliced(q)) {
    throw isLatest
      ? raise.type('Cannot reverse a query once a slice has been taken.')
      : raise.assertion('Cannot change a query once a slice has been taken.')
  }
  const order = isLatest ? fields.map((f) => (f.startsWith('-') ? f.slice(1) : '-' + f)) : fields
  // Stryker disable next-line ObjectLiteral,ArrayDeclaration: orderBy() just below replaces both the order and orderNames
  return qs.get(ctx, qs.slice(qs.orderBy(ctx, qs.chain(q, { order: [], orderNames: null }), order), undefined, 1))
}

/** `dates(field_name, kind, order='ASC')`. */
export function datesOf(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): QuerySet {
  const all = [...args]
  const byName = new Map(kwargs)
  const field = all[0] ?? byName.get('field_name')
  const kind = all[1] ?? byName.get('kind')
  const order = all[2] ?? byName.get('order') ?? 'ASC'
  const missing = [field === undefined ? 'field_name' : null, kind === undefined ? 'kind' : null].filter((m) => m !== null)
  if (missing.length === 2) throw raise.type("QuerySet.dates() missing 2 required positional arguments: 'field_name' and 'kind'")
  if (missing.length === 1) throw raise.type(`QuerySet.dates() missing 1 required positional argument: '${missing[0]}'`)
  if (typeof field !== 'string') throw new Unsupported('dates() with a field name that is not a string')
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
    // Django splits each lookup string at once.
    throw raise.attribute(`'${typeName(a)}' object has no attribute 'split'`)
  })
  return qs.chain(q, { prefetch: [...q.prefetch, ...lookups] })
}

/** Django's `prefetch_related_objects`: fill each instance's caches, one query per level. */
export async function prefetch(ctx: Context, q: QuerySet, instances: readonly PyValue[]): Promise<void> {
  // fetch() prefetches model rows only; an empty level ends each lookup below.
  const roots = instances as Instance[]
  const done = new Set<string>()
  // Django's done_queries: the paths already prefetched, a to_attr list under its own name.
  const reached = new Set<string>()
  for (const p of q.prefetch) {
    const parts = p.lookup.split('__')
    let level: Instance[] = roots
    let model = q.model
    for (const [depth, part] of parts.entries()) {
      // Nothing left to prefetch into: Django stops there, whatever the rest of the lookup names.
      if (level.length === 0) break
      const prefix = parts.slice(0, depth + 1).join('__')
      const last = depth === parts.length - 1
      const toAttr = last ? p.toAttr : null
      const queryset = last ? p.queryset : null
      const end = ctx.index.relationByAttribute(model, part)
      if (!end) {
        // Through an earlier `to_attr` list, or a name that is no relation.
        const first = level[0]!
        // An attribute that is not a prefetched list (an annotation) cannot end a lookup.
        if (first.extra.has(part) && (!last || reached.has(prefix))) {
          const next: Instance[] = []
          for (const i of level) {
            const v = i.extra.get(part) ?? null
            // A to_attr list holds instances; Django quietly stops at any other value (an annotation).
            if (isObject(v) && v.kind === 'list') next.push(...(v.items as Instance[]))
          }
          level = next
          model = next[0]?.model ?? model
          continue
        }
        if (first.extra.has(part) || ctx.index.field(model, part) || ctx.index.keyAlias(model, part)) {
          throw raise.value(
            `'${p.lookup}' does not resolve to an item that supports prefetching - this is an invalid parameter to prefetch_related().`
          )
        }
        throw raise.attribute(`Cannot find '${part}' on ${model} object, '${p.lookup}' is an invalid parameter to prefetch_related()`)
      }
      if (toAttr && (ctx.index.field(model, toAttr) || ctx.index.relationByAttribute(model, toAttr)))
        throw raise.value(`to_attr=${toAttr} conflicts with a field on the ${model} model.`)
      const key = JSON.stringify([prefix, toAttr])
      const already = done.has(key)
      done.add(key)
      // Stryker disable next-line ConditionalExpression: without to_attr the name recorded ends in '__', which no lookup part can be
      if (toAttr) reached.add([...parts.slice(0, depth), toAttr].join('__'))
      const attribute = toAttr ?? part
      if (!already || toAttr) {
        // Stryker disable next-line MethodExpression,ConditionalExpression,ArrayDeclaration: restricting the query to the owners only spares work; rows are grouped by owner below, and fetched instances always have keys
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
      // Only a lookup's last part has a to_attr; every instance of an earlier level got this prefetched set above.
      if (last) break
      level = level.flatMap((i) => i.prefetched!.get(part)!)
      model = end.other
    }
  }
}
