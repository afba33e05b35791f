/**
 * Evaluates statements of the Python subset against an adapter, keeping the
 * session's state between examples: variables, unsaved instances, lazy
 * querysets. One interpreter per document run (a document is one session).
 */
import type { Feature } from '../../adapters/contract.js'
import type { Expr, Slice, Statement, Target } from '../language/ast.js'
import type { Models } from '../parse/models.js'
import { braceFormat, percentFormat } from '../present/format.js'
import { dateProblem, isPyScalarObject, timeProblem } from '../present/pytypes.js'
import { type Displays, type Presentable, pyRepr, pyStr, strRepr } from '../present/repr.js'
import type { Context } from './context.js'
import { PyException, raise, Unsupported } from './exceptions.js'
import { combineExpression, combineQ, constructDjango, DJANGO_NAMES, negateQ } from './expressions.js'
import { decimalValue, parseDecimal } from './fields.js'
import type { LookupValue } from './lookups.js'
import { arithmetic, compare, equals, isComparison, pySorted } from './operators.js'
import * as api from './queryset-api.js'
import * as qs from './querysets.js'
import * as rel from './related.js'
import { SchemaIndex } from './schema-index.js'
import {
  type DjangoClass,
  type ExpressionObject,
  expressionTypeName,
  type FieldValue,
  type Instance,
  isObject,
  type OrderName,
  type PyExpression,
  type PyType,
  type PyValue,
  type QNode,
  type QuerySet,
  type RelatedManager,
  typeName
} from './values.js'

type Kwargs = readonly (readonly [string, PyValue])[]

const BUILTINS = ['print', 'len', 'list', 'tuple', 'str', 'repr', 'sorted', 'type', 'float'] as const
const QUERYSET_METHODS = new Set([
  'all',
  'filter',
  'exclude',
  'get',
  'create',
  'count',
  'distinct',
  'order_by',
  'reverse',
  'first',
  'last',
  'exists',
  'values',
  'values_list',
  'delete',
  'none',
  'update',
  'get_or_create',
  'annotate',
  'aggregate',
  'in_bulk',
  'latest',
  'earliest',
  'dates',
  'prefetch_related'
])
/** Real Django queryset methods the kit does not implement: the case errors, it does not pretend. */
const DJANGO_ONLY = new Set([
  'alias',
  'bulk_create',
  'bulk_update',
  'complex_filter',
  'datetimes',
  'defer',
  'difference',
  'explain',
  'extra',
  'intersection',
  'iterator',
  'only',
  'raw',
  'select_for_update',
  'select_related',
  'union',
  'update_or_create',
  'using'
])
const RELATED_METHODS = new Set(['add', 'remove', 'set', 'clear'])
const INSTANCE_METHODS = new Set(['save', 'delete', 'refresh_from_db'])

/** What the document may import: the values of Django's field types. */
const IMPORTS: Readonly<Record<string, Readonly<Record<string, PyValue>>>> = {
  datetime: {
    date: { kind: 'pytype', name: 'date' },
    datetime: { kind: 'pytype', name: 'datetime' },
    time: { kind: 'pytype', name: 'time' }
  },
  decimal: { Decimal: { kind: 'pytype', name: 'Decimal' } }
}

/** How a document run is set up beyond its models. */
export interface InterpreterOptions {
  /** What the adapter declares beyond the first contract. @default none */
  readonly features?: readonly Feature[]
  /** The app label of `delete()` results. @default 'doc' (as the Django oracle names the app) */
  readonly appLabel?: string
}

/** How one statement is run. */
export interface ExecuteOptions {
  /**
   * The document shows no output for this statement. A bare `x.delete()` then
   * prints nothing and skips counting links: the seed's convention.
   */
  readonly quiet?: boolean
}

export class Interpreter {
  private readonly ctx: Context
  private readonly vars = new Map<string, PyValue>()
  private readonly models: Models
  private readonly defaults = new Map<string, Map<string, FieldValue>>()
  private ready = false
  private out = ''
  private countDeletes = true
  /** `delete()` results: their app labels compare loosely (see `checkDeleteOutput`). */
  private readonly deleteResults = new WeakSet<object>()
  /** The last statement printed a `delete()` result. */
  printedDelete = false

  constructor(models: Models, db: Context['db'], options: InterpreterOptions = {}) {
    const index = new SchemaIndex(models)
    const display: Displays = (model) => ({ str: models.str.get(model), pk: index.pkName(model) })
    this.models = models
    this.ctx = {
      index,
      display,
      db,
      features: new Set(options.features ?? []),
      defaults: this.defaults,
      appLabel: options.appLabel ?? 'doc'
    }
    for (const m of models.schema.models) this.vars.set(m.name, { kind: 'model', name: m.name })
    for (const b of BUILTINS) this.vars.set(b, { kind: 'builtin', name: b })
  }

  /** `default=` values are Python expressions: evaluated once, with datetime and Decimal in scope. */
  private async prepareDefaults(): Promise<void> {
    if (this.ready) return
    this.ready = true
    const saved = new Map(this.vars)
    for (const [name, value] of Object.entries({ ...IMPORTS['datetime'], ...IMPORTS['decimal'] })) this.vars.set(name, value)
    try {
      for (const [model, fields] of this.models.defaults) {
        const values = new Map<string, FieldValue>()
        for (const [field, expr] of fields) {
          const v = await this.eval(expr)
          if (v !== null && typeof v === 'object' && !isPyScalarObject(v))
            throw new Unsupported(`the default of ${model}.${field} (a ${typeName(v)})`)
          values.set(field, v)
        }
        this.defaults.set(model, values)
      }
    } finally {
      this.vars.clear()
      for (const [k, v] of saved) this.vars.set(k, v)
    }
  }

