/**
 * Python-level values the interpreter keeps between statements. Plain JS
 * `null`, booleans, numbers (ints) and strings stand for None, bool, int, str.
 */
import type { Filter, Key, OrderKey, RelationSchema, Side } from '../../adapters/contract.js'
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

export interface PyList {
  readonly kind: 'list'
  readonly items: PyValue[]
}
export interface PyTuple {
  readonly kind: 'tuple'
  readonly items: readonly PyValue[]
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
}

/** What a queryset yields per row. */
export type Mode =
  | { readonly kind: 'models' }
  | { readonly kind: 'values'; readonly fields: readonly string[] }
  | { readonly kind: 'values_list'; readonly fields: readonly string[]; readonly flat: boolean }

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
  }
}
