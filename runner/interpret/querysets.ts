/**
 * Django 3.2 queryset semantics over the contract: lazy evaluation, the
 * result cache, slicing marks, `get`/`first`/`last`/`exists`/`count`,
 * `values()`/`values_list()`, bulk `delete()`.
 */
import type { Condition, Filter, Hop, Key, OrderKey, Query, Row, Scalar } from '../../adapters/contract.js'
import type { PyDate } from '../present/pytypes.js'
import { REPR_OUTPUT_SIZE as REPR_LIMIT } from '../present/repr.js'
import { type Compiled, compile, crossesRelation, type Want } from './compile.js'
import { ask, type Context } from './context.js'
import { AdapterFault, PyException, raise, Unsupported } from './exceptions.js'
import { containsAggregate, qNode } from './expressions.js'
import { dateText, fromScalar } from './fields.js'
import { cannotResolve, type LookupValue, prepare, resolvePath, type Subquery } from './lookups.js'
import { prefetch } from './queryset-api.js'
import { deleteRows, fieldValue as rowFieldValue, rowValues } from './related.js'
import {
  type ExpressionObject,
  expressionTypeName,
  type FieldValue,
  type Instance,
  isObject,
  type Mode,
  type OrderName,
  type PyExpression,
  type PyValue,
  type QNode,
  type QuerySet
} from './values.js'

/** Django's `MAX_GET_RESULTS`. */
const MAX_GET_RESULTS = 21

// Stryker disable next-line BooleanLiteral: a manager's fresh queryset has no filter its first step could share a join with
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
    cache: null,
    steps: [],
    wide: false,
    // Stryker disable next-line ArrayDeclaration: a placeholder entry has no name and no aggregate flag, which no check matches
    annotations: [],
    orderNames: null,
    prefetch: []
  }
}

/** A copy without cache; every chained call goes through here, which ends stickiness. */
export function chain(qs: QuerySet, changes: Partial<Omit<QuerySet, 'kind' | 'model' | 'cache'>> = {}): QuerySet {
  return { ...qs, sticky: false, ...changes, cache: null }
}

export function isSliced(qs: QuerySet): boolean {
  return qs.low !== 0 || qs.high !== undefined
}

/** Add one `filter(*qs, **kwargs)` / `exclude(*qs, **kwargs)` call. */
export function addFilter(
  ctx: Context,
  qs: QuerySet,
  negated: boolean,
  kwargs: readonly (readonly [string, LookupValue])[],
  qArgs: readonly QNode[] = []
): QuerySet {
  if (isSliced(qs)) throw raise.assertion('Cannot filter a query once a slice has been taken.')
  if (kwargs.length === 0 && qArgs.length === 0) return chain(qs)
  const node = qNode(
    qArgs.map((n) => ({ kind: 'q', node: n }) as const),
    kwargs as readonly (readonly [string, PyValue])[]
  )
  const step = { kind: 'filter' as const, node, negated, sticky: qs.sticky }
  // Django resolves every name when filter() is called: errors belong to this statement.
  const annotated = new Set(qs.annotations.map((a) => a.name))
  const selected = selectedAnnotations(qs)
  let wide = qs.wide || qArgs.length > 0
  // Each keyword is resolved once: the first contract's conditions come from the same resolution.
  const conditions: Condition[] = []
  const visit = (n: QNode): void => {
    // Stryker disable next-line ConditionalExpression,StringLiteral: only a related manager's own steps hold path nodes, and they never pass through addFilter()
    if (n.kind === 'path') return
    if (n.kind !== 'leaf') {
      for (const c of n.children) visit(c)
      return
    }
    if (annotated.has(n.key.split('__')[0]!)) {
      // Stryker disable next-line BooleanLiteral: a queryset with annotations is wide already (annotate() sets it, nothing clears it)
      wide = true
      return
    }
    const expr = isObject(n.value as PyValue) && (n.value as { kind: string }).kind === 'expression'
    const { path, condition } = resolvePath(ctx.index, ctx.display, qs.model, n.key, n.value as LookupValue, !expr, selected)
    if (expr || path.length > 1) wide = true
    conditions.push(path.length ? { via: path[0]!, ...condition } : condition)
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral,BlockStatement: the documents run on the memory adapter, which declares every feature; runner/any-document.test.ts holds the refusal
    if ((condition.transform || condition.lookup === 'range') && !ctx.features.has('date-lookups')) {
      // Stryker disable next-line StringLiteral,LogicalOperator: see above
      throw new Unsupported(`the adapter does not declare feature 'date-lookups', needed for '${condition.transform ?? condition.lookup}'`)
    }
  }
  visit(node)
  if (wide) return chain(qs, { steps: [...qs.steps, step], wide: true })
  const steps = [...qs.steps, step]
  const last = qs.filters[qs.filters.length - 1]
  // Stryker disable next-line ConditionalExpression,MethodExpression,OptionalChaining,LogicalOperator: fast path; the compiled path (taken otherwise) applies sticky joins to any filter
  const sameHop = (c: Condition) => c.via && last?.conditions.some((l) => l.via?.relation === c.via!.relation && l.via.side === c.via!.side)
  // Stryker disable next-line LogicalOperator,ConditionalExpression,MethodExpression: fast path; the compiled path (taken otherwise) applies sticky joins to any filter
  if (qs.sticky && negated && conditions.some(sameHop)) {
    // Django tests the exclusion on the manager's own join row; a contract filter cannot say "not" on a shared join.
    // Stryker disable next-line ConditionalExpression,StringLiteral: the documents run on the memory adapter, which declares every feature; runner/any-document.test.ts holds the refusal
    if (!ctx.features.has('queries')) throw new Unsupported('exclude() through the relation a related manager already follows')
    return chain(qs, { steps, wide: true })
  }
  if (qs.sticky && !negated && last && !last.negated) {
    // A related manager's own filter and the next one share their join (Django's _next_is_sticky).
    // Stryker disable next-line MethodExpression,UnaryOperator: a sticky queryset is a related manager's, with its one own filter; repeating that filter selects the same rows
    return chain(qs, { steps, filters: [...qs.filters.slice(0, -1), { negated: false, conditions: [...last.conditions, ...conditions] }] })
  }
  return chain(qs, { steps, filters: [...qs.filters, { negated, conditions }] })
}