  /** Run one statement; returns what it printed (doctest's "got"). Python errors throw `PyException`. */
  async execute(statement: Statement, options: ExecuteOptions = {}): Promise<string> {
    this.out = ''
    this.printedDelete = false
    await this.prepareDefaults()
    switch (statement.type) {
      case 'import':
        this.import(statement.module, statement.names)
        break
      case 'assign':
        await this.assign(statement.target, await this.eval(statement.value))
        break
      case 'expr': {
        const bareDelete =
          options.quiet === true &&
          statement.value.type === 'call' &&
          statement.value.callee.type === 'attribute' &&
          statement.value.callee.name === 'delete'
        this.countDeletes = !bareDelete
        try {
          const value = await this.eval(statement.value)
          if (value !== null && !bareDelete) this.out += (await this.repr(value)) + '\n'
          this.printedDelete = isObject(value) && this.deleteResults.has(value)
        } finally {
          this.countDeletes = true
        }
      }
    }
    return this.out
  }

  /** `from datetime import date`, `import datetime`, `from decimal import Decimal`; Django's own modules bind nothing the kit needs. */
  private import(module: string, names: readonly string[]): void {
    if (names.length === 0) {
      if (module === 'datetime') return void this.vars.set('datetime', { kind: 'module', name: 'datetime' })
      if (module === 'decimal') throw new Unsupported('import decimal (use from decimal import Decimal)')
      if (module.split('.')[0] === 'django') return
      throw new Unsupported(`import ${module}`)
    }
    const known = IMPORTS[module]
    for (const name of names) {
      if (known && Object.hasOwn(known, name)) this.vars.set(name, known[name]!)
      else if (module === 'django.db.models' && DJANGO_NAMES.has(name))
        this.vars.set(name, { kind: 'django', name: name as DjangoClass['name'] })
      else if (module.split('.')[0] === 'django' && name !== '*') {
        if (!this.vars.has(name)) this.vars.set(name, null)
      } else throw new Unsupported(`from ${module} import ${name}`)
    }
  }

  private async assign(t: Target, value: PyValue): Promise<void> {
    if (t.type === 'name') return void this.vars.set(t.id, value)
    if (t.type === 'attribute') return this.setAttribute(await this.eval(t.object), t.name, value)
    const items = await this.iterate(value)
    if (items.length > t.items.length) throw raise.value(`too many values to unpack (expected ${t.items.length})`)
    if (items.length < t.items.length) throw raise.value(`not enough values to unpack (expected ${t.items.length}, got ${items.length})`)
    for (const [i, target] of t.items.entries()) await this.assign(target, items[i]!)
  }

  private async eval(e: Expr): Promise<PyValue> {
    switch (e.type) {
      case 'int':
      case 'str':
      case 'const':
        return e.value
      case 'float':
        return { kind: 'float', value: e.value }
      case 'binary': {
        const left = await this.eval(e.left)
        const right = await this.eval(e.right)
        if (e.op === '==') return equals(left, right)
        if (e.op === '!=') return !equals(left, right)
        if (isComparison(e.op)) return compare(e.op, left, right)
        if (e.op === '&' || e.op === '|') return bitwise(e.op, left, right)
        if (isExpression(left) || isExpression(right)) {
          if (e.op === '%') throw new Unsupported('% on a query expression')
          return combineExpression(e.op, left, right)
        }
        if (e.op === '/') return divide(left, right)
        if (e.op === '%' && typeof left === 'string') {
          const args = isObject(right) && right.kind === 'tuple' ? right.items : [right]
          const shown: Presentable[] = []
          for (const a of args) shown.push(await this.present(a))
          return percentFormat(left, shown, this.ctx.display)
        }
        return arithmetic(e.op, left, right)
      }
      case 'fstring': {
        let text = ''
        for (const p of e.parts)
          text +=
            typeof p === 'string'
              ? p
              : p.conversion === 'r'
                ? await this.repr(await this.eval(p.expr))
                : await this.str(await this.eval(p.expr))
        return text
      }
      case 'name': {
        if (!this.vars.has(e.id)) throw raise.name(e.id)
        return this.vars.get(e.id)!
      }
      case 'negate': {
        const v = await this.eval(e.operand)
        if (typeof v === 'number') return -v
        if (typeof v === 'boolean') return v ? -1 : 0
        if (isObject(v) && v.kind === 'float') return { kind: 'float', value: -v.value }
        if (isObject(v) && v.kind === 'decimal') return { kind: 'decimal', text: v.text.startsWith('-') ? v.text.slice(1) : '-' + v.text }
        throw raise.type(`bad operand type for unary -: '${typeName(v)}'`)
      }
      case 'comprehension':
        return this.comprehension(e)
      case 'invert': {
        const v = await this.eval(e.operand)
        if (isObject(v) && v.kind === 'q') return { kind: 'q', node: negateQ(v.node) }
        if (typeof v === 'number' || typeof v === 'boolean') return -Number(v) - 1
        throw raise.type(`bad operand type for unary ~: '${typeName(v)}'`)
      }
      case 'list':
        return { kind: 'list', items: await this.evalAll(e.items) }
      case 'tuple':
        return { kind: 'tuple', items: await this.evalAll(e.items) }
      case 'dict': {
        const entries: (readonly [PyValue, PyValue])[] = []
        for (const [k, v] of e.entries) {
          const key = await this.eval(k)
          if (isObject(key) && key.kind !== 'tuple' && key.kind !== 'instance') throw raise.type(`unhashable type: '${typeName(key)}'`)
          const value = await this.eval(v)
          const i = entries.findIndex(([x]) => x === key)
          if (i >= 0) entries[i] = [key, value]
          else entries.push([key, value])
        }
        return { kind: 'dict', entries }
      }
      case 'attribute':
        return this.getAttribute(await this.eval(e.object), e.name)
      case 'subscript':
        return this.subscript(await this.eval(e.object), e.index)
      case 'call': {
        const callee = await this.eval(e.callee)
        const args = await this.evalAll(e.args)
        const kwargs: [string, PyValue][] = []
        for (const k of e.kwargs) kwargs.push([k.name, await this.eval(k.value)])
        return this.call(callee, args, kwargs)
      }
    }
  }

