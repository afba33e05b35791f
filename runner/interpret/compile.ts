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
 * - conditions on aggregates go to HAVING; the ordering's columns go to
 *   GROUP BY, and Meta.ordering then leaves ORDER BY (Django 3.2).
 */
import type { Expression, Hop, Join, Key, Predicate, Scalar, Select } from '../../adapters/contract.js'
import type { Context } from './context.js'
import { FIELD_ERROR, PyException, raise, Unsupported } from './exceptions.js'
import { type FieldSpec, toScalar } from './fields.js'
import { cannotResolve, isValues, lookupItems, type PathLookup, resolvePath, roundedUp, subqueryValue, truthy } from './lookups.js'
import { isObject, type PyExpression, type PyValue, type QNode, type QuerySet } from './values.js'

/**
 * Django's output field of an expression: its class (null for `None`, which
 * has none; absent where the kit does not follow it, as through a relation),
 * or the error resolving it gives, which Django raises only where it reads
 * the value back (a selected column).
 */
interface Output {
  readonly cls?: string | null | undefined
  readonly mixed?: string
  /** How that output field prepares a value compared with it (`get_prep_value`): a model field's own spec, or 'None' for an unnamed field. */
  readonly prep?: FieldSpec
}

/** A compiled column: its expression and how its scalars read back. */
export interface Column extends Output {
  readonly name: string
  readonly expression: Expression
  readonly spec: FieldSpec
}

interface Annotation extends Output {
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
        // Stryker disable next-line ConditionalExpression: an absent key and one set to undefined read the same (the contract's optional fields are tested against undefined)
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
  /** `exists()` of a queryset without distinct(): Django clears the select clause, so the annotations are not read (see below). */
  | { readonly kind: 'exists' }
  /** A model queryset as a lookup's value: its subquery selects the key instead (ordered and distinct as the queryset). */
  | { readonly kind: 'subquery' }
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
  /** The fields the last `values()` named. */
  // Stryker disable next-line ArrayDeclaration: read only for names in maskedBefore, which the same values() step sets
  let lastValues: readonly string[] = []
  /** Django's `annotation_select`: what `values()` masked out is not selected (no fields keep every one). */
  const selectedAnnotations = () =>
    [...annotations.keys()].filter((n) => !maskedBefore?.has(n) || lastValues.length === 0 || lastValues.includes(n))

  const ref = (name: string, reuseSet: Set<number> | null): Annotation => {
    const a = annotations.get(name)
    if (a) return a
    const { path, model: end, condition, cls } = resolveReference(ctx, model, name, annotations, selectedAnnotations())
    const join = joins.walk(path, reuseSet)
    const { transform } = condition
    const field = ctx.index.spec(end, condition.field)!
    // A date part reads as an integer, `date` of a datetime as a date.
    const spec: FieldSpec = transform ? { name: field.name, type: transform === 'date' ? 'date' : 'integer' } : field
    return {
      // Stryker disable next-line ConditionalExpression: see joins.walk()
      expression: { kind: 'field', ...(join === undefined ? {} : { join }), field: condition.field, ...(transform ? { transform } : {}) },
      spec,
      aggregate: false,
      // A transform's output field is a new, unnamed one.
      // Stryker disable next-line ConditionalExpression: see joins.walk()
      ...(cls === undefined ? {} : { cls, prep: transform ? { name: 'None', type: spec.type } : field })
    }
  }