/**
 * Django's `annotation_select`: the annotations a query selects. `values()`
 * names some (none named keeps them all); annotations made after it are selected.
 */
export function selectedAnnotations(qs: QuerySet): string[] {
  let names: string[] = []
  for (const step of qs.steps) {
    if (step.kind === 'annotate') names.push(step.name)
    else if (step.kind === 'values' && step.fields.length) names = names.filter((n) => step.fields.includes(n))
  }
  return names
}

/** Django's `QuerySet.ordered`. */
export function isOrdered(ctx: Context, qs: QuerySet): boolean {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: orderNames is only set by order_by() with at least one name
  if (qs.orderNames) return qs.orderNames.length > 0
  // Meta.ordering does not count once grouping (Django 3.1+).
  if (qs.order === null) return ctx.index.model(qs.model).ordering.length > 0 && !grouped(qs)
  return qs.order.length > 0
}

/** An aggregate annotation makes the query GROUP BY. */
export function grouped(qs: QuerySet): boolean {
  return qs.annotations.some((a) => a.aggregate)
}

/**
 * Django's check of an `order_by()`/`values()` name that is no field of the
 * model, when the call is made: its first part only (names_to_path()
 * without fail_on_missing); `values()` then compiles the rest at once.
 */
function checkPath(ctx: Context, model: string, name: string, selected: readonly string[]): void {
  const [first] = name.split('__') as [string, ...string[]]
  if (ctx.index.relationByQueryName(model, first) || ctx.index.keyAlias(model, first) || ctx.index.field(model, first)) return
  throw cannotResolve(ctx.index, model, first, selected)
}