  /** A list or dict comprehension; its names do not leak, as in Python 3. */
  private async comprehension(e: Extract<Expr, { type: 'comprehension' }>): Promise<PyValue> {
    const saved = new Map(this.vars)
    const items: PyValue[] = []
    const entries: (readonly [PyValue, PyValue])[] = []
    const loop = async (i: number): Promise<void> => {
      if (i === e.clauses.length) {
        if (!e.key) return void items.push(await this.eval(e.element))
        const key = await this.eval(e.key)
        const value = await this.eval(e.element)
        const at = entries.findIndex(([k]) => equals(k, key))
        if (at >= 0) entries[at] = [entries[at]![0], value]
        else entries.push([key, value])
        return
      }
      const clause = e.clauses[i]!
      for (const item of await this.iterate(await this.eval(clause.iterable))) {
        await this.assign(clause.target, item)
        let keep = true
        for (const c of clause.conditions) if (!truth(await this.eval(c))) keep = false
        if (keep) await loop(i + 1)
      }
    }
    try {
      await loop(0)
    } finally {
      this.vars.clear()
      for (const [k, v] of saved) this.vars.set(k, v)
    }
    return e.key ? { kind: 'dict', entries } : { kind: 'list', items }
  }

  private async evalAll(items: readonly Expr[]): Promise<PyValue[]> {
    const out: PyValue[] = []
    for (const i of items) out.push(await this.eval(i))
    return out
  }

  private getAttribute(v: PyValue, name: string): PyValue {
    const missing = (): never => {
      if (isObject(v) && v.kind === 'model') throw raise.attribute(`type object '${v.name}' has no attribute '${name}'`)
      throw raise.attribute(`'${typeName(v)}' object has no attribute '${name}'`)
    }
    if (typeof v === 'string' && name === 'format') return { kind: 'method', self: v, name }
    if (!isObject(v)) return missing()
    switch (v.kind) {
      case 'model':
        if (name === 'objects') return { kind: 'manager', model: v.name }
        if (name === 'DoesNotExist' || name === 'MultipleObjectsReturned') return { kind: 'exception-class', name: `${v.name}.${name}` }
        if (this.ctx.index.field(v.name, name) || this.ctx.index.relationByAttribute(v.name, name))
          throw new Unsupported(`class attribute ${v.name}.${name}`)
        return missing()
      case 'instance': {
        if (this.ctx.index.keyAlias(v.model, name)) return v.id
        const pending = v.pending?.get(name)
        if (pending) return pending
        if (Object.hasOwn(v.values, name)) return v.values[name]!
        const manager = rel.relatedManager(this.ctx, v, name)
        if (manager) return manager
        if (INSTANCE_METHODS.has(name)) return { kind: 'method', self: v, name }
        if (v.extra.has(name)) return v.extra.get(name)!
        return missing()
      }
      case 'manager':
        if (QUERYSET_METHODS.has(name) && name !== 'delete') return { kind: 'method', self: v, name }
        if (DJANGO_ONLY.has(name)) throw new Unsupported(`Manager.${name}()`)
        return missing()
      case 'related-manager':
        // The manager's own `reverse` flag hides QuerySet.reverse() (Django's ManyRelatedManager).
        if (name === 'reverse') return v.side === 'reverse'
        if (QUERYSET_METHODS.has(name) || RELATED_METHODS.has(name)) return { kind: 'method', self: v, name }
        if (DJANGO_ONLY.has(name)) throw new Unsupported(`related manager ${name}()`)
        return missing()
      case 'queryset':
        if (name === 'ordered') return qs.isOrdered(this.ctx, v)
        if (QUERYSET_METHODS.has(name)) return { kind: 'method', self: v, name }
        if (DJANGO_ONLY.has(name)) throw new Unsupported(`QuerySet.${name}()`)
        return missing()
      case 'dict':
        if (name === 'keys' || name === 'values' || name === 'items') return { kind: 'method', self: v, name }
        return missing()
      case 'tuple': {
        const i = v.names?.indexOf(name) ?? -1
        return i >= 0 ? v.items[i]! : missing()
      }
      case 'expression':
        if (name === 'asc' || name === 'desc') return { kind: 'method', self: v, name }
        return missing()
      case 'date':
      case 'datetime':
      case 'time': {
        const parts: Record<string, number> = v as unknown as Record<string, number>
        if (['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond'].includes(name) && typeof parts[name] === 'number')
          return parts[name]!
        if (name === 'date' || name === 'time' || name === 'isoformat' || name === 'weekday') return { kind: 'method', self: v, name }
        if (['strftime', 'replace', 'timetuple', 'isoweekday', 'ctime', 'toordinal'].includes(name))
          throw new Unsupported(`${v.kind}.${name}()`)
        return missing()
      }
      case 'module':
        if (Object.hasOwn(IMPORTS['datetime']!, name)) return IMPORTS['datetime']![name]!
        if (['timedelta', 'timezone', 'MINYEAR', 'MAXYEAR', 'tzinfo'].includes(name)) throw new Unsupported(`datetime.${name}`)
        throw raise.attribute(`module 'datetime' has no attribute '${name}'`)
      case 'pytype':
        if (['today', 'now', 'utcnow', 'fromisoformat', 'combine', 'min', 'max'].includes(name)) throw new Unsupported(`${v.name}.${name}`)
        return missing()
      default:
        return missing()
    }
  }

  private async setAttribute(target: PyValue, name: string, value: PyValue): Promise<void> {
    if (!isObject(target) || target.kind !== 'instance') {
      throw raise.attribute(`'${typeName(target)}' object has no attribute '${name}'`)
    }
    if (this.ctx.index.keyAlias(target.model, name)) {
      // Django keeps what was assigned; save() and queries convert it (and raise there).
      target.id =
        value === null ? null : typeof value === 'number' || typeof value === 'string' ? value : rel.keyValue(this.ctx, target.model, value)
      return
    }
    const end = this.ctx.index.relationByAttribute(target.model, name)
    if (end) throw raise.type(rel.directAssignment(end.side, name))
    if (this.ctx.index.field(target.model, name) && isObject(value) && value.kind === 'expression') {
      ;(target.pending ??= new Map()).set(name, value)
    } else if (this.ctx.index.field(target.model, name)) {
      target.pending?.delete(name)
      target.values[name] = rel.fieldValue(value, name)
    } else target.extra.set(name, value)
  }

