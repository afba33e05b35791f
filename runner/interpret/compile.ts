/**
 * A queryset's history -> one contract `Select` (feature `queries`), with
 * Django 3.2's join rules, which decide what Django prints:
 * - one `filter()` call reuses the joins it made itself (and a related
 *   manager's, which stays sticky); each new call joins a relation afresh,
 *   so two calls multiply rows;
 * - `annotate()`, `values()`, `order_by()` and `F()` outside a filter reuse
 *   the latest join of the same path, or make one;
 * - a negated condition through a relation is a subquery (`exists`), tied to
 *   the join of the same `filter()` call when that join is the relation's
 *   first in the query (Django's alias-name check in `split_exclude`);
 * - conditions on aggregates go to HAVING; Meta.ordering is not used when
 *   grouping (Django 3.1+).
 */
import type { Expression, Hop, Join, Key, Predicate, Scalar, Select } from '../../adapters/contract.js'
import type { Context } from './context.js'
import { raise, Unsupported } from './exceptions.js'
import type { FieldSpec } from './fields.js'
import { lookupItems, resolvePath, truthy } from './lookups.js'
import { isObject, type OrderName, type PyExpression, type PyValue, type QNode, type QuerySet } from './values.js'

/** A compiled column: its expression and how its scalars read back. */
export interface Column {
  readonly name: string
  readonly expression: Expression
  readonly spec: FieldSpec
}

interface Annotation {
  readonly expression: Expression
  readonly spec: FieldSpec
  readonly aggregate: boolean
}

/** Joins of one query, allocated the way Django allocates table aliases. */
class Joins {
  readonly list: Join[] = []
  readonly models: string[] = []
  private readonly first = new Map<string, number>()

  constructor(private readonly ctx: Context) {}

  /** Walk `path`; `reuse` null reuses the latest equal join (Django's `reuse=None`), a set only its members. */
  walk(path: readonly Hop[], reuse: Set<number> | null): number | undefined {
    let from: number | undefined
    for (const hop of path) {
      const equal = this.list.flatMap((j, i) => (j.from === from && j.relation === hop.relation && j.side === hop.side ? [i] : []))
      const usable = reuse ? equal.filter((i) => reuse.has(i)) : equal
      let alias = usable[usable.length - 1]
      if (alias === undefined) {
        alias = this.list.length
        this.list.push({ ...(from === undefined ? {} : { from }), relation: hop.relation, side: hop.side })
        const end = this.ctx.index.models.schema.relations.find((r) => r.name === hop.relation)!
        this.models.push(hop.side === 'forward' ? end.target : end.source)
        if (!this.first.has(hop.relation)) this.first.set(hop.relation, alias)
      }
      reuse?.add(alias)
      from = alias
    }
    return from
  }

  /** The join a negated condition's subquery is tied to, if any (see the module comment). */
  tie(hop: Hop, reuse: ReadonlySet<number>): number | undefined {
    // A relation not joined yet has no alias, and undefined is in no set.
    const alias = this.first.get(hop.relation) as number
    if (!reuse.has(alias)) return undefined
    const j = this.list[alias]!
    // Django compares only the through table's alias name: it ties to a nested join, or to the other side of a
    // self-relation, too, on the link row itself, which a contract `exists` cannot say.
    if (j.from !== undefined || j.side !== hop.side) throw new Unsupported('a negated condition tied to a nested or opposite join')
    return alias
  }
}

/** What compiling a queryset gives: the select and how to read its columns. */
export interface Compiled {
  readonly select: Select
  readonly columns: readonly Column[]
  readonly grouped: boolean
}

/** What the caller wants back per row. */
export type Want =
  | { readonly kind: 'mode' }
  /** The queried rows' keys only (for delete/update), distinct. */
  | { readonly kind: 'keys' }
  /** Aggregates over the whole queryset (`aggregate()`). */
  | { readonly kind: 'aggregate'; readonly items: readonly (readonly [string, PyExpression])[] }
  /** Keys and the values of `update()` expressions. */
  | { readonly kind: 'update'; readonly items: readonly (readonly [string, PyExpression])[] }
  /** `prefetch_related`: the owner's key (through `hop`), then the model's key and fields, for owners in `owners`. */
  | { readonly kind: 'prefetch'; readonly hop: Hop; readonly owners: readonly Key[] }