export function orderBy(ctx: Context, qs: QuerySet, keys: readonly OrderName[]): QuerySet {
  if (isSliced(qs)) throw raise.assertion('Cannot reorder a query once a slice has been taken.')
  const annotated = new Set(qs.annotations.map((a) => a.name))
  // Stryker disable next-line BooleanLiteral: fast path; the compiled ordering (orderNames) orders every valid name the same
  let wide = false
  const order = keys.map((key): OrderKey => {
    if (typeof key !== 'string') {
      wide = true
      // Stryker disable next-line ObjectLiteral,StringLiteral,BooleanLiteral: this key makes the ordering wide, which discards `order` (orderNames rules)
      return { field: 'id', descending: false }
    }
    // Stryker disable next-line ConditionalExpression,StringLiteral: a random order is refused, and the mutant's FieldError is no Django answer either, so no passing document holds order_by('?')
    if (key === '?') throw new Unsupported("order_by('?')")
    const descending = key.startsWith('-')
    const name = descending ? key.slice(1) : key
    // Stryker disable next-line LogicalOperator: any name that is not a field takes the compiled ordering, which resolves 'pk' too
    const field = ctx.index.keyAlias(qs.model, name) ?? name
    if (annotated.has(name)) {
      // Stryker disable next-line BooleanLiteral: an annotated queryset is wide already, and compile() orders by these names either way
      wide = true
      // Stryker disable next-line ObjectLiteral: an annotated queryset is wide; with orderNames set, `order` is never read
      return { field, descending }
    }
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: fast path; checkPath() accepts every field name and the compiled ordering orders them the same
    if (field !== 'id' && !ctx.index.field(qs.model, field)) {
      checkPath(ctx, qs.model, name, [...annotated])
      wide = true
      // Stryker disable next-line ObjectLiteral: wide is set just above; with orderNames set, `order` is never read
      return { field, descending }
    }
    return { field, descending }
  })
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: fast path, the compiled ordering orders every valid name the same; with orderNames set, `order` is never read (isOrdered, reverse, compile read orderNames first)
  if (wide) return chain(qs, { order: [], orderNames: keys, wide: true })
  return chain(qs, { order, orderNames: null })
}

export function reverse(ctx: Context, qs: QuerySet): QuerySet {
  if (qs.orderNames) {
    return chain(qs, {
      orderNames: qs.orderNames.map((k) =>
        typeof k === 'string'
          ? k.startsWith('-')
            ? k.slice(1)
            : '-' + k
          : { ...k, descending: !k.descending, ...(k.nulls ? { nulls: k.nulls === 'first' ? 'last' : 'first' } : {}) }
      )
    })
  }
  const order = qs.order ?? (grouped(qs) ? [] : ctx.index.model(qs.model).ordering)
  return chain(qs, { order: order.map((k) => ({ field: k.field, descending: !k.descending })) })
}

/** Django's `set_limits`: marks combine with the ones already there. */
export function slice(qs: QuerySet, low: number | undefined, high: number | undefined): QuerySet {
  let newLow = qs.low
  let newHigh = qs.high
  if (high !== undefined) newHigh = newHigh !== undefined ? Math.min(newHigh, qs.low + high) : qs.low + high
  // Stryker disable next-line ConditionalExpression: a low mark past the high one selects nothing either way, and later marks only lower the high one
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
  // No result cache here: what Django runs as a new query (a subquery, in_bulk()) sees the database as it is now.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: fast path; a limit of 0 (toQuery clamps it) or dates()' own slice give no rows too
  if (qs.high !== undefined && qs.high <= qs.low) return []
  const mode = qs.mode
  if (mode.kind === 'dates') return dates(ctx, qs, mode)
  let items: PyValue[]
  if (qs.wide || selective(qs)) items = await fetchWide(ctx, qs, mode)
  else {
    const { rows } = await ask(ctx, { kind: 'select', query: toQuery(ctx, qs) }, 'rows')
    items = rows.map((row) => fromRow(ctx, qs.model, mode, row))
  }
  // Only model rows are prefetched into (prefetch() does nothing without lookups).
  if (qs.mode.kind === 'models') await prefetch(ctx, qs, items)
  return items
}

/** values()/values_list() with distinct(): rows are compared on their columns only, which a select of whole rows cannot do. */
function selective(qs: QuerySet): boolean {
  return qs.distinct && qs.mode.kind !== 'models'
}

/** Run a compiled select (feature `queries`); rows as scalars with their column specs. */
export async function runCompiled(ctx: Context, qs: QuerySet, want?: Want): Promise<{ compiled: Compiled; rows: FieldValue[][] }> {
  // Stryker disable next-line ConditionalExpression,StringLiteral: the documents run on the memory adapter, which declares every feature; runner/any-document.test.ts holds the refusal
  if (!ctx.features.has('queries')) throw new Unsupported("the adapter does not declare feature 'queries', needed here")
  const compiled = compile(ctx, qs, want)
  const { rows } = await ask(ctx, { kind: 'query', select: compiled.select }, 'table')
  const out = rows.map((row) => {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: checks an adapter's answer; the memory adapter the documents run on answers rows of the columns asked for
    if (!Array.isArray(row) || row.length !== compiled.columns.length)
      throw new AdapterFault(
        // Stryker disable next-line StringLiteral: see above
        `adapter answered 'query' with a row of ${Array.isArray(row) ? row.length : 'no'} values (expected ${compiled.columns.length})`
      )
    return compiled.columns.map((c, i) => fromScalar(c.spec, row[i] as Scalar, qs.model))
  })
  return { compiled, rows: out }
}