  private async subscript(v: PyValue, index: Expr | Slice): Promise<PyValue> {
    if (index.type === 'slice') {
      const start = await this.optionalInt(index.start)
      const stop = await this.optionalInt(index.stop)
      const step = await this.optionalInt(index.step)
      if (isObject(v) && v.kind === 'queryset') {
        if ((start ?? 0) < 0 || (stop ?? 0) < 0) throw raise.assertion('Negative indexing is not supported.')
        if (step !== undefined && step !== 1)
          return { kind: 'list', items: pySlice(await qs.fetch(this.ctx, qs.slice(v, start, stop)), undefined, undefined, step) }
        return v.cache ? { kind: 'list', items: pySlice(v.cache, start, stop, 1) } : qs.slice(v, start, stop)
      }
      if (typeof v === 'string') return pySlice([...v], start, stop, step ?? 1).join('')
      if (isObject(v) && (v.kind === 'list' || v.kind === 'tuple')) return { kind: v.kind, items: pySlice(v.items, start, stop, step ?? 1) }
      throw raise.type(`'${typeName(v)}' object is not subscriptable`)
    }
    const key = await this.eval(index)
    if (isObject(v) && v.kind === 'dict') {
      const hit = v.entries.find(([k]) => k === key)
      if (!hit) throw raise.key(await this.repr(key))
      return hit[1]
    }
    if (typeof key !== 'number') {
      throw raise.type(`${typeName(v)} indices must be integers or slices, not ${typeName(key)}`)
    }
    if (isObject(v) && v.kind === 'queryset') return qs.item(this.ctx, v, key)
    const items = typeof v === 'string' ? [...v] : isObject(v) && (v.kind === 'list' || v.kind === 'tuple') ? v.items : undefined
    if (!items) throw raise.type(`'${typeName(v)}' object is not subscriptable`)
    const i = key < 0 ? items.length + key : key
    if (i < 0 || i >= items.length) throw raise.index(`${typeName(v)} index out of range`)
    return items[i]!
  }

  private async optionalInt(e: Expr | undefined): Promise<number | undefined> {
    if (!e) return undefined
    const v = await this.eval(e)
    if (v === null) return undefined
    if (typeof v !== 'number') throw raise.type('slice indices must be integers or None or have an __index__ method')
    return v
  }

  private async call(callee: PyValue, args: PyValue[], kwargs: Kwargs): Promise<PyValue> {
    if (!isObject(callee)) throw raise.type(`'${typeName(callee)}' object is not callable`)
    switch (callee.kind) {
      case 'builtin':
        return this.builtin(callee.name, args, kwargs)
      case 'model':
        return rel.construct(this.ctx, callee.name, args, kwargs)
      case 'pytype':
        return construct(callee, args, kwargs)
      case 'django':
        return constructDjango(callee, args, kwargs)
      case 'method':
        return this.method(callee.self, callee.name, args, kwargs)
      default:
        throw raise.type(`'${typeName(callee)}' object is not callable`)
    }
  }

  private async builtin(name: string, args: PyValue[], kwargs: Kwargs): Promise<PyValue> {
    if (name === 'print') {
      const sep = kwarg(kwargs, 'sep', ' ')
      const end = kwarg(kwargs, 'end', '\n')
      if (typeof sep !== 'string' || typeof end !== 'string') throw raise.type('sep and end must be strings')
      const parts: string[] = []
      for (const a of args) parts.push(await this.str(a))
      this.out += parts.join(sep) + end
      return null
    }
    if (kwargs.length) throw raise.type(`${name}() takes no keyword arguments`)
    if (args.length !== 1) throw raise.type(`${name}() takes exactly one argument (${args.length} given)`)
    const arg = args[0]!
    switch (name) {
      case 'type':
        // A class object prints as `<class 'list'>`, like the exception classes the kit already has.
        return { kind: 'exception-class', name: typeName(arg) }
      case 'sorted': {
        const items = await this.iterate(arg)
        return { kind: 'list', items: pySorted(items) }
      }
      case 'str':
        return this.str(arg)
      case 'float':
        return toFloat(arg)
      case 'repr':
        return this.repr(arg)
      case 'len': {
        if (typeof arg === 'string') return [...arg].length
        if (isObject(arg) && arg.kind === 'queryset') return (await qs.fill(this.ctx, arg)).length
        if (isObject(arg) && (arg.kind === 'list' || arg.kind === 'tuple')) return arg.items.length
        if (isObject(arg) && arg.kind === 'dict') return arg.entries.length
        throw raise.type(`object of type '${typeName(arg)}' has no len()`)
      }
      default: {
        const items = await this.iterate(arg)
        return name === 'tuple' ? { kind: 'tuple', items } : { kind: 'list', items }
      }
    }
  }

  private async iterate(v: PyValue): Promise<PyValue[]> {
    if (typeof v === 'string') return [...v]
    if (isObject(v)) {
      if (v.kind === 'queryset') return qs.fill(this.ctx, v)
      if (v.kind === 'list' || v.kind === 'tuple') return [...v.items]
      if (v.kind === 'dict') return v.entries.map(([k]) => k)
    }
    throw raise.type(`'${typeName(v)}' object is not iterable`)
  }