  const fieldOf = (e: Extract<Expression, { kind: 'field' }>) =>
    ctx.index.field(e.join === undefined ? model : joins.models[e.join]!, e.field)
  /** A plain nullable column: Django's `Col` that a negated condition guards with `IS NOT NULL`. */
  // Stryker disable next-line ConditionalExpression: an expression of another kind names no field, so fieldOf() finds none
  const guarded = (e: Expression): boolean => e.kind === 'field' && !e.transform && fieldOf(e)?.nullable === true
  /** Whether SQL may compute NULL for `e` (a joined row may be missing; a division by zero is NULL on SQLite). */
  const mayBeNull = (e: Expression): boolean => {
    switch (e.kind) {
      case 'field':
        // Stryker disable next-line ConditionalExpression: reading an expression that is never NULL as maybe NULL only adds an `IS NULL` term that is false for it
        return e.join !== undefined || fieldOf(e)?.nullable === true
      case 'value':
        // Stryker disable next-line ConditionalExpression: reading an expression that is never NULL as maybe NULL only adds an `IS NULL` term that is false for it
        return e.value === null
      // Stryker disable next-line ConditionalExpression: without this case an arithmetic falls to the aggregate's, which reads it as maybe NULL (see above)
      case 'arithmetic':
        // Only a division by zero computes NULL from operands that are not NULL, and PostgreSQL raises for it instead.
        // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: reading an expression that is never NULL as maybe NULL only adds an `IS NULL` term that is false for it; a document both databases agree on divides by no zero
        return e.op === '/' || mayBeNull(e.left) || mayBeNull(e.right)
      case 'aggregate':
        // Stryker disable next-line ConditionalExpression,StringLiteral: reading an expression that is never NULL as maybe NULL only adds an `IS NULL` term that is false for it
        return e.fn !== 'count'
    }
  }

  const expression = (e: PyExpression, reuseSet: Set<number> | null): Annotation => {
    switch (e.kind) {
      case 'F':
        return ref(e.name, reuseSet)
      case 'value': {
        const v = literal(e.value)
        const prep = v.cls ? { prep: { name: 'None', type: v.spec.type } } : {}
        // A float with an integral value (`4.0`) is a JS integer: the contract marks it, so `F('qty') / 4.0` divides as floats.
        const float = v.spec.type === 'float' && Number.isInteger(v.value) ? { float: true as const } : {}
        return { expression: { kind: 'value', value: v.value, ...float }, spec: v.spec, aggregate: false, cls: v.cls, ...prep }
      }
      case 'combined': {
        const l = expression(e.left, reuseSet)
        const r = expression(e.right, reuseSet)
        const types = [l.spec.type, r.spec.type]
        const type = types.includes('decimal') ? 'decimal' : types.includes('float') ? 'float' : l.spec.type
        // Stryker disable next-line StringLiteral: the name only labels an adapter's fault about a value
        const spec: FieldSpec = { name: 'expression', type }
        return {
          expression: { kind: 'arithmetic', op: e.op, left: l.expression, right: r.expression },
          spec,
          aggregate: l.aggregate || r.aggregate,
          ...combinedOutput(l, r)
        }
      }
      case 'aggregate': {
        const arg = e.argument ? expression(e.argument, null) : ref(e.name, null)
        if (arg.aggregate && e.argument) throw new Unsupported('an aggregate of an expression over an aggregate')
        if (arg.aggregate) throw raise.field(`Cannot compute ${cap(e.fn)}('${e.name}'): '${e.name}' is an aggregate`)
        // Stryker disable next-line BooleanLiteral: inside an aggregate (the last argument) leaf() never reads `negated`
        const filter = e.filter ? node(e.filter, false, null, true, false) : undefined
        const type = e.fn === 'count' ? 'integer' : e.fn === 'avg' ? (arg.spec.type === 'decimal' ? 'decimal' : 'float') : arg.spec.type
        return {
          expression: {
            kind: 'aggregate',
            fn: e.fn,
            argument: arg.expression,
            distinct: e.distinct,
            ...(filter ? { filter } : {})
          },
          // Stryker disable next-line ConditionalExpression,LogicalOperator: the name only labels an adapter's fault about a value
          spec: aggregateSpec(e.fn, arg.spec, e.name || arg.spec.name, type),
          aggregate: true,
          ...aggregateOutput(e.fn, arg)
        }
      }
    }
  }

  /**
   * One Q tree of a filter call (`inAggregate`: an aggregate's `filter=`, where negation does not split). `negated`
   * is Django's `branch_negated` (any negation above), `odd` its `current_negated` (an odd number of them).
   */
  const node = (n: QNode, negated: boolean, reuseSet: Set<number> | null, inAggregate: boolean, odd: boolean): Predicate => {
    if (n.kind === 'leaf' || n.kind === 'path') return leaf(n, negated, reuseSet, inAggregate, odd)
    const neg = negated || n.negated
    const items = n.children.map((c) => node(c, neg, reuseSet, inAggregate, odd !== n.negated))
    // Stryker disable next-line ConditionalExpression: an AND or OR of one item is that item
    const combined: Predicate = items.length === 1 ? items[0]! : { kind: n.kind, items }
    return n.negated ? { kind: 'not', item: combined } : combined
  }