async function fetchWide(ctx: Context, qs: QuerySet, mode: Exclude<Mode, { kind: 'dates' }>): Promise<PyValue[]> {
  const { compiled, rows } = await runCompiled(ctx, qs)
  const names = compiled.columns.map((c) => c.name)
  return rows.map((values): PyValue => {
    switch (mode.kind) {
      case 'models': {
        const instance = instanceFromValues(ctx, qs.model, values, 0)
        const fields = ctx.index.model(qs.model).fields.length
        // Stryker disable next-line ArithmeticOperator,EqualityOperator: extra is read after the model's fields, so field columns (or an undefined one) put there show nowhere
        for (let i = fields + 1; i < names.length; i++) instance.extra.set(names[i]!, values[i]!)
        return instance
      }
      case 'values':
        return { kind: 'dict', entries: names.map((n, i) => [n, values[i]!] as const) }
      default: // values_list
        if (mode.flat) return values[0]!
        return mode.named ? { kind: 'tuple', items: values, names } : { kind: 'tuple', items: values }
    }
  })
}

/** `dates(field, kind, order)`: the distinct truncated dates, without NULLs. */
async function dates(ctx: Context, qs: QuerySet, mode: Extract<QuerySet['mode'], { kind: 'dates' }>): Promise<PyValue[]> {
  const base = chain(qs, {
    mode: { kind: 'values_list', fields: [mode.field], flat: true },
    low: 0,
    high: undefined,
    // Stryker disable next-line ArrayDeclaration: dates() sorts the values itself, so the order of this query does not matter
    order: [],
    orderNames: null
  })
  const seen = new Map<string, PyDate>()
  for (const v of await fetch(ctx, base)) {
    // A date field's values are dates (or datetimes) and NULLs.
    if (!isObject(v)) continue
    let { year, month, day } = v as PyDate
    if (mode.unit === 'year') [month, day] = [1, 1]
    else if (mode.unit === 'month') day = 1
    else if (mode.unit === 'week') {
      const t = new Date(Date.UTC(year, month - 1, day))
      t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7))
      ;[year, month, day] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()]
    }
    const d: PyDate = { kind: 'date', year, month, day }
    seen.set(dateText(d), d)
  }
  // ISO date texts sort as the dates do.
  const sorted = [...seen.keys()].sort().map((k) => seen.get(k)!)
  if (mode.descending) sorted.reverse()
  return sorted.slice(qs.low, qs.high)
}

/** `len(qs)` / `list(qs)`: evaluate and keep the result cache, as Django does. */
export async function fill(ctx: Context, qs: QuerySet): Promise<PyValue[]> {
  if (!qs.cache) qs.cache = await fetch(ctx, qs)
  // Nothing changes a list in place, so callers may share the cache.
  return qs.cache
}

/**
 * One level of `prefetch_related`: the rows of `base` related to any of
 * `owners` through `hop` (from the related rows' side), in `base`'s order,
 * grouped by owner. One `query` operation, as Django's one SELECT … IN.
 */
export async function fetchPrefetch(ctx: Context, base: QuerySet, hop: Hop, owners: readonly Key[]): Promise<Map<string, Instance[]>> {
  const groups = new Map<string, Instance[]>()
  // Stryker disable next-line ConditionalExpression: fast path; a prefetch query for no owners answers no rows
  if (owners.length === 0) return groups
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: compile() does not read `wide`
  const { rows } = await runCompiled(ctx, chain(base, { wide: true }), { kind: 'prefetch', hop, owners })
  for (const values of rows) {
    const instance = instanceFromValues(ctx, base.model, values, 1)
    const key = JSON.stringify(values[0])
    groups.set(key, [...(groups.get(key) ?? []), instance])
  }
  return groups
}

export function fromRow(ctx: Context, model: string, mode: Exclude<Mode, { kind: 'dates' }>, row: Row): PyValue {
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
      return mode.named ? { kind: 'tuple', items: fields.map(value), names: fields } : { kind: 'tuple', items: fields.map(value) }
    }
  }
}

