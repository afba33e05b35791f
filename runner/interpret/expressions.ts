/**
 * Django's query expression objects as the document builds them: `Q` (with
 * `&`, `|`, `~`), `F` and its arithmetic, the aggregates `Count`, `Sum`,
 * `Avg`, `Min`, `Max`, and `Prefetch`. They stay unresolved here; a queryset
 * resolves them against its model when it uses them (`compile.ts`).
 */
import { raise } from './exceptions.js'
import { type DjangoClass, isObject, type PyExpression, type PyValue, type QNode, type QuerySet, typeName } from './values.js'

type Kwargs = readonly (readonly [string, PyValue])[]

/** What `from django.db.models import …` binds to a value the kit knows. */
export const DJANGO_NAMES: ReadonlySet<string> = new Set<DjangoClass['name']>(['Q', 'F', 'Count', 'Sum', 'Avg', 'Min', 'Max', 'Prefetch'])

/** Calling one of Django's classes. */
export function constructDjango(cls: DjangoClass, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  switch (cls.name) {
    case 'Q':
      return { kind: 'q', node: qNode(args, kwargs) }
    case 'F': {
      if (kwargs.length || args.length !== 1 || typeof args[0] !== 'string') throw raise.type('F() takes one field name')
      return { kind: 'expression', expr: { kind: 'F', name: args[0] } }
    }
    case 'Prefetch': {
      const lookup = args[0] ?? kwargs.find(([k]) => k === 'lookup')?.[1]
      if (typeof lookup !== 'string') throw raise.type("Prefetch() missing 1 required positional argument: 'lookup'")
      const queryset = args[1] ?? kwargs.find(([k]) => k === 'queryset')?.[1] ?? null
      const toAttr = args[2] ?? kwargs.find(([k]) => k === 'to_attr')?.[1] ?? null
      if (queryset !== null && (!isObject(queryset) || queryset.kind !== 'queryset'))
        throw raise.type('Prefetch querysets must be querysets')
      if (queryset !== null && queryset.mode.kind !== 'models')
        throw raise.value('Prefetch querysets cannot use raw(), values(), and values_list().')
      if (toAttr !== null && typeof toAttr !== 'string') throw raise.type('to_attr must be a string')
      return { kind: 'prefetch', lookup, queryset: queryset as QuerySet | null, toAttr }
    }
    default: {
      const fn = cls.name.toLowerCase() as 'count' | 'sum' | 'avg' | 'min' | 'max'
      if (args.length !== 1) throw raise.type(`Complex aggregates require an alias`)
      const [arg] = args
      const name =
        typeof arg === 'string' ? arg : isObject(arg!) && arg.kind === 'expression' && arg.expr.kind === 'F' ? arg.expr.name : undefined
      if (name === undefined) throw raise.type('Complex aggregates require an alias')
      let distinct = false
      let filter: QNode | undefined
      for (const [k, v] of kwargs) {
        if (k === 'distinct' && fn === 'count') distinct = v === true
        else if (k === 'filter' && isObject(v) && v.kind === 'q') filter = v.node
        else if (k === 'filter') throw raise.type(`filter must be a Q object, not ${typeName(v)}`)
        else throw raise.type(`${cls.name} does not allow ${k}`)
      }
      return { kind: 'expression', expr: { kind: 'aggregate', fn, name, distinct, ...(filter ? { filter } : {}) } }
    }
  }
}

/** `Q(*args, **kwargs)`: positional Q objects first, then the keywords sorted by name (Django's order). */
export function qNode(args: readonly PyValue[], kwargs: Kwargs): QNode {
  const children: QNode[] = []
  for (const a of args) {
    if (!isObject(a) || a.kind !== 'q') throw raise.type(`'${typeName(a)}' object is not a Q object`)
    children.push(a.node)
  }
  const sorted = [...kwargs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [key, value] of sorted) children.push({ kind: 'leaf', key, value })
  return { kind: 'and', negated: false, children }
}

/** `a & b`, `a | b` on Q objects. */
export function combineQ(op: '&' | '|', a: QNode, b: QNode): QNode {
  const connector = op === '&' ? 'and' : 'or'
  // Django's `_combine`: an empty side gives the other one back.
  if (isEmpty(b)) return a
  if (isEmpty(a)) return b
  return { kind: connector, negated: false, children: [...squash(a, connector), ...squash(b, connector)] }
}

/** Django's `Node.add` with squash: a plain node of the same connector, or of one child, gives its children. */
function squash(n: QNode, connector: 'and' | 'or'): QNode[] {
  if ((n.kind === 'and' || n.kind === 'or') && !n.negated && (n.kind === connector || n.children.length === 1)) return [...n.children]
  return [n]
}

/** `~q`: Django wraps it in a negated AND node. */
export function negateQ(n: QNode): QNode {
  return { kind: 'and', negated: true, children: squash(n, 'and') }
}

function isEmpty(n: QNode): boolean {
  return (n.kind === 'and' || n.kind === 'or') && n.children.length === 0
}

/** `F('x') + 1`, `2 * F('x')`: the value side becomes a literal. */
export function combineExpression(op: '+' | '-' | '*' | '/', a: PyValue, b: PyValue): PyValue {
  const side = (v: PyValue): PyExpression => (isObject(v) && v.kind === 'expression' ? v.expr : { kind: 'value', value: v })
  return { kind: 'expression', expr: { kind: 'combined', op, left: side(a), right: side(b) } }
}

/** Django's default alias of an aggregate: `authors__count`. */
export function defaultAlias(e: PyExpression): string | undefined {
  return e.kind === 'aggregate' ? `${e.name}__${e.fn}` : undefined
}

/** Does the expression aggregate (directly or in its arithmetic)? */
export function containsAggregate(e: PyExpression, annotations: ReadonlyMap<string, boolean>): boolean {
  switch (e.kind) {
    case 'aggregate':
      return true
    case 'combined':
      return containsAggregate(e.left, annotations) || containsAggregate(e.right, annotations)
    case 'F':
      return annotations.get(e.name) === true
    case 'value':
      return false
  }
}