  const leaf = (
    n: Extract<QNode, { kind: 'leaf' | 'path' }>,
    negated: boolean,
    reuseSet: Set<number> | null,
    inAggregate: boolean,
    odd: boolean
  ): Predicate => {
    if (n.kind === 'leaf') {
      const [first, ...rest] = n.key.split('__')
      const annotation = annotations.get(first!)
      if (annotation) return annotationLookup(annotation, rest, n.value, reuseSet, odd)
    }
    // Stryker disable next-line ConditionalExpression: a path node's (absent) value is no expression either, and the node is resolved already
    const value = n.kind === 'leaf' ? n.value : null
    const rhs = isObject(value) && value.kind === 'expression' ? expression(value.expr, reuseSet) : undefined
    const { path, condition } =
      n.kind === 'path' ? n : resolvePath(ctx.index, ctx.display, model, n.key, value as PyValue, rhs === undefined, selectedAnnotations())
    if (negated && path.length && !inAggregate) {
      if (rhs) throw new Unsupported('an F() expression in a negated condition through a relation')
      const tie = reuseSet ? joins.tie(path[0]!, reuseSet) : undefined
      // Stryker disable next-line ConditionalExpression: see joins.walk()
      const base = { kind: 'exists' as const, path, ...(tie === undefined ? {} : { join: tie }) }
      // A shortcut for the relation's own key: the general rules below give the same truth for it.
      // Stryker disable next-line StringLiteral,BlockStatement,ConditionalExpression: see the line above
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
      // Stryker disable next-line ConditionalExpression: see joins.walk()
      ...(join === undefined ? {} : { join }),
      field: condition.field,
      ...(condition.transform ? { transform: condition.transform } : {})
    }
    // Django 3.2 reads a value of isnull by its truth (non-booleans are deprecated), and an expression object is true:
    // `IS NULL`, whatever the expression computes (it still makes its joins).
    if (rhs && condition.lookup === 'isnull') return isNullOf(left, true)
    if (rhs) {
      const p: Predicate = { kind: 'lookup', left, lookup: condition.lookup, right: rhs.expression }
      // Django adds `IS NOT NULL` for the field and for a plain nullable column on the right, not for another expression.
      if (!odd || guarded(rhs.expression) || !mayBeNull(rhs.expression)) return p
      const isNull = isNullOf(rhs.expression, true)
      return { kind: 'or', items: [p, mayBeNull(left) ? { kind: 'and', items: [isNull, isNullOf(left, false)] } : isNull] }
    }
    const right = condition.value
    return {
      kind: 'lookup',
      left,
      lookup: condition.lookup,
      right: Array.isArray(right) ? right : { kind: 'value', value: right as Scalar }
    }
  }

  const annotationLookup = (
    a: Annotation,
    rest: readonly string[],
    value: PyValue,
    reuseSet: Set<number> | null,
    odd: boolean
  ): Predicate => {
    const p = annotationPredicate(a, rest, value, reuseSet)
    // Django adds no `IS NOT NULL` term for an annotation: a NULL on either side makes the comparison unknown.
    if (!odd || p.lookup === 'isnull') return p
    // Stryker disable next-line MethodExpression,ArrayDeclaration: reading an expression that is never NULL as maybe NULL only adds an `IS NULL` term that is false for it (and a string is no expression: mayBeNull() leaves it out)
    const sides = [p.left, ...(Array.isArray(p.right) ? [] : [p.right as Expression])].filter(mayBeNull)
    return sides.length ? { kind: 'or', items: [p, ...sides.map((e) => isNullOf(e, true))] } : p
  }