/** An instance from a `table` row: its key at `at`, then its fields in declaration order. */
function instanceFromValues(ctx: Context, model: string, values: readonly FieldValue[], at: number): Instance {
  const fields = ctx.index.model(model).fields
  return {
    kind: 'instance',
    model,
    id: values[at] as Key,
    values: Object.fromEntries(fields.map((f, i) => [f.name, values[at + i + 1]!])),
    // Stryker disable next-line StringLiteral: the kit only tests whether `db` is null (an unsaved instance)
    db: 'default',
    extra: new Map()
  }
}

export function instanceFromRow(ctx: Context, model: string, row: Row): Instance {
  // Stryker disable next-line StringLiteral: the kit only tests whether `db` is null (an unsaved instance)
  return { kind: 'instance', model, id: row.id, values: rowValues(ctx, model, row), db: 'default', extra: new Map() }
}

/** `values(*fields)` / `values_list(*fields, flat=, named=)`, `dates()`. */
export function withMode(ctx: Context, qs: QuerySet, mode: Extract<Mode, { kind: 'values' | 'values_list' }>): QuerySet {
  // values_list() checks its flags before it looks at any name.
  const { flat, named } = mode as { flat?: boolean; named?: boolean }
  if (flat && named) throw raise.type("'flat' and 'named' can't be used together.")
  if (flat && mode.fields.length > 1) throw raise.type("'flat' is not valid when values_list is called with more than one field.")
  const annotated = new Set(qs.annotations.map((a) => a.name))
  let wide = qs.wide
  let paths = false
  for (const f of mode.fields) {
    if (ctx.index.keyAlias(qs.model, f) || ctx.index.field(qs.model, f)) continue
    if (annotated.has(f)) {
      wide = true
      continue
    }
    // values() selects only the annotations it names.
    checkPath(
      ctx,
      qs.model,
      f,
      mode.fields.filter((n) => annotated.has(n))
    )
    paths = true
  }
  const next = chain(qs, { mode, steps: [...qs.steps, { kind: 'values' as const, fields: mode.fields }], wide: wide || paths })
  // Django resolves every part of these names now (relations, transforms); so does the compiled select.
  // Stryker disable next-line ObjectLiteral,StringLiteral: compile() resolves the values() names in its steps, whatever it is asked to select
  if (paths) compile(ctx, next, { kind: 'keys' })
  return next
}

export async function count(ctx: Context, qs: QuerySet): Promise<number> {
  if (qs.cache) return qs.cache.length
  // count() and exists() never prefetch (Django's do not either).
  // Stryker disable next-line ConditionalExpression: counting the fetched rows gives the same number; the count operation only spares reading them
  if (qs.wide || selective(qs) || qs.mode.kind === 'dates') {
    // Django counts without the ordering (unless sliced): its joins and columns then add no rows.
    const unordered = isSliced(qs) ? qs : chain(qs, { order: [], orderNames: null })
    return (await fetch(ctx, chain(unordered, { prefetch: [] }))).length
  }
  const { count } = await ask(ctx, { kind: 'count', query: toQuery(ctx, qs) }, 'count')
  return count
}

export async function exists(ctx: Context, qs: QuerySet): Promise<boolean> {
  if (qs.cache) return qs.cache.length > 0
  // Django drops the ordering (even under a slice): its joins and columns could only add rows.
  const one = slice(chain(qs, { prefetch: [], order: [], orderNames: null }), undefined, 1)
  // Without distinct() Django clears the select clause too: it selects no annotation, so it resolves none (but GROUP BY's).
  if (qs.wide && !qs.distinct && qs.mode.kind !== 'dates') {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: fast path; a limit of 0 gives no rows too
    if (one.high !== undefined && one.high <= one.low) return false
    return (await runCompiled(ctx, one, { kind: 'exists' })).rows.length > 0
  }
  return (await fetch(ctx, one)).length > 0
}

/**
 * A queryset given as a lookup's value, evaluated as Django's subquery: a
 * model queryset's keys (its annotations read only where they group), or
 * the one column of `values()`/`values_list()`. Unsliced, it is unordered.
 */
