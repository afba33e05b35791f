/**
 * Python-level values the interpreter keeps between statements. Plain JS
 * `null`, booleans, numbers (ints) and strings stand for None, bool, int, str.
 */
import type { Condition, Filter, Hop, Key, OrderKey, RelationSchema, Side } from '../../adapters/contract.js'
import type { PyScalarObject } from '../present/pytypes.js'
import type { FieldValue } from '../present/repr.js'

export type { FieldValue }

export type PyValue =
  | null
  | boolean
  | number
  | string
  | PyList
  | PyTuple
  | PyDict
  | Instance
  | ModelClass
  | ExceptionClass
  | Manager
  | RelatedManager
  | QuerySet
  | BoundMethod
  | Builtin
  | PyScalarObject
  | PyType
  | PyModule
  | DjangoClass
  | QObject
  | ExpressionObject
  | PrefetchObject

export interface PyList {
  readonly kind: 'list'
  readonly items: PyValue[]
}
export interface PyTuple {
  readonly kind: 'tuple'
  readonly items: readonly PyValue[]
  /** A named tuple's field names (`values_list(named=True)`: `Row(name='…')`). */
  readonly names?: readonly string[]
}
export interface PyDict {
  readonly kind: 'dict'
  readonly entries: (readonly [PyValue, PyValue])[]
}

/** A model instance. `id` is null until saved and again after `delete()`. */
export interface Instance {
  readonly kind: 'instance'
  readonly model: string
  /** The primary key, whatever the key field is called. */
  id: Key | null
  readonly values: Record<string, FieldValue>
  /** Django's `_state.db`: null until the instance has been saved or loaded. */
  db: 'default' | null
  /** Plain attributes a statement set (`a.note = 1`), as Python allows. */
  readonly extra: Map<string, PyValue>
  /** `prefetch_related()` results by manager attribute (Django's `_prefetched_objects_cache`). */
  prefetched?: Map<string, Instance[]>
  /** Fields assigned an `F()` expression: `save()` has the database compute them; they read as the expression until refreshed. */
  pending?: Map<string, ExpressionObject>
}

export interface ModelClass {
  readonly kind: 'model'
  readonly name: string
}
export interface ExceptionClass {
  readonly kind: 'exception-class'
  readonly name: string
}

/** `Model.objects`. */
export interface Manager {
  readonly kind: 'manager'
  readonly model: string
}

/** `book.authors` / `author.book_set`: the related set of `ownerId`. */
export interface RelatedManager {
  readonly kind: 'related-manager'
  readonly relation: RelationSchema
  /** Side of the owner instance. */
  readonly side: Side
  readonly ownerId: Key
  /** The model the manager returns. */
  readonly model: string
  /** The owner instance and the attribute that gave the manager (for its prefetched set). */
  readonly owner?: Instance
  readonly attribute?: string
}

/** What a queryset yields per row. */
export type Mode =
  | { readonly kind: 'models' }
  | { readonly kind: 'values'; readonly fields: readonly string[] }
  | { readonly kind: 'values_list'; readonly fields: readonly string[]; readonly flat: boolean; readonly named?: boolean }
  /** `dates(field, kind, order)`: distinct truncated dates. */
  | { readonly kind: 'dates'; readonly field: string; readonly unit: 'year' | 'month' | 'week' | 'day'; readonly descending: boolean }

/** A name of Django's the document imported: `Q`, `F`, `Count`, `Prefetch`, … */
export interface DjangoClass {
  readonly kind: 'django'
  readonly name: 'Q' | 'F' | 'Value' | 'Count' | 'Sum' | 'Avg' | 'Min' | 'Max' | 'Prefetch'
}

/** A `Q` object: a tree of keyword lookups, kept unresolved until a queryset uses it. */
export interface QObject {
  readonly kind: 'q'
  readonly node: QNode
}
export type QNode =
  | { readonly kind: 'leaf'; readonly key: string; readonly value: PyValue }
  /** Already resolved (a related manager's own filter on its owner). */
  | { readonly kind: 'path'; readonly path: readonly Hop[]; readonly condition: Omit<Condition, 'via'> }
  | { readonly kind: 'and' | 'or'; readonly negated: boolean; readonly children: readonly QNode[] }

/** `F('x')`, `Value(v)`, arithmetic on them, or an aggregate (`Count('authors', distinct=True)`, `Sum(F('x') + 1)`). */
export interface ExpressionObject {
  readonly kind: 'expression'
  readonly expr: PyExpression
  /** `.asc()` / `.desc()`: an ordering, for `order_by()`. */
  readonly order?: { readonly descending: boolean; readonly nulls?: 'first' | 'last' }
}
export type PyExpression =
  | { readonly kind: 'F'; readonly name: string }
  | { readonly kind: 'value'; readonly value: PyValue }
  | { readonly kind: 'combined'; readonly op: '+' | '-' | '*' | '/'; readonly left: PyExpression; readonly right: PyExpression }
  | {
      readonly kind: 'aggregate'
      readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max'
      /** The field an `F()` (or string) argument names; '' when `argument` is given instead. */
      readonly name: string
      /** Any other argument (`F('x') + 1`, `Value(1)`): Django's default_alias needs an argument with a name. */
      readonly argument?: PyExpression
      readonly distinct: boolean
      readonly filter?: QNode
    }