export function compile(ctx: Context, qs: QuerySet, want: Want = { kind: 'mode' }): Compiled {
  // delete(), update() and aggregate() deal with slices before compiling; Django's prefetch filters its queryset by the owners.
  if (want.kind === 'prefetch' && (qs.low !== 0 || qs.high !== undefined))
    throw raise.assertion('Cannot filter a query once a slice has been taken.')
  const model = qs.model
  const joins = new Joins(ctx)
  const annotations = new Map<string, Annotation>()
  const isAggregate = new Map<string, boolean>()
  const where: Predicate[] = []
  const having: Predicate[] = []
  let valuesColumns: Column[] | undefined
  let groupColumns: Column[] | undefined
  let reuse = new Set<number>()
  /** Annotations made before the last `values()`: only those it names are selected. */
  let maskedBefore: Set<string> | undefined

  const ref = (name: string, reuseSet: Set<number> | null): { expression: Expression; spec: FieldSpec; aggregate: boolean } => {
    const a = annotations.get(name)
    if (a) return a
    const { path, model: end, condition } = resolvePath(ctx.index, ctx.display, model, name, null, false)
    if (condition.transform) throw new Unsupported(`a transform in the field reference '${name}'`)
    const parts = name.split('__')
    if (parts.length > 1 && parts[parts.length - 1] === condition.lookup) {
      // Django resolves a reference's names as fields only: a lookup is an unknown field after a field or a relation.
      const before = parts[parts.length - 2]!
      throw raise.field(
        `Cannot resolve keyword '${condition.lookup}' into field. ${
          ctx.index.field(end, before) || ctx.index.keyAlias(end, before)
            ? `Join on '${before}' not permitted.`
            : `Choices are: ${ctx.index.choices(end)}`
        }`
      )
    }
    const join = joins.walk(path, reuseSet)
    const spec = ctx.index.spec(end, condition.field)!
    return { expression: { kind: 'field', ...(join === undefined ? {} : { join }), field: condition.field }, spec, aggregate: false }
  }

  const expression = (e: PyExpression, reuseSet: Set<number> | null): { expression: Expression; spec: FieldSpec; aggregate: boolean } => {
    switch (e.kind) {
      case 'F':
        return ref(e.name, reuseSet)
      case 'value': {
        const v = literal(e.value)
        return { expression: { kind: 'value', value: v.value }, spec: v.spec, aggregate: false }
      }
      case 'combined': {
        const l = expression(e.left, reuseSet)
        const r = expression(e.right, reuseSet)
        const types = [l.spec.type, r.spec.type]
        const type = types.includes('decimal') ? 'decimal' : types.includes('float') ? 'float' : l.spec.type
        const spec: FieldSpec = { name: 'expression', type }
        return {
          expression: { kind: 'arithmetic', op: e.op, left: l.expression, right: r.expression },
          spec,
          aggregate: l.aggregate || r.aggregate
        }
      }
      case 'aggregate': {
        const arg = ref(e.name, null)
        if (arg.aggregate) throw raise.field(`Cannot compute ${cap(e.fn)}('${e.name}'): '${e.name}' is an aggregate`)
        const filter = e.filter ? node(e.filter, false, null, true) : undefined
        const type = e.fn === 'count' ? 'integer' : e.fn === 'avg' ? (arg.spec.type === 'decimal' ? 'decimal' : 'float') : arg.spec.type
        return {
          expression: {
            kind: 'aggregate',
            fn: e.fn,
            argument: arg.expression,
            distinct: e.distinct,
            ...(filter ? { filter } : {})
          },
          spec: { ...arg.spec, name: e.name, type },
          aggregate: true
        }
      }
    }
  }

  /** One Q tree of a filter call (`inAggregate`: an aggregate's `filter=`, where negation does not split). */
  const node = (n: QNode, negated: boolean, reuseSet: Set<number> | null, inAggregate = false): Predicate => {
    if (n.kind === 'leaf' || n.kind === 'path') return leaf(n, negated, reuseSet, inAggregate)
    const neg = negated || n.negated
    const items = n.children.map((c) => node(c, neg, reuseSet, inAggregate))
    const combined: Predicate = items.length === 1 ? items[0]! : { kind: n.kind, items }
    return n.negated ? { kind: 'not', item: combined } : combined
  }

  const leaf = (
    n: Extract<QNode, { kind: 'leaf' | 'path' }>,
    negated: boolean,
    reuseSet: Set<number> | null,
    inAggregate: boolean
  ): Predicate => {
    if (n.kind === 'leaf') {
      const [first, ...rest] = n.key.split('__')
      const annotation = annotations.get(first!)
      if (annotation) return annotationLookup(annotation, rest, n.value, reuseSet)
    }
    const value = n.kind === 'leaf' ? n.value : null
    const rhs = isObject(value) && value.kind === 'expression' ? expression(value.expr, reuseSet) : undefined
    const { path, condition } =
      n.kind === 'path' ? n : resolvePath(ctx.index, ctx.display, model, n.key, value as PyValue, rhs === undefined)
    if (negated && path.length && !inAggregate) {
      if (rhs) throw new Unsupported('an F() expression in a negated condition through a relation')
      const tie = reuseSet ? joins.tie(path[0]!, reuseSet) : undefined
      const base = { kind: 'exists' as const, path, ...(tie === undefined ? {} : { join: tie }) }
      // A shortcut for the relation's own key: the general rules below give the same truth for it.
      // Stryker disable next-line StringLiteral,BlockStatement: see the line above
      if (condition.lookup === 'isnull' && condition.field === 'id') {
        return condition.value === true ? { kind: 'not', item: base } : base
      }
      // Django's subquery reaches the field through outer joins: no related row counts as null too.
      if (condition.lookup === 'isnull' && condition.value === true)
        return {
          kind: 'or',
          items: [
            { ...base, condition },
            { kind: 'not', item: base }
          ]
        }
      return { ...base, condition }
    }
    const join = joins.walk(path, reuseSet)
    const left: Expression = {
      kind: 'field',
      ...(join === undefined ? {} : { join }),
      field: condition.field,
      ...(condition.transform ? { transform: condition.transform } : {})
    }
    if (rhs) return { kind: 'lookup', left, lookup: condition.lookup, right: rhs.expression }
    const right = condition.value
    return {
      kind: 'lookup',
      left,
      lookup: condition.lookup,
      right: Array.isArray(right) ? right : { kind: 'value', value: right as Scalar }
    }
  }

  const annotationLookup = (a: Annotation, rest: readonly string[], value: PyValue, reuseSet: Set<number> | null): Predicate => {
    const lookup = rest.length === 0 ? 'exact' : rest[0]!
    if (rest.length > 1 || !['exact', 'gt', 'gte', 'lt', 'lte', 'in', 'range', 'isnull'].includes(lookup))
      throw new Unsupported(`the lookup '${rest.join('__')}' on an annotation`)
    if (isObject(value) && value.kind === 'expression') {
      return { kind: 'lookup', left: a.expression, lookup: lookup as 'exact', right: expression(value.expr, reuseSet).expression }
    }
    if (lookup === 'in' || lookup === 'range') {
      return { kind: 'lookup', left: a.expression, lookup, right: lookupItems(lookup, value).map((v) => literal(v).value) }
    }
    if (value === null) {
      // As on a field: None means isnull for exact only.
      if (lookup !== 'exact') throw raise.value('Cannot use None as a query value')
      return { kind: 'lookup', left: a.expression, lookup: 'isnull', right: { kind: 'value', value: true } }
    }
    if (lookup === 'isnull') return { kind: 'lookup', left: a.expression, lookup, right: { kind: 'value', value: truthy(value) } }
    return { kind: 'lookup', left: a.expression, lookup: lookup as 'exact', right: { kind: 'value', value: literal(value).value } }
  }

  for (const step of qs.steps) {
    if (step.kind === 'filter') {
      if (!step.sticky) reuse = new Set()
      const inner = node(step.node, step.negated, reuse)
      // exclude(**kw) is filter(~Q(**kw)).
      const p: Predicate = step.negated ? { kind: 'not', item: inner } : inner
      const parts = p.kind === 'and' ? p.items : [p]
      for (const part of parts) (involvesAggregate(part) ? having : where).push(part)
    } else if (step.kind === 'annotate') {
      const r = expression(step.expr, null)
      annotations.set(step.name, { ...r, spec: { ...r.spec, name: step.name } })
      isAggregate.set(step.name, r.aggregate)
      // Django groups by the values() fields anew at each aggregate annotation (by the model's fields without values()).
      if (r.aggregate) groupColumns = valuesColumns ?? groupColumns ?? []
    } else {
      maskedBefore = new Set(annotations.keys())
      valuesColumns = (step.fields.length ? step.fields : ctx.index.concreteFields(model)).map((f) => {
        const r = ref(f, null)
        return { name: f, expression: r.expression, spec: r.spec }
      })
    }
  }
  let ownerKey: Column | undefined
  if (want.kind === 'prefetch') {
    // Django appends `filter(<relation>__in=owners)`: a join of its own.
    const alias = joins.walk([want.hop], new Set())!
    where.push({ kind: 'lookup', left: { kind: 'field', join: alias, field: 'id' }, lookup: 'in', right: [...want.owners] })
    const end = joins.models[alias]!
    ownerKey = { name: 'owner', expression: { kind: 'field', join: alias, field: 'id' }, spec: ctx.index.spec(end, 'id')! }
  }
  const grouped = [...annotations.values()].some((a) => a.aggregate)
  /** The model a name like `books__authors` ends on, when every part of it is a relation. */
  const relationEnd = (name: string): string | undefined => {
    let at = model
    for (const part of name.split('__')) {
      const end = ctx.index.relationByQueryName(at, part)
      if (!end) return undefined
      at = end.other
    }
    return at
  }

  let columns: Column[]
  const mode = qs.mode
  const key = (): Column => ({ name: 'id', expression: { kind: 'field', field: 'id' }, spec: ctx.index.spec(model, 'id')! })
  const field = (name: string): Column => {
    const r = ref(name, null)
    return { name, expression: r.expression, spec: r.spec }
  }
  const annotationColumns = (names?: readonly string[]) =>
    [...annotations]
      .filter(([n]) => !names || names.includes(n) || (maskedBefore !== undefined && !maskedBefore.has(n)))
      .map(([n, a]): Column => ({ name: n, expression: a.expression, spec: a.spec }))
  if (want.kind === 'keys') columns = [key()]
  else if (want.kind === 'aggregate' || want.kind === 'update') {
    columns = want.items.map(([name, e]) => {
      const r = expression(e, null)
      return { name, expression: r.expression, spec: r.spec }
    })
    if (want.kind === 'update') columns.unshift(key())
  } else if (mode.kind === 'models') {
    columns = [key(), ...ctx.index.model(model).fields.map((f) => field(f.name)), ...annotationColumns()]
    if (ownerKey) columns.unshift(ownerKey)
  } else if (
    // dates() are listed by fetch() through a values_list() query: a 'dates' mode is never compiled.
    // Stryker disable next-line all: see the line above
    mode.kind === 'dates'
    // Stryker disable next-line all: see above
  ) {
    // Stryker disable next-line all: see above
    columns = [field(mode.field)]
  } else if (mode.fields.length === 0) {
    columns = [...ctx.index.concreteFields(model).map(field), ...annotationColumns()]
  } else if (mode.kind === 'values') {
    const plain = mode.fields.filter((f) => !annotations.has(f))
    // Stryker disable next-line OptionalChaining: a values() mode always comes with its values step
    columns = [...plain.map((f) => valuesColumns?.find((c) => c.name === f) ?? field(f)), ...annotationColumns(mode.fields)]
  } else {
    columns = mode.fields.map((f) => {
      const a = annotations.get(f)
      return a ? { name: f, expression: a.expression, spec: a.spec } : (valuesColumns?.find((c) => c.name === f) ?? field(f))
    })
    // Annotations made after the last values_list(): it cannot have named them.
    // Stryker disable next-line ArrayDeclaration: no annotation can be named 'Stryker was here' (not an identifier)
    columns.push(...annotationColumns([]))
  }

  // Ordering: explicit names, or Meta.ordering unless grouping.
  const orderBy: Select['orderBy'][number][] = []
  if (want.kind === 'mode' || want.kind === 'prefetch') {
    const names: readonly OrderName[] =
      qs.orderNames ?? qs.order?.map((k) => (k.descending ? '-' : '') + k.field) ?? (grouped ? [] : metaOrdering(ctx, model))
    for (const name of names) {
      if (typeof name !== 'string') {
        orderBy.push({
          expression: expression(name.expr, null).expression,
          descending: name.descending,
          ...(name.nulls ? { nulls: name.nulls } : {})
        })
        continue
      }
      const descending = name.startsWith('-')
      const bare = descending ? name.slice(1) : name
      // A name that ends on a relation orders by the related model's Meta.ordering, as Django does.
      const end = annotations.has(bare) ? undefined : relationEnd(bare)
      const keys = end ? ctx.index.model(end).ordering : []
      if (keys.length) {
        for (const k of keys)
          orderBy.push({ expression: ref(`${bare}__${k.field}`, null).expression, descending: descending !== k.descending })
      } else {
        orderBy.push({ expression: ref(bare, null).expression, descending })
      }
    }
  }

  let group: Expression[] | undefined
  if (want.kind === 'aggregate') group = []
  // Stryker disable next-line OptionalChaining: an aggregate annotation (grouped) always sets groupColumns
  else if (grouped) group = groupColumns?.length ? groupColumns.map((c) => c.expression) : [{ kind: 'field', field: 'id' }]

  const select: Select = {
    model,
    joins: joins.list,
    ...(where.length ? { where: where.length === 1 ? where[0]! : { kind: 'and', items: where } } : {}),
    ...(group ? { group } : {}),
    ...(having.length ? { having: having.length === 1 ? having[0]! : { kind: 'and', items: having } } : {}),
    columns: columns.map((c) => c.expression),
    // A prefetch query keeps its queryset's distinct() too.
    distinct: want.kind === 'keys' ? true : want.kind === 'mode' || want.kind === 'prefetch' ? qs.distinct : false,
    orderBy,
    // Only a 'mode' query can be sliced here: the other callers refuse slices first (see the top).
    offset: qs.low,
    ...(qs.high !== undefined ? { limit: Math.max(0, qs.high - qs.low) } : {})
  }
  return { select, columns, grouped }
}

