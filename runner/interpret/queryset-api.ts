/**
 * The wider QuerySet API on top of `querysets.ts`: `annotate`, `aggregate`,
 * `in_bulk`, `latest`/`earliest`, `dates`, `prefetch_related`, with Django
 * 3.2's argument checks and messages.
 */
import type { Hop, Key } from '../../adapters/contract.js'
import { isPyScalarObject, type PyFloat, type PyScalarObject, pyScalarStr } from '../present/pytypes.js'
import { type Displays, type Presentable, pyStr } from '../present/repr.js'
import type { Context } from './context.js'
import { PyException, raise, Unsupported } from './exceptions.js'
import { containsAggregate, defaultAlias } from './expressions.js'
import { cannotResolve, truthy } from './lookups.js'
import * as qs from './querysets.js'
import {
  expressionTypeName,
  type Instance,
  isObject,
  type PyExpression,
  type PyTuple,
  type PyValue,
  type QuerySet,
  typeName
} from './values.js'

type Kwargs = readonly (readonly [string, PyValue])[]

/** `str()` of a plain value in Django's messages ("received non-expression(s)", get_field()'s). */
function plainText(v: PyValue, display: Displays): string {
  return pyStr(shown(v), display)
}

/** A plain value as Python prints it: scalars, dates, instances and the containers of them a statement can write. */
function shown(v: PyValue): Presentable {
  // Stryker disable next-line ConditionalExpression: only a value refused below (a queryset, a Q, a class) is left over, and Django takes those as expressions, so no passing document shows one
  if (!isObject(v) || isPyScalarObject(v) || v.kind === 'instance') return v
  if (v.kind === 'list' || v.kind === 'tuple') return { kind: v.kind, items: v.items.map(shown) }
  // Stryker disable next-line ConditionalExpression: see above
  if (v.kind === 'dict') return { kind: 'dict', entries: v.entries.map(([k, x]) => [shown(k), shown(x)] as const) }
  // Querysets and Q objects are expressions to Django; classes and managers print their Python reprs.
  // Stryker disable next-line StringLiteral: see above
  throw new Unsupported(`annotate()/aggregate() with a ${typeName(v)} value`)
}