export async function subquery(ctx: Context, qs: QuerySet): Promise<Subquery> {
  // Django's has_limit_one(); without a high mark there is no limit (the difference is 0).
  const limitOne = (qs.high ?? qs.low) - qs.low === 1
  const base = chain(qs, { prefetch: [], ...(isSliced(qs) ? {} : { order: [], orderNames: null }) })
  if (qs.mode.kind === 'models') {
    const keys = qs.wide
      ? (await runCompiled(ctx, base, { kind: 'subquery' })).rows.map((r) => r[0]!)
      : (await fetch(ctx, base)).map((i) => (i as Instance).id)
    return { kind: 'values', items: keys, model: qs.model, limitOne }
  }
  if (qs.mode.kind !== 'dates') {
    // Django refuses more than one field when the queryset is resolved; values() of all fields fails in the database.
    if (qs.mode.fields.length > 1) throw raise.type('Cannot use multi-field values as a filter value.')
    // Stryker disable next-line ConditionalExpression,StringLiteral: Django's answer is the database's error, which differs per database, so no passing document holds it
    if (qs.mode.fields.length === 0) throw new Unsupported(`${qs.mode.kind}() of every field as a lookup's value`)
  }
  return { kind: 'values', items: await fetch(ctx, base), limitOne }
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
  // Django drops the ordering only when it may (not on a slice); its limit of 21 combines with a slice's marks.
  // Stryker disable next-line ObjectLiteral: get() answers one row or a count, so dropping the ordering only spares work
  const clone = slice(isSliced(qs) ? qs : chain(qs, { order: [], orderNames: null }), undefined, MAX_GET_RESULTS)
  const rows = await fetch(ctx, clone)
  if (rows.length === 1) return rows[0]!
  if (rows.length === 0) throw new PyException(`${qs.model}.DoesNotExist`, `${qs.model} matching query does not exist.`)
  const n = rows.length >= MAX_GET_RESULTS ? `more than ${MAX_GET_RESULTS - 1}` : String(rows.length)
  throw new PyException(`${qs.model}.MultipleObjectsReturned`, `get() returned more than one ${qs.model} -- it returned ${n}!`)
}

export async function first(ctx: Context, qs: QuerySet): Promise<PyValue> {
  const ordered = isOrdered(ctx, qs) ? qs : orderBy(ctx, qs, ['pk'])
  const rows = await fetch(ctx, slice(ordered, undefined, 1))
  return rows[0] ?? null
}

export async function last(ctx: Context, qs: QuerySet): Promise<PyValue> {
  // Django 3.2's last() raises TypeError here (reverse() would assert).
  if (isSliced(qs)) throw raise.type('Cannot reverse a query once a slice has been taken.')
  const reversed = isOrdered(ctx, qs) ? reverse(ctx, qs) : orderBy(ctx, qs, ['-pk'])
  const rows = await fetch(ctx, slice(reversed, undefined, 1))
  return rows[0] ?? null
}

/** Bulk delete: Django's `(total, {label: count})` (see `deleteRows`). */
export async function deleteAll(ctx: Context, qs: QuerySet, counted: boolean): Promise<PyValue> {
  if (isSliced(qs)) throw raise.assertion("Cannot use 'limit' or 'offset' with delete.")
  if (qs.distinct) throw raise.type('Cannot call delete() after .distinct().')
  if (qs.mode.kind !== 'models') throw raise.type('Cannot call delete() after .values() or .values_list()')
  let result: PyValue
  // Stryker disable next-line ConditionalExpression: the compiled select finds the same rows, deleted by key as the delete operation would; a bare delete() prints nothing either way
  if (qs.wide) {
    // Stryker disable next-line ObjectLiteral,StringLiteral: a compiled models select starts with the key as well
    const { rows } = await runCompiled(ctx, qs, { kind: 'keys' })
    const deleted = await deleteRows(
      ctx,
      qs.model,
      rows.map((r) => r[0] as Key),
      counted
    )
    result = counted ? deleted : null
  } else {
    result = await deleteQuery(ctx, qs, counted)
  }
  qs.cache = null
  return result
}

/** delete() of a queryset that needs no compiled select. */
async function deleteQuery(ctx: Context, qs: QuerySet, counted: boolean): Promise<PyValue> {
  // Stryker disable next-line ConditionalExpression: uncounted is a bare delete() statement, whose result is not printed; the same rows are deleted
  if (counted) {
    const { rows } = await ask(
      ctx,
      // Stryker disable next-line ObjectLiteral,ArrayDeclaration,BooleanLiteral,StringLiteral: deleteRows() deletes and counts by `id in keys`, so duplicates, order and mode do not matter
      { kind: 'select', query: toQuery(ctx, chain(qs, { order: [], distinct: true, mode: { kind: 'models' } })) },
      'rows'
    )
    return deleteRows(
      ctx,
      qs.model,
      rows.map((r) => r.id),
      true
    )
  }
  // Stryker disable next-line ObjectLiteral,ArrayDeclaration: which rows a delete removes does not depend on their order
  await ask(ctx, { kind: 'delete', query: toQuery(ctx, chain(qs, { order: [] })) }, 'affected')
  return null
}