function metaOrdering(ctx: Context, model: string): string[] {
  return ctx.index.model(model).ordering.map((k) => (k.descending ? '-' : '') + k.field)
}

function involvesAggregate(p: Predicate): boolean {
  switch (p.kind) {
    case 'and':
    case 'or':
      return p.items.some(involvesAggregate)
    case 'not':
      return involvesAggregate(p.item)
    // Stryker disable next-line StringLiteral: a kind no case names ends the function with undefined, as false as this
    case 'exists':
      return false
    case 'lookup':
      return hasAggregate(p.left) || (!Array.isArray(p.right) && hasAggregate(p.right as Expression))
  }
}

function hasAggregate(e: Expression): boolean {
  return e.kind === 'aggregate' || (e.kind === 'arithmetic' && (hasAggregate(e.left) || hasAggregate(e.right)))
}

/** A Python literal inside an expression, as a contract scalar. */
function literal(v: PyValue): { value: Scalar; spec: FieldSpec } {
  if (typeof v === 'number') return { value: v, spec: valueSpec('integer') }
  if (typeof v === 'string') return { value: v, spec: valueSpec('string') }
  if (typeof v === 'boolean') return { value: v, spec: valueSpec('boolean') }
  if (v === null) return { value: null, spec: valueSpec('integer') }
  if (v.kind === 'float') return { value: v.value, spec: valueSpec('float') }
  if (v.kind === 'decimal') return { value: v.text, spec: valueSpec('decimal') }
  throw new Unsupported(`a ${v.kind} inside an expression`)
}

// Stryker disable next-line StringLiteral: the name only labels an adapter's fault about a value
const valueSpec = (type: FieldSpec['type']): FieldSpec => ({ name: 'value', type })

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1)