/** Named expressions of `annotate()`/`aggregate()` (`method`): positional ones by their default alias. */
function named(ctx: Context, args: readonly PyValue[], kwargs: Kwargs, method: 'annotate' | 'aggregate'): [string, PyExpression][] {
  // Django checks every value is an expression before it looks at any alias.
  const plain = [...args, ...kwargs.map(([, v]) => v)].filter((v) => !isObject(v) || v.kind !== 'expression')
  if (plain.length)
    throw raise.type(
      `QuerySet.${method}() received non-expression(s): ${plain
        .map((v) => plainText(v, ctx.display))
        .sort()
        .join(', ')}.`
    )
  const expr = (v: PyValue) => (v as { expr: PyExpression }).expr
  const positional = args.map((a): [string, PyExpression] => {
    const e = expr(a)
    const alias = defaultAlias(e)
    if (alias) return [alias, e]
    // Only aggregates of a named argument have a default alias: aggregate() says so, annotate() lets the AttributeError
    // of other expressions through and renames the aggregates' TypeError ("Complex expressions require an alias").
    if (method === 'aggregate') throw raise.type('Complex aggregates require an alias')
    if (e.kind === 'aggregate') throw raise.type('Complex annotations require an alias')
    throw raise.attribute(`'${expressionTypeName(e)}' object has no attribute 'default_alias'`)
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
  const items = named(ctx, args, kwargs, 'annotate')
  // Stryker disable next-line ArrayDeclaration: the flag's only reader is grouped(); an annotation is an aggregate through an earlier one only when that one is, which groups the queryset already
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
  const items = named(ctx, args, kwargs, 'aggregate')
  for (const [name, e] of items) if (!containsAggregate(e, new Map())) throw raise.type(`${name} is not an aggregate expression`)
  // Django aggregates over a subquery then; a grouped one has a row per group, whatever its joins.
  if (qs.grouped(q) || qs.isSliced(q) || q.distinct) return aggregateInRunner(ctx, q, items)
  // Stryker disable next-line ObjectLiteral,ArrayDeclaration,StringLiteral: the compiled aggregate reads neither the ordering nor a values() mode
  const base = qs.chain(q, { order: [], orderNames: null, mode: { kind: 'models' } })
  const { rows } = await qs.runCompiled(ctx, base, { kind: 'aggregate', items })
  // An aggregate without GROUP BY answers exactly one row, over any number of rows.
  const row = rows[0]!
  return { kind: 'dict', entries: items.map(([name], i) => [name, row[i]!] as const) }
}

/**
 * Aggregates over an annotated, sliced or distinct queryset: Django wraps it
 * in a subquery; the kit reads the rows and aggregates them itself.
 */
async function aggregateInRunner(ctx: Context, q: QuerySet, items: readonly (readonly [string, PyExpression])[]): Promise<PyValue> {
  const entries: (readonly [PyValue, PyValue])[] = []
  for (const [name, e] of items) {
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: a refusal of what Django computes (a filtered or computed aggregate over a subquery); the mutants answer wrongly instead, so no passing document holds one
    if (e.kind !== 'aggregate' || e.filter || e.argument)
      // Stryker disable next-line StringLiteral: see above
      throw new Unsupported('this aggregate over an annotated, sliced or distinct queryset')
    // Django aggregates over the queryset's rows (a subquery): distinct() compares them whole, the aggregated column added.
    const listed = (q.mode as { fields?: readonly string[] }).fields ?? []
    // A model's rows (or all of its fields) differ by their key and annotations.
    const own = listed.length ? listed : ['pk', ...q.annotations.map((a) => a.name)]
    const fields = q.distinct ? [...own, e.name] : [e.name]
    // The subquery keeps its ordering only under a slice (a Meta.ordering would add its columns to distinct()).
    const rows = await qs.fetch(
      ctx,
      qs.chain(q, { mode: { kind: 'values_list', fields, flat: false }, ...(qs.isSliced(q) ? {} : { order: [], orderNames: null }) })
    )
    const column = rows.map((r) => (r as PyTuple).items[fields.length - 1]!)
    let values = column.filter((v) => v !== null)
    if (e.distinct) values = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()]
    const result: PyValue = e.fn === 'count' ? values.length : values.length ? summarize(e.fn, values) : null
    entries.push([name, result])
  }
  return { kind: 'dict', entries }
}

/** Sum, Avg, Min or Max of one column's values (not NULL, at least one, all of one type), as the database answers them. */
function summarize(fn: string, values: readonly PyValue[]): PyValue {
  // Numbers, text, or dates and times (their ISO texts sort as they do); Decimals and booleans print as each database has them.
  const key = (v: PyValue): number | string => {
    if (typeof v === 'number' || typeof v === 'string') return v
    switch ((v as { kind?: unknown }).kind) {
      case 'float':
        return (v as PyFloat).value
      case 'date':
      case 'datetime':
      case 'time':
        return pyScalarStr(v as PyScalarObject)
    }
    // Stryker disable next-line StringLiteral: a column of other values (Decimals, booleans) is refused: each database answers its own
    throw new Unsupported(`${fn} over ${typeName(v)} values`)
  }
  // Stryker disable next-line EqualityOperator: equal keys of one column are equal values, so either is the answer
  if (fn === 'min' || fn === 'max') return values.reduce((best, v) => ((fn === 'min' ? key(v) < key(best) : key(v) > key(best)) ? v : best))
  const numbers = values.map(key)
  // A sum of text or dates is the database's own.
  // Stryker disable next-line ConditionalExpression,StringLiteral: a sum of text is each database's own (SQLite adds what reads as numbers, PostgreSQL refuses), so no passing document holds one
  if (typeof numbers[0] === 'string') throw new Unsupported(`${fn} over ${typeName(values[0]!)} values`)
  const sum = (numbers as number[]).reduce((a, b) => a + b, 0)
  if (fn === 'avg') return { kind: 'float', value: sum / numbers.length }
  return typeof values[0] === 'number' ? sum : { kind: 'float', value: sum }
}

/** `in_bulk(id_list=None, *, field_name='pk')`. */
export async function inBulk(ctx: Context, q: QuerySet, args: readonly PyValue[], kwargs: Kwargs): Promise<PyValue> {
  if (qs.isSliced(q)) throw raise.assertion("Cannot use 'limit' or 'offset' with in_bulk")
  const ids = args[0] ?? kwargs.find(([k]) => k === 'id_list')?.[1] ?? null
  const given = kwargs.find(([k]) => k === 'field_name')
  const fieldName = given ? given[1] : 'pk'
  // get_field() looks the name up in a dict.
  if (isObject(fieldName) && (fieldName.kind === 'list' || fieldName.kind === 'dict'))
    throw raise.type(`unhashable type: '${fieldName.kind}'`)
  // A name that is no string matches no field, key or relation below.
  const name = fieldName as string
  const key = ctx.index.keyAlias(q.model, name)
  const spec = ctx.index.field(q.model, name)
  // Django's get_field(): a relation is a field (never unique), anything else does not exist.
  if (!key && !spec && !ctx.index.relationByQueryName(q.model, name))
    throw new PyException(
      'django.core.exceptions.FieldDoesNotExist',
      `${q.model} has no field named '${plainText(fieldName, ctx.display)}'`
    )
  if (!key && !spec?.unique) throw raise.value(`in_bulk()'s field_name must be a unique field but '${fieldName}' isn't.`)
  const field = key ?? name
  let base = q
  if (ids !== null) {
    // Django tests `not id_list` (a queryset is evaluated for it), then filters on tuple(id_list).
    const list = await iterate(ctx, ids)
    if (!list) {
      if (!truthy(ids)) return { kind: 'dict', entries: [] }
      throw raise.type(`'${typeName(ids)}' object is not iterable`)
    }
    // Stryker disable next-line ConditionalExpression: fast path; filtering on an empty list answers no rows, so the same empty dict
    if (list.length === 0) return { kind: 'dict', entries: [] }
    base = qs.orderBy(ctx, qs.addFilter(ctx, q, false, [[`${field === 'id' ? 'pk' : field}__in`, { kind: 'tuple', items: list }]]), [])
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

/** Python's `tuple(v)`, or undefined for a value that is no iterable. */
async function iterate(ctx: Context, v: PyValue): Promise<readonly PyValue[] | undefined> {
  if (typeof v === 'string') return [...v]
  // Stryker disable next-line ConditionalExpression: numbers and booleans have no kind, so the checks below answer undefined for them too
  if (!isObject(v)) return undefined
  if (v.kind === 'list' || v.kind === 'tuple') return v.items
  if (v.kind === 'dict') return v.entries.map(([k]) => k)
  if (v.kind === 'queryset') return qs.fill(ctx, v)
  return undefined
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
  // None is an argument given (Django checks it), not a missing one.
  const arg = (i: number, name: string) => (i < all.length ? all[i] : byName.get(name))
  const field = arg(0, 'field_name')
  const kind = arg(1, 'kind')
  const given = arg(2, 'order')
  const order = given === undefined ? 'ASC' : given
  const missing = [field === undefined ? 'field_name' : null, kind === undefined ? 'kind' : null].filter((m) => m !== null)
  if (missing.length === 2) throw raise.type("QuerySet.dates() missing 2 required positional arguments: 'field_name' and 'kind'")
  if (missing.length === 1) throw raise.type(`QuerySet.dates() missing 1 required positional argument: '${missing[0]}'`)
  if (kind !== 'year' && kind !== 'month' && kind !== 'week' && kind !== 'day')
    throw raise.assertion("'kind' must be one of 'year', 'month', 'week', or 'day'.")
  if (order !== 'ASC' && order !== 'DESC') throw raise.assertion("'order' must be either 'ASC' or 'DESC'.")
  if (typeof field !== 'string') throw notAField(field!)
  const spec = ctx.index.keyAlias(q.model, field) ? ctx.index.spec(q.model, 'id') : ctx.index.field(q.model, field)
  if (!spec) throw cannotResolve(ctx.index, q.model, field)
  if (spec.type === 'time') throw raise.value(`Cannot truncate TimeField '${spec.name}' to DateField. `)
  if (spec.type !== 'date' && spec.type !== 'datetime')
    throw raise.assertion(`'${spec.name}' isn't a DateField, TimeField, or DateTimeField.`)
  return qs.chain(q, { mode: { kind: 'dates', field, unit: kind, descending: order === 'DESC' } })
}

/** Values Django resolves as expressions: Trunc() takes them as they are. */
// Stryker disable next-line ArrayDeclaration,StringLiteral: a refusal (Django's error depends on the expression's class), so no passing document gives dates() an expression
const RESOLVED: ReadonlySet<string> = new Set(['expression', 'q'])

/** Django's error for dates() of a value that is no name: Trunc() makes a Value() of it, F() then splits it. */
function notAField(field: PyValue): PyException | Unsupported {
  const kind = isObject(field) ? field.kind : typeof field
  // A Value()'s output field (of a number, a float, a Decimal, a bool) has no name.
  if (['number', 'boolean', 'float', 'decimal'].includes(kind))
    return raise.assertion("None isn't a DateField, TimeField, or DateTimeField.")
  if (kind === 'time') return raise.value("Cannot truncate TimeField 'None' to DateField. ")
  // A date's Value() passes Trunc(); F() of it fails.
  if (kind === 'date' || kind === 'datetime') return raise.attribute(`'${typeName(field)}' object has no attribute 'split'`)
  // A queryset is a subquery, of no output field to name.
  if (kind === 'queryset') return raise.attribute("'NoneType' object has no attribute 'name'")
  // Stryker disable next-line ConditionalExpression,StringLiteral: see RESOLVED
  if (RESOLVED.has(kind)) return new Unsupported(`dates() of a ${typeName(field)}`)
  // None, containers, instances, classes: Value()s of no known output field.
  return raise.field('Cannot resolve expression type, unknown output_field')
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