  const annotationPredicate = (
    a: Annotation,
    rest: readonly string[],
    value: PyValue,
    reuseSet: Set<number> | null
  ): Extract<Predicate, { kind: 'lookup' }> => {
    const lookup = rest.length === 0 ? 'exact' : rest[0]!
    if (rest.length > 1 || !['exact', 'gt', 'gte', 'lt', 'lte', 'in', 'range', 'isnull'].includes(lookup))
      throw new Unsupported(`the lookup '${rest.join('__')}' on an annotation`)
    // Django finds the lookup on the annotation's output field, when filter() is called.
    if (a.mixed !== undefined) throw raise.field(a.mixed)
    // A value is prepared by that output field, as a model field's is.
    const prep = (v: PyValue): Scalar => prepared(ctx, a, lookup, v)
    if (isObject(value) && value.kind === 'expression') {
      const right = expression(value.expr, reuseSet).expression
      // As on a field: an expression as isnull's value is true.
      if (lookup === 'isnull') return isNullOf(a.expression, true)
      return { kind: 'lookup', left: a.expression, lookup: lookup as 'exact', right }
    }
    if (lookup === 'in' || lookup === 'range') {
      return { kind: 'lookup', left: a.expression, lookup, right: lookupItems(lookup, value).map(prep) }
    }
    if (value === null) {
      // As on a field: None means isnull for exact only.
      if (lookup !== 'exact') throw raise.value('Cannot use None as a query value')
      return { kind: 'lookup', left: a.expression, lookup: 'isnull', right: { kind: 'value', value: true } }
    }
    if (lookup === 'isnull') return { kind: 'lookup', left: a.expression, lookup, right: { kind: 'value', value: truthy(value) } }
    const one = isValues(value) ? subqueryValue(lookup, value) : value
    return { kind: 'lookup', left: a.expression, lookup: lookup as 'exact', right: { kind: 'value', value: prep(one) } }
  }

  for (const step of qs.steps) {
    if (step.kind === 'filter') {
      if (!step.sticky) reuse = new Set()
      const inner = node(step.node, step.negated, reuse, false, step.negated)
      // exclude(**kw) is filter(~Q(**kw)).
      const p: Predicate = step.negated ? { kind: 'not', item: inner } : inner
      const parts = p.kind === 'and' ? p.items : [p]
      for (const part of parts) (involvesAggregate(part) ? having : where).push(part)
    } else if (step.kind === 'annotate') {
      const r = expression(step.expr, null)
      // A bare Value(None) has no output field: Django says so where it reads the value back, as for mixed types.
      // (An output of class None has no error of its own: one with an error has no class.)
      const unknown = r.cls === null ? { mixed: 'Cannot resolve expression type, unknown output_field' } : {}
      annotations.set(step.name, { ...r, ...unknown, spec: { ...r.spec, name: step.name } })
      isAggregate.set(step.name, r.aggregate)
      // Django groups by the values() fields anew at each aggregate annotation (by the model's fields without values()).
      if (r.aggregate) groupColumns = valuesColumns ?? groupColumns ?? []
    } else {
      maskedBefore = new Set(annotations.keys())
      lastValues = step.fields
      valuesColumns = (step.fields.length ? step.fields : ctx.index.concreteFields(model)).map((f) => {
        const r = ref(f, null)
        return column(f, r)
      })
    }
  }
  let ownerKey: Column | undefined
  if (want.kind === 'prefetch') {
    // Django appends `filter(<relation>__in=owners)`: a join of its own.
    const alias = joins.walk([want.hop], new Set())!
    // Stryker disable next-line ObjectLiteral,StringLiteral: this only spares work: fetchPrefetch() groups the rows by the owner column and reads the owners' groups only
    where.push({ kind: 'lookup', left: { kind: 'field', join: alias, field: 'id' }, lookup: 'in', right: [...want.owners] })
    const end = joins.models[alias]!
    // Stryker disable next-line StringLiteral: the name of a models query's column before its fields is never read
    ownerKey = { name: 'owner', expression: { kind: 'field', join: alias, field: 'id' }, spec: ctx.index.spec(end, 'id')! }
  }
  const grouped = [...annotations.values()].some((a) => a.aggregate)
  /**
   * What Django's exists() (or a subquery of keys) still compiles once it cleared the select clause:
   * the GROUP BY, of the values() names before the aggregate (else the
   * model's fields) and the selected annotations that are no aggregates.
   */
  const existsReads = (): readonly Output[] => {
    // Stryker disable next-line ArrayDeclaration: the outputs are read for their `mixed` only, which a string has not
    if (!grouped) return []
    const plain = selectedAnnotations()
      .map((n) => annotations.get(n)!)
      .filter((a) => !a.aggregate)
    // Stryker disable next-line ArrayDeclaration: an aggregate annotation (grouped) always sets groupColumns
    return [...(groupColumns ?? []), ...plain]
  }
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
  // Stryker disable next-line StringLiteral: the name of a models query's column before its fields is never read, and values() reads its own
  const key = (): Column => ({ name: 'id', expression: { kind: 'field', field: 'id' }, spec: ctx.index.spec(model, 'id')! })
  const field = (name: string): Column => {
    const r = ref(name, null)
    return column(name, r)
  }
  const annotationColumns = (names?: readonly string[]) =>
    [...annotations]
      .filter(([n]) => !names || names.includes(n) || (maskedBefore !== undefined && !maskedBefore.has(n)))
      .map(([n, a]) => column(n, a))
  // Stryker disable next-line ConditionalExpression,StringLiteral: delete() refuses values() querysets, and the columns of a models query start with the key too
  if (want.kind === 'keys' || want.kind === 'exists' || want.kind === 'subquery') columns = [key()]
  else if (want.kind === 'aggregate' || want.kind === 'update') {
    columns = want.items.map(([name, e]) => {
      const r = expression(e, null)
      return column(name, r)
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
      return a ? column(f, a) : (valuesColumns?.find((c) => c.name === f) ?? field(f))
    })
    // Annotations made after the last values_list(): it cannot have named them.
    // Stryker disable next-line ArrayDeclaration: no annotation can be named 'Stryker was here' (not an identifier)
    columns.push(...annotationColumns([]))
  }
  // Reading a value back needs its output field, a selected annotation's first (Django selects them after the fields,
  // whatever values() asks); update() only writes its values. aggregate() over annotations selects from a subquery that
  // selects them, and delete() fetches the annotated rows.
  let read: readonly Output[] = [...selectedAnnotations().map((n) => annotations.get(n)!), ...columns]
  // Stryker disable next-line ArrayDeclaration: the outputs are read for their `mixed` only, which a string has not
  if (want.kind === 'update') read = []
  else if (want.kind === 'exists' || want.kind === 'subquery') read = existsReads()
  const unresolved = read.find((c) => c.mixed !== undefined)
  if (unresolved) throw raise.field(unresolved.mixed!)