/** `none()`: a queryset that matches nothing (an empty `in`). */
export function none(qs: QuerySet): QuerySet {
  // A step of its own (compiled), so that annotated, joined and grouped querysets are emptied as well.
  // Stryker disable next-line BooleanLiteral: the step filters on the key alone, which has no join to share
  const step = { kind: 'filter' as const, node: qNode([], [['pk__in', { kind: 'list', items: [] }]]), negated: false, sticky: false }
  return chain(qs, { steps: [...qs.steps, step], wide: true })
}

/** `update(**fields)`: each matched row once; answers how many, as Django does. `F()` values are computed by the adapter. */
export async function update(ctx: Context, qs: QuerySet, values: readonly (readonly [string, PyValue])[]): Promise<number> {
  if (isSliced(qs)) throw raise.assertion('Cannot update a query once a slice has been taken.')
  for (const [field] of values) {
    if (!ctx.index.field(qs.model, field)) {
      // Django names the field by its repr, and get_field() raises FieldDoesNotExist.
      const end = ctx.index.relationByQueryName(qs.model, field)
      if (end) {
        const shown =
          end.side === 'forward'
            ? `<django.db.models.fields.related.ManyToManyField: ${field}>`
            : `<ManyToManyRel: ${ctx.appLabel}.${end.other.toLowerCase()}>`
        throw raise.field(`Cannot update model field ${shown} (only non-relations and foreign keys permitted).`)
      }
      throw new PyException('django.core.exceptions.FieldDoesNotExist', `${qs.model} has no field named '${field}'`)
    }
  }
  const expressions = values.filter((v): v is readonly [string, ExpressionObject] => isObject(v[1]) && v[1].kind === 'expression')
  const plain = values.filter(([, v]) => !isObject(v) || v.kind !== 'expression')
  const prepared = Object.fromEntries(plain.map(([k, v]) => [k, prepare(ctx.index, ctx.display, qs.model, k, rowFieldValue(v, k), true)]))
  // Stryker disable next-line ConditionalExpression: the compiled select answers the same rows' keys, and the same prepared values are written to each
  if (qs.wide || expressions.length) {
    // Stryker disable next-line ConditionalExpression: a step of another kind has no name, and no F() names undefined
    const annotations = new Map(qs.steps.flatMap((s) => (s.kind === 'annotate' ? [[s.name, s.expr] as const] : [])))
    const aggregated = new Map(qs.annotations.map((a) => [a.name, a.aggregate]))
    // Django resolves each value (no joins allowed), then refuses an aggregate in it.
    for (const [k, e] of expressions) {
      if (referencesJoin(ctx, qs.model, e.expr, annotations)) throw raise.field('Joined field references are not permitted in this query')
      if (containsAggregate(e.expr, aggregated)) throw aggregateInUpdate(ctx, qs.model, k, e.expr, annotations)
    }
    const { rows } = await runCompiled(ctx, qs, { kind: 'update', items: expressions.map(([k, e]) => [k, e.expr] as const) })
    const seen = new Set<Key>()
    for (const row of rows) {
      const id = row[0] as Key
      // Stryker disable next-line ConditionalExpression: the compiled update select answers each key once already
      if (seen.has(id)) continue
      seen.add(id)
      const computed = Object.fromEntries(
        // Stryker disable next-line BooleanLiteral: a computed decimal is written quantized or not; reads quantize it, and where the stored digits would show (filters, order) SQLite (a float) and PostgreSQL (rounded) differ too
        expressions.map(([k], i) => [k, prepare(ctx.index, ctx.display, qs.model, k, row[i + 1] as PyValue, true)])
      )
      await ask(ctx, { kind: 'update', model: qs.model, id, values: { ...prepared, ...computed } }, 'affected')
    }
    qs.cache = null
    return seen.size
  }
  const { rows } = await ask(
    ctx,
    // Stryker disable next-line ArrayDeclaration,ObjectLiteral,StringLiteral: toQuery() does not read the mode, and the order of the matched rows does not change what is updated
    { kind: 'select', query: toQuery(ctx, chain(qs, { distinct: true, order: [], mode: { kind: 'models' } })) },
    'rows'
  )
  for (const row of rows) await ask(ctx, { kind: 'update', model: qs.model, id: row.id, values: prepared }, 'affected')
  qs.cache = null
  return rows.length
}