  private async method(self: PyValue, name: string, args: PyValue[], kwargs: Kwargs): Promise<PyValue> {
    if (typeof self === 'string' && name === 'format') {
      if (kwargs.length) throw new Unsupported('str.format() with keyword arguments')
      const shown: Presentable[] = []
      for (const a of args) shown.push(await this.present(a))
      return braceFormat(self, shown, this.ctx.display)
    }
    if (!isObject(self)) throw new Error('method on a plain value')
    if (self.kind === 'instance') return this.instanceMethod(self, name, args, kwargs)
    if (self.kind === 'dict') {
      noArgs(name, args, kwargs)
      // Python's views print as lists here; the documents iterate or sort them.
      const items = self.entries.map(([k, v]): PyValue => (name === 'keys' ? k : name === 'values' ? v : { kind: 'tuple', items: [k, v] }))
      return { kind: 'list', items }
    }
    if (self.kind === 'expression') {
      if (args.length) throw raise.type(`${name}() takes no positional arguments`)
      const nullsFirst = kwarg(kwargs, 'nulls_first', false) === true
      const nullsLast = kwarg(kwargs, 'nulls_last', false) === true
      if (nullsFirst && nullsLast) throw raise.value('nulls_first and nulls_last are mutually exclusive')
      const nulls = nullsFirst ? 'first' : nullsLast ? 'last' : undefined
      return { kind: 'expression', expr: self.expr, order: { descending: name === 'desc', ...(nulls ? { nulls } : {}) } }
    }
    if (self.kind === 'date' || self.kind === 'datetime' || self.kind === 'time') {
      noArgs(name, args, kwargs)
      const d = self as Record<string, never> & typeof self
      if (name === 'date' && self.kind === 'datetime') return { kind: 'date', year: self.year, month: self.month, day: self.day }
      if (name === 'time' && self.kind === 'datetime')
        return { kind: 'time', hour: self.hour, minute: self.minute, second: self.second, microsecond: self.microsecond }
      if (name === 'weekday' && self.kind !== 'time') return (new Date(Date.UTC(self.year, self.month - 1, self.day)).getUTCDay() + 6) % 7
      if (name === 'isoformat') return (await this.str(d)).replace(' ', 'T')
      throw raise.attribute(`'${self.kind}' object has no attribute '${name}'`)
    }
    if (self.kind === 'related-manager') {
      switch (name) {
        case 'add':
          noKwargs(name, kwargs)
          return rel.add(this.ctx, self, args)
        case 'remove':
          noKwargs(name, kwargs)
          return rel.remove(this.ctx, self, args)
        case 'clear':
          noArgs(name, args, kwargs)
          return rel.clear(this.ctx, self)
        case 'set': {
          const [objs, ...more] = args
          if (objs === undefined || more.length) throw raise.type(`set() takes 2 positional arguments but ${args.length + 1} were given`)
          const clear = kwarg(kwargs, 'clear', false)
          return rel.set(this.ctx, self, await this.iterate(objs), clear === true)
        }
        case 'create':
          return rel.createRelated(this.ctx, self, kwargs)
        case 'get_or_create':
          return this.getOrCreate(rel.relatedQuerySet(self), kwargs, (all) => rel.createRelated(this.ctx, self, all))
      }
    }
    const base: QuerySet =
      self.kind === 'queryset' ? self : self.kind === 'manager' ? qs.newQuerySet(self.model) : rel.relatedQuerySet(self as RelatedManager)
    // A manager's all() is its get_queryset(): a related manager's join stays sticky.
    if (name === 'all' && self.kind !== 'queryset') {
      noArgs(name, args, kwargs)
      return base
    }
    return this.querySetMethod(base, name, args, kwargs)
  }

  private async instanceMethod(self: Instance, name: string, args: PyValue[], kwargs: Kwargs): Promise<PyValue> {
    if (name === 'save') return rel.save(this.ctx, self)
    noArgs(name, args, kwargs)
    return name === 'delete' ? this.markDelete(await rel.deleteInstance(this.ctx, self, this.countDeletes)) : rel.refresh(this.ctx, self)
  }

  private async querySetMethod(q: QuerySet, name: string, args: PyValue[], kwargs: Kwargs): Promise<PyValue> {
    const ctx = this.ctx
    switch (name) {
      case 'all':
        noArgs(name, args, kwargs)
        return qs.chain(q)
      case 'filter':
      case 'exclude':
        return qs.addFilter(ctx, q, name === 'exclude', await this.lookupValues(kwargs), await this.qArgs(args))
      case 'get': {
        const qArgs = await this.qArgs(args)
        return qs.get(ctx, kwargs.length || qArgs.length ? qs.addFilter(ctx, q, false, await this.lookupValues(kwargs), qArgs) : q)
      }
      case 'annotate':
        return api.annotate(ctx, q, args, kwargs)
      case 'aggregate':
        return api.aggregate(ctx, q, args, kwargs)
      case 'in_bulk':
        return api.inBulk(ctx, q, args, kwargs)
      case 'latest':
      case 'earliest':
        if (kwargs.length) throw raise.type(`${name}() got an unexpected keyword argument '${kwargs[0]![0]}'`)
        return api.latest(ctx, q, args.map(fieldName), name === 'latest')
      case 'dates':
        return api.datesOf(ctx, q, args, kwargs)
      case 'prefetch_related':
        noKwargs(name, kwargs)
        return api.prefetchRelated(ctx, q, args)
      case 'create': {
        if (args.length) throw raise.type('create() takes 1 positional argument but more were given')
        const instance = rel.construct(ctx, q.model, [], kwargs)
        await rel.save(ctx, instance)
        return instance
      }
      case 'count':
        noArgs(name, args, kwargs)
        return qs.count(ctx, q)
      case 'exists':
        noArgs(name, args, kwargs)
        return qs.exists(ctx, q)
      case 'first':
        noArgs(name, args, kwargs)
        return qs.first(ctx, q)
      case 'last':
        noArgs(name, args, kwargs)
        return qs.last(ctx, q)
      case 'distinct':
        if (args.length) throw new Unsupported('distinct(*fields)')
        return qs.chain(q, { distinct: true })
      case 'reverse':
        noArgs(name, args, kwargs)
        return qs.reverse(ctx, q)
      case 'order_by':
        noKwargs(name, kwargs)
        return qs.orderBy(ctx, q, args.map(orderName))
      case 'values':
        noKwargs(name, kwargs)
        return qs.withMode(ctx, q, { kind: 'values', fields: args.map(fieldName) })
      case 'values_list': {
        const flat = kwarg(kwargs, 'flat', false) === true
        const named = kwarg(kwargs, 'named', false) === true
        for (const [k] of kwargs)
          if (k !== 'flat' && k !== 'named') throw raise.type(`Unexpected keyword arguments to values_list(): ['${k}']`)
        return qs.withMode(ctx, q, { kind: 'values_list', fields: args.map(fieldName), flat, ...(named ? { named } : {}) })
      }
      case 'delete':
        noArgs(name, args, kwargs)
        return this.markDelete(await qs.deleteAll(ctx, q, this.countDeletes))
      case 'none':
        noArgs(name, args, kwargs)
        return qs.none(q)
      case 'update':
        if (args.length) throw raise.type('update() takes 1 positional argument but more were given')
        return qs.update(ctx, q, kwargs)
      case 'get_or_create':
        positionalUnsupported(name, args)
        return this.getOrCreate(q, kwargs, async (all) => {
          const instance = rel.construct(ctx, q.model, [], all)
          await rel.save(ctx, instance)
          return instance
        })
    }
    throw new Unsupported(`QuerySet.${name}()`)
  }