  // Ordering: explicit names, or Meta.ordering. Grouped, Django 3.2 adds the ordering's columns to GROUP BY (not an
  // annotation, which refers to the select, nor an aggregate) and leaves Meta.ordering out of ORDER BY: the groups
  // split by the model's ordering, in no order.
  const orderBy: Select['orderBy'][number][] = []
  const orderGroup: Expression[] = []
  // The queryset's own rows: ordered and distinct as it says.
  const own = want.kind === 'mode' || want.kind === 'prefetch' || want.kind === 'subquery'
  if (own) {
    const explicit = qs.orderNames ?? qs.order?.map((k) => (k.descending ? '-' : '') + k.field)
    const order = (expression: Expression, descending: boolean, groups: boolean, nulls?: 'first' | 'last') => {
      // Grouped and not ordered explicitly, Django's rows come in no order (no ORDER BY), so a document sorts them.
      // Stryker disable next-line ConditionalExpression: see the line above
      if (explicit || !grouped) orderBy.push({ expression, descending, ...(nulls ? { nulls } : {}) })
      if (grouped && groups) orderGroup.push(expression)
    }
    for (const name of explicit ?? metaOrdering(ctx, model)) {
      if (typeof name !== 'string') {
        const r = expression(name.expr, null)
        order(r.expression, name.descending, !r.aggregate, name.nulls)
        continue
      }
      const descending = name.startsWith('-')
      const bare = descending ? name.slice(1) : name
      // A name that ends on a relation orders by the related model's Meta.ordering, as Django does.
      const end = annotations.has(bare) ? undefined : relationEnd(bare)
      const keys = end ? ctx.index.model(end).ordering : []
      if (keys.length) {
        for (const k of keys) order(ref(`${bare}__${k.field}`, null).expression, descending !== k.descending, true)
      } else {
        order(ref(bare, null).expression, descending, !annotations.has(bare))
      }
    }
  }