/**
 * An `F()` in an update() value that needs a join, left to right (a name's own errors are raised as Django resolves it).
 * An annotation named alone is checked by its own columns (Django's resolve_ref(allow_joins=False)):
 * `F('n')` of `n=Count('tags')` or `n=F('tags__label')` joins; a transform of one (`n__year`) is left to compile().
 */
function referencesJoin(ctx: Context, model: string, e: PyExpression, annotations: ReadonlyMap<string, PyExpression>): boolean {
  const named = (name: string): boolean => {
    const annotation = annotations.get(name.split('__')[0]!)
    if (!annotation) return crossesRelation(ctx, model, name)
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: compile() refuses a transform of an annotation (Unsupported), whatever the answer here
    if (name.includes('__')) return false
    // An annotation refers only to earlier ones, never to itself.
    const earlier = new Map(annotations)
    earlier.delete(name)
    return referencesJoin(ctx, model, annotation, earlier)
  }
  switch (e.kind) {
    case 'F':
      return named(e.name)
    case 'combined':
      return referencesJoin(ctx, model, e.left, annotations) || referencesJoin(ctx, model, e.right, annotations)
    case 'aggregate':
      if (e.filter !== undefined && qJoins(ctx, model, e.filter)) return true
      // '' names no field: the argument is an expression then.
      return e.argument === undefined ? named(e.name) : referencesJoin(ctx, model, e.argument, annotations)
  }
  return false
}

/**
 * Django's FieldError for an aggregate in an update() value, which names the resolved value by its repr: written out
 * for an aggregate of one of the model's own fields (an F() of such an annotation too); other reprs are beyond the kit.
 */
function aggregateInUpdate(ctx: Context, model: string, field: string, e: PyExpression, annotations: ReadonlyMap<string, PyExpression>) {
  // containsAggregate() found an aggregate: an F() here names an aggregate annotation.
  const resolved = e.kind === 'F' ? annotations.get(e.name)! : e
  // Stryker disable next-line ConditionalExpression,LogicalOperator: the repr of any other value holds what the kit cannot write (a filter's lookups print their addresses), so those are refused and no passing document holds one
  if (resolved.kind === 'aggregate' && !resolved.filter && !resolved.distinct && !resolved.argument) {
    const name = ctx.index.keyAlias(model, resolved.name) ? ctx.index.pkName(model) : resolved.name
    // Stryker disable next-line ConditionalExpression: see above (an aggregate of an annotation resolves to its expression)
    if (ctx.index.keyAlias(model, resolved.name) || ctx.index.field(model, name)) {
      const col = `Col(${ctx.appLabel}_${model.toLowerCase()}, ${ctx.appLabel}.${model}.${name})`
      return raise.field(`Aggregate functions are not allowed in this query (${field}=${expressionTypeName(resolved)}(${col})).`)
    }
  }
  // Stryker disable next-line StringLiteral: see above
  return new Unsupported('this aggregate in an update() value')
}

/** Does an aggregate's `filter=Q(...)` name a relation (its columns are then on a join)? */
function qJoins(ctx: Context, model: string, n: QNode): boolean {
  if (n.kind === 'leaf') {
    // Stryker disable next-line ConditionalExpression: a filter that joins nothing leaves an aggregate whose repr the kit cannot write (refused just after), so no passing document tells the answers apart
    return ctx.index.relationByQueryName(model, n.key.split('__')[0]!) !== undefined
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral,BooleanLiteral: a Q() a document writes holds no path nodes (only a related manager's own filter does)
  if (n.kind === 'path') return false
  return n.children.some((c) => qJoins(ctx, model, c))
}

/** Repr of a queryset: at most 20 items, then Django's truncation marker. */
export async function reprItems(ctx: Context, qs: QuerySet): Promise<{ items: PyValue[]; truncated: boolean }> {
  const items = qs.cache ?? (await fetch(ctx, slice(qs, undefined, REPR_LIMIT + 1)))
  const truncated = items.length > REPR_LIMIT
  return { items: truncated ? items.slice(0, REPR_LIMIT) : items, truncated }
}