  private markDelete(v: PyValue): PyValue {
    if (isObject(v)) this.deleteResults.add(v)
    return v
  }

  /** Django's get_or_create: `(object, created)`; `defaults` only on create, lookups as fields. */
  private async getOrCreate(q: QuerySet, kwargs: Kwargs, create: (fields: Kwargs) => Promise<Instance>): Promise<PyValue> {
    const defaults = kwargs.find(([k]) => k === 'defaults')?.[1] ?? null
    const lookups = kwargs.filter(([k]) => k !== 'defaults')
    try {
      return { kind: 'tuple', items: [await qs.get(this.ctx, qs.addFilter(this.ctx, q, false, await this.lookupValues(lookups))), false] }
    } catch (e) {
      if (!(e instanceof PyException) || !e.type.endsWith('.DoesNotExist')) throw e
    }
    const fields: (readonly [string, PyValue])[] = lookups.filter(([k]) => !k.includes('__'))
    if (isObject(defaults) && defaults.kind === 'dict') {
      for (const [k, v] of defaults.entries) if (typeof k === 'string') fields.push([k, v])
    } else if (defaults !== null) {
      throw raise.type("'defaults' must be a dict")
    }
    return { kind: 'tuple', items: [await create(fields), true] }
  }

  /** Positional arguments of filter()/exclude()/get(): Q objects or `(name, value)` pairs, their querysets evaluated first. */
  private async qArgs(args: readonly PyValue[]): Promise<QNode[]> {
    const out: QNode[] = []
    for (const a of args) out.push(await this.evaluateQ(isObject(a) && a.kind === 'q' ? a.node : filterPair(a)))
    return out
  }

  private async evaluateQ(n: QNode): Promise<QNode> {
    if (n.kind === 'path') return n
    if (n.kind === 'leaf') {
      if (isObject(n.value) && n.value.kind === 'queryset') {
        // As a keyword's queryset (lookupValues()): a subquery, not a list of rows.
        const value: LookupValue = await qs.subquery(this.ctx, n.value)
        return { ...n, value: value as unknown as PyValue }
      }
      return n
    }
    const children: QNode[] = []
    for (const c of n.children) children.push(await this.evaluateQ(c))
    return { ...n, children }
  }

  /** Lookup values: querysets (subqueries in Django) are evaluated first. */
  private async lookupValues(kwargs: Kwargs): Promise<(readonly [string, LookupValue])[]> {
    const out: (readonly [string, LookupValue])[] = []
    for (const [k, v] of kwargs) out.push([k, isObject(v) && v.kind === 'queryset' ? await qs.subquery(this.ctx, v) : v])
    return out
  }

  /** Python `repr()`, evaluating querysets as Django's `__repr__` does. */
  async repr(v: PyValue): Promise<string> {
    return pyRepr(await this.present(v), this.ctx.display)
  }

  /** Django's `Q.__repr__` body: `(OR: ('a', 1), (NOT (AND: ('b', 2))))`. */
  private async qText(n: QNode): Promise<string> {
    if (n.kind === 'leaf') return `(${strRepr(n.key)}, ${await this.repr(n.value)})`
    if (n.kind === 'path') return '(...)'
    const parts: string[] = []
    for (const c of n.children) parts.push(await this.qText(c))
    const body = `(${n.kind.toUpperCase()}: ${parts.join(', ')})`
    return n.negated ? `(NOT ${body})` : body
  }

  /** Django's expression reprs: `F(pages)`, `<CombinedExpression: F(pages) + Value(10)>`, `Count(F(authors))`. */
  private async expressionRepr(e: PyExpression, order?: ExpressionObject['order']): Promise<string> {
    const inner = async (x: PyExpression): Promise<string> => {
      switch (x.kind) {
        case 'F':
          return `F(${x.name})`
        // Django 3.2's Value.__repr__ formats the value with str().
        case 'value':
          return `Value(${await this.str(x.value)})`
        case 'combined':
          return `${await inner(x.left)} ${x.op} ${await inner(x.right)}`
        case 'aggregate': {
          const fn = expressionTypeName(x)
          const arg = x.argument ? await inner(x.argument) : `F(${x.name})`
          return `${fn}(${arg}${x.distinct ? ', distinct=True' : ''}${x.filter ? `, filter=(${x.filter.kind.toUpperCase()}: ...)` : ''})`
        }
      }
    }
    if (order) {
      const nulls = order.nulls ? `, nulls_${order.nulls}=True` : ''
      return `OrderBy(${await inner(e)}, descending=${order.descending ? 'True' : 'False'}${nulls})`
    }
    if (e.kind === 'combined') return `<CombinedExpression: ${await inner(e)}>`
    return inner(e)
  }

  async str(v: PyValue): Promise<string> {
    return pyStr(await this.present(v), this.ctx.display)
  }