  let group: Expression[] | undefined
  if (want.kind === 'aggregate') group = []
  else if (grouped) {
    // Stryker disable next-line OptionalChaining: an aggregate annotation (grouped) always sets groupColumns
    const columns = groupColumns?.length ? groupColumns.map((c) => c.expression) : [{ kind: 'field', field: 'id' } as const]
    // Each column once, as Django's SQL says it.
    // Stryker disable next-line ArrowFunction: grouping by a column twice groups as once
    const seen = new Set(columns.map((e) => JSON.stringify(e)))
    // Stryker disable next-line MethodExpression,ConditionalExpression,LogicalOperator: grouping by a column twice groups as once
    group = [...columns, ...orderGroup.filter((e) => !seen.has(JSON.stringify(e)) && seen.add(JSON.stringify(e)))]
  }

  const select: Select = {
    model,
    joins: joins.list,
    // Stryker disable next-line ConditionalExpression: an AND of one item is that item
    ...(where.length ? { where: where.length === 1 ? where[0]! : { kind: 'and', items: where } } : {}),
    ...(group ? { group } : {}),
    // Stryker disable next-line ConditionalExpression: an AND of one item is that item
    ...(having.length ? { having: having.length === 1 ? having[0]! : { kind: 'and', items: having } } : {}),
    columns: columns.map((c) => c.expression),
    // A prefetch query and a subquery keep their queryset's distinct() too. Elsewhere distinct changes nothing: deleteRows() deletes and counts by
    // `id in keys`, an aggregate select answers one row, update() skips keys it has seen, and aggregate() never compiles a distinct queryset.
    // Stryker disable next-line ConditionalExpression,BooleanLiteral,StringLiteral: see the line above
    distinct: want.kind === 'keys' ? true : own ? qs.distinct : false,
    orderBy,
    // Only 'mode', 'exists' and 'subquery' queries can be sliced here: the other callers refuse slices first (see the top).
    offset: qs.low,
    ...(qs.high !== undefined ? { limit: Math.max(0, qs.high - qs.low) } : {})
  }
  return { select, columns, grouped }
}

/** The base of an integer field class, as Django derives them (the kit follows the subclasses of numbers only). */
function integerBase(cls: string): string | undefined {
  switch (cls) {
    case 'AutoField':
    case 'SmallIntegerField':
    case 'BigIntegerField':
    case 'PositiveIntegerField':
      return 'IntegerField'
    case 'SmallAutoField':
    case 'PositiveSmallIntegerField':
      return 'SmallIntegerField'
    case 'BigAutoField':
    case 'PositiveBigIntegerField':
      return 'BigIntegerField'
  }
  return undefined
}

function isSubclass(cls: string, of: string): boolean {
  for (let c: string | undefined = cls; c !== undefined; c = integerBase(c)) if (c === of) return true
  return false
}

const numeric = (cls: string) => isSubclass(cls, 'IntegerField') || cls === 'FloatField' || cls === 'DecimalField'

/**
 * `CombinedExpression._resolve_output_field`: the left side's field when the
 * right one's class is a base of it (None sides left out), else a
 * combination of numbers, else the "mixed types" error (where a number is
 * involved: the kit knows no other class hierarchy).
 */
function combinedOutput(l: Output, r: Output): Output {
  // The left side resolves first, so its error is the one raised.
  if (l.mixed !== undefined) return { mixed: l.mixed }
  if (r.mixed !== undefined) return { mixed: r.mixed }
  const [a, b] = [l.cls, r.cls]
  if (a === undefined || b === undefined) return {}
  // Django's output field is then a side's own field (the first not None), which prepares values as that field does.
  if (a === null || b === null) return withPrep({ cls: a ?? b }, a === null ? r : l)
  if (isSubclass(a, b)) return withPrep({ cls: a }, l)
  // Of other classes (strings, dates) one may be a subclass of the other: the kit does not decide.
  if (!numeric(a) && !numeric(b)) return {}
  // Django 3.2's `_connector_combinators` for numbers, the same for + - * / (subclasses match too; two floats or two
  // decimals are the same class, found above).
  const combined: readonly (readonly [string, string, string])[] = [
    ['IntegerField', 'IntegerField', 'IntegerField'],
    ['IntegerField', 'DecimalField', 'DecimalField'],
    ['DecimalField', 'IntegerField', 'DecimalField'],
    ['IntegerField', 'FloatField', 'FloatField'],
    ['FloatField', 'IntegerField', 'FloatField']
  ]
  const found = combined.find(([x, y]) => isSubclass(a, x) && isSubclass(b, y))
  return found ? unnamed(found[2]) : { mixed: `Expression contains mixed types: ${a}, ${b}. You must set output_field.` }
}