/** `Prefetch(lookup, queryset=None, to_attr=None)`. */
export interface PrefetchObject {
  readonly kind: 'prefetch'
  readonly lookup: string
  readonly queryset: QuerySet | null
  readonly toAttr: string | null
}

/** One step of a queryset's history that the `query` operation replays (Django's join reuse depends on the order). */
export type Step =
  | { readonly kind: 'filter'; readonly node: QNode; readonly negated: boolean; readonly sticky: boolean }
  | { readonly kind: 'annotate'; readonly name: string; readonly expr: PyExpression }
  | { readonly kind: 'values'; readonly fields: readonly string[] }

/** An `order_by()` argument: a name (`-n`, `authors__name`) or an expression (`F('x').desc()`). */
export type OrderName = string | { readonly expr: PyExpression; readonly descending: boolean; readonly nulls?: 'first' | 'last' }

/** A lazy queryset; evaluated when printed, indexed, counted or listed. */
export interface QuerySet {
  readonly kind: 'queryset'
  readonly model: string
  readonly filters: readonly Filter[]
  readonly distinct: boolean
  /** null: the model's `Meta.ordering`; `[]`: unordered (`order_by()`). */
  readonly order: readonly OrderKey[] | null
  readonly low: number
  readonly high: number | undefined
  readonly mode: Mode
  /** The next non-negated filter joins the same rows as the last one (a related manager's queryset). */
  readonly sticky: boolean
  /** Django's result cache, filled by `len()`/`list()`. */
  cache: PyValue[] | null
  /** Every filter/annotate/values call, for the `query` operation. */
  readonly steps: readonly Step[]
  /** Needs the `query` operation (feature `queries`): `filters` cannot say it. */
  readonly wide: boolean
  /** `annotate()` names in order; `aggregate` when the expression aggregates. */
  readonly annotations: readonly { readonly name: string; readonly aggregate: boolean }[]
  /** Order by names (`-authors__name`, an annotation) or expressions when `order` cannot say them. */
  readonly orderNames: readonly OrderName[] | null
  /** `prefetch_related()` lookups. */
  readonly prefetch: readonly PrefetchObject[]
}

export interface BoundMethod {
  readonly kind: 'method'
  readonly self: PyValue
  readonly name: string
}
export interface Builtin {
  readonly kind: 'builtin'
  readonly name: string
}
/** A class from `datetime` or `decimal` the document imported: calling it makes a value. */
export interface PyType {
  readonly kind: 'pytype'
  readonly name: 'date' | 'datetime' | 'time' | 'Decimal'
}
/** `import datetime`. */
export interface PyModule {
  readonly kind: 'module'
  readonly name: 'datetime'
}

/** True for the object kinds above (not None/bool/int/str). */
export function isObject(v: PyValue): v is Exclude<PyValue, null | boolean | number | string> {
  return v !== null && typeof v === 'object'
}

/** Python's `type(v).__name__`, as messages print it. */
export function typeName(v: PyValue): string {
  if (v === null) return 'NoneType'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'number') return 'int'
  if (typeof v === 'string') return 'str'
  switch (v.kind) {
    case 'list':
      return 'list'
    case 'tuple':
      return 'tuple'
    case 'dict':
      return 'dict'
    case 'instance':
      return v.model
    case 'model':
      return 'ModelBase'
    case 'exception-class':
      return 'type'
    case 'manager':
      return 'Manager'
    case 'related-manager':
      return 'ManyRelatedManager'
    case 'queryset':
      return 'QuerySet'
    case 'method':
      return 'method'
    case 'builtin':
      return 'builtin_function_or_method'
    case 'float':
      return 'float'
    // Python's messages name these by their qualified type name.
    case 'decimal':
      return 'decimal.Decimal'
    case 'date':
      return 'datetime.date'
    case 'datetime':
      return 'datetime.datetime'
    case 'time':
      return 'datetime.time'
    case 'pytype':
      return 'type'
    case 'module':
      return 'module'
    case 'django':
      return 'type'
    case 'q':
      return 'Q'
    case 'expression':
      return expressionTypeName(v.expr)
    case 'prefetch':
      return 'Prefetch'
  }
}

/** The class name of an expression, as Django's messages print it. */
export function expressionTypeName(e: PyExpression): string {
  switch (e.kind) {
    case 'F':
      return 'F'
    case 'value':
      return 'Value'
    case 'combined':
      return 'CombinedExpression'
    case 'aggregate':
      return e.fn[0]!.toUpperCase() + e.fn.slice(1)
  }
}