  private async present(v: PyValue): Promise<Presentable> {
    if (!isObject(v)) return v
    switch (v.kind) {
      case 'instance':
        return v
      case 'float':
      case 'decimal':
      case 'date':
      case 'datetime':
      case 'time':
        return v
      case 'pytype':
        return { kind: 'opaque', text: `<class '${v.name === 'Decimal' ? 'decimal.Decimal' : 'datetime.' + v.name}'>` }
      case 'module':
        return { kind: 'opaque', text: "<module 'datetime' from '/usr/lib/python3.11/datetime.py'>" }
      case 'list':
      case 'tuple': {
        const items: Presentable[] = []
        for (const i of v.items) items.push(await this.present(i))
        if (v.kind === 'tuple' && v.names) {
          const parts = v.names.map((n, i) => `${n}=${pyRepr(items[i]!, this.ctx.display)}`)
          return { kind: 'opaque', text: `Row(${parts.join(', ')})` }
        }
        return { kind: v.kind, items }
      }
      case 'dict': {
        const entries: (readonly [Presentable, Presentable])[] = []
        for (const [k, x] of v.entries) entries.push([await this.present(k), await this.present(x)])
        return { kind: 'dict', entries }
      }
      case 'queryset': {
        const { items, truncated } = await qs.reprItems(this.ctx, v)
        const shown: Presentable[] = []
        for (const i of items) shown.push(await this.present(i))
        return { kind: 'evaluated-queryset', items: shown, truncated }
      }
      case 'model':
        return { kind: 'opaque', text: `<class '${v.name}'>` }
      case 'exception-class':
        return { kind: 'opaque', text: `<class '${v.name}'>` }
      case 'manager':
        return { kind: 'opaque', text: '<django.db.models.manager.Manager object at 0x...>' }
      case 'related-manager':
        return {
          kind: 'opaque',
          text: '<django.db.models.fields.related_descriptors.create_forward_many_to_many_manager.<locals>.ManyRelatedManager object at 0x...>'
        }
      case 'method':
        return { kind: 'opaque', text: `<bound method ${v.name}>` }
      case 'builtin':
        return { kind: 'opaque', text: `<built-in function ${v.name}>` }
      case 'django':
        return {
          kind: 'opaque',
          text: `<class 'django.db.models.${v.name === 'Q' ? 'query_utils' : v.name === 'F' || v.name === 'Value' ? 'expressions' : v.name === 'Prefetch' ? 'query' : 'aggregates'}.${v.name}'>`
        }
      case 'q':
        return { kind: 'opaque', text: `<Q: ${await this.qText(v.node)}>` }
      case 'expression': {
        const text = await this.expressionRepr(v.expr, v.order)
        // CombinedExpression.__str__ drops the brackets of its repr.
        const bare = !v.order && v.expr.kind === 'combined' ? text.slice('<CombinedExpression: '.length, -1) : undefined
        return { kind: 'opaque', text, ...(bare === undefined ? {} : { str: bare }) }
      }
      case 'prefetch':
        return { kind: 'opaque', text: '<django.db.models.query.Prefetch object at 0x...>' }
    }
  }
}

function kwarg<T extends PyValue>(kwargs: Kwargs, name: string, fallback: T): PyValue {
  const hit = kwargs.find(([k]) => k === name)
  return hit ? hit[1] : fallback
}

function noArgs(name: string, args: readonly PyValue[], kwargs: Kwargs): void {
  if (args.length || kwargs.length) throw raise.type(`${name}() takes no arguments`)
}

function noKwargs(name: string, kwargs: Kwargs): void {
  if (kwargs.length) throw raise.type(`${name}() got an unexpected keyword argument '${kwargs[0]![0]}'`)
}

function positionalUnsupported(name: string, args: readonly PyValue[]): void {
  if (args.length) throw new Unsupported(`positional (Q object) arguments to ${name}()`)
}

function orderName(v: PyValue): OrderName {
  if (isObject(v) && v.kind === 'expression') {
    return { expr: v.expr, descending: v.order?.descending ?? false, ...(v.order?.nulls ? { nulls: v.order.nulls } : {}) }
  }
  return fieldName(v)
}

/** Python's truth value of the plain values a condition gives. */
function truth(v: PyValue): boolean {
  if (v === null || v === false || v === 0 || v === '') return false
  if (isObject(v) && (v.kind === 'list' || v.kind === 'tuple')) return v.items.length > 0
  if (isObject(v) && v.kind === 'dict') return v.entries.length > 0
  if (isObject(v) && v.kind === 'float') return v.value !== 0
  return true
}

/** Python's true division of numbers: always a float. */
function divide(a: PyValue, b: PyValue): PyValue {
  const n = (v: PyValue) =>
    typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : isObject(v) && v.kind === 'float' ? v.value : undefined
  const x = n(a)
  const y = n(b)
  if (x === undefined || y === undefined) {
    if (isObject(a) && a.kind === 'decimal') throw new Unsupported('Decimal division')
    throw raise.type(`unsupported operand type(s) for /: '${typeName(a)}' and '${typeName(b)}'`)
  }
  if (y === 0)
    throw new PyException(
      'ZeroDivisionError',
      typeof a === 'number' && typeof b === 'number' ? 'division by zero' : 'float division by zero'
    )
  return { kind: 'float', value: x / y }
}

function isExpression(v: PyValue): boolean {
  return isObject(v) && v.kind === 'expression'
}