/** A new field of a number class (`IntegerField()`), which has no name. */
function unnamed(cls: string): Output {
  const type = cls === 'FloatField' ? 'float' : cls === 'DecimalField' ? 'decimal' : 'integer'
  return { cls, prep: { name: 'None', type } }
}

// Stryker disable next-line ConditionalExpression: see joins.walk()
const withPrep = (o: Output, side: Output): Output => (side.prep ? { ...o, prep: side.prep } : o)

/** An aggregate's output field: Count's is fixed, Avg's a float for integers (NumericOutputFieldMixin), the others' their argument's. */
function aggregateOutput(fn: Extract<PyExpression, { kind: 'aggregate' }>['fn'], arg: Output): Output {
  if (fn === 'count') return unnamed('IntegerField')
  if (arg.mixed !== undefined) return { mixed: arg.mixed }
  // Stryker disable next-line ConditionalExpression,LogicalOperator: an absent class and an undefined one read the same (an aggregate's argument is never None)
  if (arg.cls === undefined || arg.cls === null) return {}
  // Sum, Min and Max answer in their argument's own field; Avg in a new FloatField for integers, DecimalField for decimals.
  if (fn !== 'avg') return withPrep({ cls: arg.cls }, arg)
  if (isSubclass(arg.cls, 'IntegerField')) return unnamed('FloatField')
  return arg.cls === 'DecimalField' ? unnamed('DecimalField') : withPrep({ cls: arg.cls }, arg)
}

/** A selected column: the error resolving its output field, if any, goes with it. */
function column(name: string, r: Annotation): Column {
  // Stryker disable next-line ConditionalExpression: see joins.walk()
  return { name, expression: r.expression, spec: r.spec, ...(r.mixed === undefined ? {} : { mixed: r.mixed }) }
}

/**
 * Django resolves a reference (`F()`, an aggregate's argument) as relations
 * and a field, then transforms only: an unknown name after a relation lists
 * the choices (the query's selected annotations among them), and a lookup,
 * or a name that is no transform of what precedes it, stops at the field.
 * Gives the output field's class, except through a relation's key (the kit
 * does not follow the foreign keys Django reads there).
 */
function resolveReference(
  ctx: Context,
  model: string,
  name: string,
  annotations: ReadonlyMap<string, unknown>,
  selected: readonly string[]
): PathLookup & { readonly cls?: string | undefined } {
  const parts = name.split('__')
  // Transforms of an annotation (Django 3.2 applies them); plain names of one are found before this.
  if (annotations.has(parts[0]!)) throw new Unsupported(`a transform of the annotation in '${name}'`)
  let at = model
  for (const [i, part] of parts.entries()) {
    const end = ctx.index.relationByQueryName(at, part)
    if (end) {
      at = end.other
      continue
    }
    const field = ctx.index.keyAlias(at, part) ?? (ctx.index.field(at, part) ? part : undefined)
    if (field === undefined) throw cannotResolve(ctx.index, at, part, selected)
    const rest = parts.slice(i + 1)
    const joinOn = () => raise.field(`Cannot resolve keyword '${rest[0]}' into field. Join on '${field}' not permitted.`)
    let resolved: PathLookup
    try {
      resolved = resolvePath(ctx.index, ctx.display, model, name, null, false)
    } catch (e) {
      // Names up to the field resolve: the lookup part's error is Django's for a name that is no transform.
      if (e instanceof PyException && e.type === FIELD_ERROR) throw joinOn()
      throw e
    }
    // A lookup named last (`pages__gt`, `released__year__lt`): no transform either.
    if (rest.length && rest[rest.length - 1] === resolved.condition.lookup) throw joinOn()
    const { transform } = resolved.condition
    const cls = transform ? (transform === 'date' ? 'DateField' : 'IntegerField') : ctx.index.models.classes.get(`${at}.${field}`)
    return { ...resolved, cls }
  }
  // Stryker disable next-line BooleanLiteral: a reference reads the path and the key field only, not the lookup a value would make
  return resolvePath(ctx.index, ctx.display, model, name, null, false)
}

/**
 * Whether `F(name)` crosses a relation: Django's update() resolves its values
 * without joins, so a transform of a local field is fine and a relation is
 * refused. Its `setup_joins()` raises for an unknown first name only; it
 * refuses a join before it applies what follows as transforms.
 */
export function crossesRelation(ctx: Context, model: string, name: string): boolean {
  if (ctx.index.relationByQueryName(model, name.split('__')[0]!)) return true
  resolveReference(ctx, model, name, new Map(), [])
  return false
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

/** A value compared with an annotation, as its output field prepares it (and rounds it: see roundedUp()). */
function prepared(ctx: Context, a: Annotation, lookup: string, v: PyValue): Scalar {
  // The kit does not know every output field (through a relation's key): a literal's own type then.
  if (!a.prep) return literal(v).value
  // A date part's own lookups (YearGte, …) do not round.
  // (Only a field expression has a transform.)
  const rounds = (lookup === 'gte' || lookup === 'lt') && !(a.expression as { readonly transform?: string }).transform
  return (rounds && isSubclass(a.cls!, 'IntegerField') ? roundedUp(v) : undefined) ?? toScalar(a.prep, v, ctx.display)
}

/** A Python literal inside an expression, as a contract scalar. */
function literal(v: PyValue): { value: Scalar; spec: FieldSpec; cls: string | null | undefined } {
  // Django 3.2's Value() resolves its output field by the value's type.
  const classes: ReadonlyMap<FieldSpec['type'], string> = new Map([
    ['integer', 'IntegerField'],
    ['string', 'CharField'],
    ['boolean', 'BooleanField'],
    ['float', 'FloatField'],
    ['decimal', 'DecimalField']
  ])
  const typed = (value: Scalar, type: FieldSpec['type']) => ({ value, spec: valueSpec(type), cls: classes.get(type) })
  if (typeof v === 'number') return typed(v, 'integer')
  if (typeof v === 'string') return typed(v, 'string')
  if (typeof v === 'boolean') return typed(v, 'boolean')
  // Stryker disable next-line StringLiteral: arithmetic with None is NULL, which reads back as None whatever the type
  if (v === null) return { value: null, spec: valueSpec('integer'), cls: null }
  if (v.kind === 'float') return typed(v.value, 'float')
  if (v.kind === 'decimal') return typed(v.text, 'decimal')
  throw new Unsupported(`a ${v.kind} inside an expression`)
}

// Stryker disable next-line StringLiteral: the name only labels an adapter's fault about a value
const valueSpec = (type: FieldSpec['type']): FieldSpec => ({ name: 'value', type })

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1)

/** `e IS NULL` (or `IS NOT NULL`), as the contract says it. */
const isNullOf = (e: Expression, value: boolean): Extract<Predicate, { kind: 'lookup' }> => ({
  kind: 'lookup',
  left: e,
  lookup: 'isnull',
  right: { kind: 'value', value }
})

/**
 * An aggregate's values read back: Sum, Min and Max as their argument's field; Avg's DecimalField is a new one,
 * without decimal places, so its value keeps the places the database computed (5.125 of two prices).
 */
function aggregateSpec(fn: string, arg: FieldSpec, name: string, type: FieldSpec['type']): FieldSpec {
  // Stryker disable next-line ConditionalExpression: the places show on trailing zeros only, which SQLite drops and PostgreSQL keeps (Decimal('3') and Decimal('3.00')), so no document holds them
  if (fn !== 'avg') return { ...arg, name, type }
  const { maxDigits: _m, decimalPlaces: _d, ...rest } = arg
  return { ...rest, name, type }
}