/** `a & b`, `a | b`: Q objects combine; integers and booleans are bitwise, as in Python. */
function bitwise(op: '&' | '|', a: PyValue, b: PyValue): PyValue {
  if (isObject(a) && a.kind === 'q' && isObject(b) && b.kind === 'q') return { kind: 'q', node: combineQ(op, a.node, b.node) }
  if (isObject(a) && a.kind === 'q') throw raise.type(String(b === null ? 'None' : typeName(b)))
  const int = (v: PyValue) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'boolean'
  if (int(a) && int(b)) {
    const r = op === '&' ? Number(a) & Number(b) : Number(a) | Number(b)
    return typeof a === 'boolean' && typeof b === 'boolean' ? r === 1 : r
  }
  throw raise.type(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`)
}

function fieldName(v: PyValue): string {
  if (typeof v !== 'string') throw raise.type(`field names must be strings, not ${typeName(v)}`)
  return v
}

/** Python slicing of a list with a step. */
function pySlice<T>(items: readonly T[], start: number | undefined, stop: number | undefined, step: number): T[] {
  if (step === 0) throw raise.value('slice step cannot be zero')
  const n = items.length
  const norm = (i: number | undefined, def: number): number => {
    if (i === undefined) return def
    const j = i < 0 ? i + n : i
    return step > 0 ? Math.min(Math.max(j, 0), n) : Math.min(Math.max(j, -1), n - 1)
  }
  const out: T[] = []
  if (step > 0) for (let i = norm(start, 0); i < norm(stop, n); i += step) out.push(items[i]!)
  else for (let i = norm(start, n - 1); i > norm(stop, -1); i += step) out.push(items[i]!)
  return out
}

export { PyException }

/** `date(…)`, `datetime(…)`, `time(…)`, `Decimal(…)`, with Python's argument checks. */
function construct(type: PyType, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  if (type.name === 'Decimal') {
    if (kwargs.length || args.length > 1) throw raise.type('Decimal() takes at most 1 argument')
    const v = args[0] ?? '0'
    if (typeof v === 'number') return { kind: 'decimal', text: String(v) }
    if (isObject(v) && v.kind === 'decimal') return v
    if (isObject(v) && v.kind === 'float') throw new Unsupported('Decimal() of a float (its exact binary value)')
    if (typeof v !== 'string') throw raise.type(`conversion from ${typeName(v)} to Decimal is not supported`)
    const text = parseDecimal(v)
    if (text === undefined) {
      // decimalValue() reads every notation Python does (and refuses Infinity and NaN itself): one it reads has an exponent.
      if (decimalValue(v) !== undefined) throw new Unsupported(`Decimal('${v}') in exponent notation`)
      throw new PyException('decimal.InvalidOperation', "[<class 'decimal.ConversionSyntax'>]")
    }
    return { kind: 'decimal', text }
  }
  const names =
    type.name === 'date'
      ? ['year', 'month', 'day']
      : type.name === 'time'
        ? ['hour', 'minute', 'second', 'microsecond']
        : ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond']
  const required = type.name === 'time' ? 0 : 3
  if (args.length > names.length) throw raise.type(`function takes at most ${names.length} arguments (${args.length} given)`)
  const values: (number | undefined)[] = names.map(() => undefined)
  args.forEach((a, i) => {
    values[i] = integer(a)
  })
  for (const [k, v] of kwargs) {
    const i = names.indexOf(k)
    if (i < 0) throw raise.type(`'${k}' is an invalid keyword argument for this function`)
    if (values[i] !== undefined) throw raise.type(`argument for function given by name ('${k}') and position (${i + 1})`)
    values[i] = integer(v)
  }
  const missing = values.slice(0, required).indexOf(undefined)
  if (missing >= 0) throw raise.type(`function missing required argument '${names[missing]}' (pos ${missing + 1})`)
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0] = values
  if (type.name === 'time') {
    const problem = timeProblem(a, b, c, d)
    if (problem) throw raise.value(problem)
    return { kind: 'time', hour: a, minute: b, second: c, microsecond: d }
  }
  const problem = dateProblem(a, b, c) ?? (type.name === 'datetime' ? timeProblem(d, e, f, g) : undefined)
  if (problem) throw raise.value(problem)
  if (type.name === 'date') return { kind: 'date', year: a, month: b, day: c }
  return { kind: 'datetime', year: a, month: b, day: c, hour: d, minute: e, second: f, microsecond: g }
}

function integer(v: PyValue): number {
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (isObject(v) && v.kind === 'float') throw raise.type('integer argument expected, got float')
  throw raise.type(`an integer is required (got type ${typeName(v)})`)
}

// Python's float literal grammar as float() reads a string: surrounding space, `_` between digits, inf/infinity/nan.
const FLOAT_TEXT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.|inf|infinity|nan)$/i

/** Python's `float(x)` of a number, a numeric string or a Decimal. */
function toFloat(arg: PyValue): PyValue {
  if (typeof arg === 'boolean') return { kind: 'float', value: arg ? 1 : 0 }
  if (typeof arg === 'number') return { kind: 'float', value: arg }
  if (isObject(arg) && arg.kind === 'float') return arg
  if (isObject(arg) && arg.kind === 'decimal') return { kind: 'float', value: Number(arg.text) }
  if (typeof arg === 'string') {
    const text = arg.trim()
    if (!FLOAT_TEXT.test(text)) throw raise.value(`could not convert string to float: ${strRepr(arg)}`)
    const bare = text.replace(/_/g, '').toLowerCase()
    const sign = bare.startsWith('-') ? -1 : 1
    const word = bare.replace(/^[+-]/, '')
    if (word === 'inf' || word === 'infinity') return { kind: 'float', value: sign * Number.POSITIVE_INFINITY }
    if (word === 'nan') return { kind: 'float', value: Number.NaN }
    return { kind: 'float', value: Number(bare) }
  }
  throw raise.type(`float() argument must be a string or a real number, not '${typeName(arg)}'`)
}

/**
 * A positional argument of filter() that is no Q object: Django's
 * build_filter() unpacks it as `arg, value = filter_expr` (a dict and an
 * expression refused first), and then splits `arg` as a lookup name.
 */
function filterPair(a: PyValue): QNode {
  if (isObject(a) && a.kind === 'dict') throw raise.field('Cannot parse keyword query as dict')
  if (isObject(a) && (a.kind === 'expression' || a.kind === 'queryset'))
    throw raise.type('Cannot filter against a non-conditional expression.')
  const items = typeof a === 'string' ? [...a] : isObject(a) && (a.kind === 'tuple' || a.kind === 'list') ? a.items : undefined
  if (!items) throw raise.type(`cannot unpack non-iterable ${typeName(a)} object`)
  if (items.length > 2) throw raise.value('too many values to unpack (expected 2)')
  if (items.length < 2) throw raise.value(`not enough values to unpack (expected 2, got ${items.length})`)
  const [key, value] = items as [PyValue, PyValue]
  if (key === '' || key === null || key === false || key === 0) {
    const shown = key === '' ? "''" : key === null ? 'None' : key === false ? 'False' : '0'
    throw raise.field(`Cannot parse keyword query ${shown}`)
  }
  if (typeof key !== 'string') throw raise.attribute(`'${typeName(key)}' object has no attribute 'split'`)
  return { kind: 'leaf', key, value }
}
