/**
 * Django's query expression objects as the document builds them: `Q` (with
 * `&`, `|`, `~`), `F` and its arithmetic, the aggregates `Count`, `Sum`,
 * `Avg`, `Min`, `Max`, and `Prefetch`. They stay unresolved here; a queryset
 * resolves them against its model when it uses them (`compile.ts`).
 */
import { isPyScalarObject } from '../present/pytypes.js'
import { raise, Unsupported } from './exceptions.js'
import { truthy } from './lookups.js'
import { type DjangoClass, isObject, type PyExpression, type PyValue, type QNode, type QuerySet, typeName } from './values.js'

type Kwargs = readonly (readonly [string, PyValue])[]

/** What `from django.db.models import …` binds to a value the kit knows. */
export const DJANGO_NAMES: ReadonlySet<string> = new Set<DjangoClass['name']>([
  'Q',
  'F',
  'Value',
  'Count',
  'Sum',
  'Avg',
  'Min',
  'Max',
  'Prefetch'
])

/** Keywords of Func that change the SQL (anything else given to an aggregate is ignored). */
// Stryker disable next-line ArrayDeclaration,StringLiteral: these keywords are refused as Unsupported, which no passing document holds
const SQL_EXTRAS: ReadonlySet<string> = new Set(['output_field', 'template', 'function', 'arg_joiner'])

/** Calling one of Django's classes. */
export function constructDjango(cls: DjangoClass, args: readonly PyValue[], kwargs: Kwargs): PyValue {
  switch (cls.name) {
    case 'Q':
      return { kind: 'q', node: qNode(args, kwargs) }
    case 'F': {
      // F.__init__(self, name): Python's own argument errors.
      const unknown = kwargs.find(([k]) => k !== 'name')
      if (unknown) throw raise.type(`F.__init__() got an unexpected keyword argument '${unknown[0]}'`)
      const given = [...args, ...kwargs.map(([, v]) => v)]
      if (given.length === 0) throw raise.type("F.__init__() missing 1 required positional argument: 'name'")
      if (args.length > 1) throw raise.type(`F.__init__() takes 2 positional arguments but ${args.length + 1} were given`)
      if (given.length > 1) throw raise.type("F.__init__() got multiple values for argument 'name'")
      const [name] = given
      // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document holds an F() of a non-string
      if (typeof name !== 'string') throw new Unsupported('F() of something other than a field name')
      return { kind: 'expression', expr: { kind: 'F', name } }
    }
    case 'Value':
      return { kind: 'expression', expr: { kind: 'value', value: valueArgument(args, kwargs) } }
    case 'Prefetch': {
      const lookup = args[0] ?? kwargs.find(([k]) => k === 'lookup')?.[1]
      if (lookup === undefined) throw raise.type("Prefetch.__init__() missing 1 required positional argument: 'lookup'")
      const queryset = args[1] ?? kwargs.find(([k]) => k === 'queryset')?.[1] ?? null
      const toAttr = args[2] ?? kwargs.find(([k]) => k === 'to_attr')?.[1] ?? null
      // Django checks only that a queryset yields models; anything else fails later, in ways the kit does not copy.
      // Stryker disable next-line ConditionalExpression,LogicalOperator: weakened, the test only lets through values the kit refuses as Unsupported
      if (queryset !== null && (!isObject(queryset) || queryset.kind !== 'queryset'))
        // Stryker disable next-line StringLiteral: an Unsupported case errors whatever its message, so no passing document shows it
        throw new Unsupported('a Prefetch() queryset that is not a queryset')
      if (queryset !== null && queryset.mode.kind !== 'models')
        throw raise.value('Prefetch querysets cannot use raw(), values(), and values_list().')
      // Only a true to_attr builds the attribute path, `'__'.join(lookup.split('__')[:-1] + [to_attr])`; a false one is no to_attr.
      const attr = truthy(toAttr) ? toAttr : null
      // Stryker disable next-line ConditionalExpression: without a to_attr a lookup that is no string is Unsupported (below), so raising here instead shows nowhere
      if (attr !== null && typeof lookup !== 'string') throw raise.attribute(`'${typeName(lookup)}' object has no attribute 'split'`)
      // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document holds a lookup that is no string
      if (typeof lookup !== 'string') throw new Unsupported('a Prefetch() lookup that is not a string')
      if (attr !== null && typeof attr !== 'string')
        throw raise.type(`sequence item ${lookup.split('__').length - 1}: expected str instance, ${typeName(attr)} found`)
      return { kind: 'prefetch', lookup, queryset: queryset as QuerySet | null, toAttr: attr as string | null }
    }
    default: {
      const fn = cls.name.toLowerCase() as 'count' | 'sum' | 'avg' | 'min' | 'max'
      // Count(expression, filter=None, **extra); the others take *expressions and complain only when used.
      if (fn === 'count' && args.length === 0) throw raise.type("Count.__init__() missing 1 required positional argument: 'expression'")
      if (args.length !== 1) throw raise.type(`Complex aggregates require an alias`)
      const { name, argument } = aggregateArgument(cls, args[0]!)
      let distinct = false
      let filter: QNode | undefined
      for (const [k, v] of kwargs) {
        if (k === 'distinct') distinct = v === true
        // Django keeps a false filter (None, False, 0, '', []) and never applies it; an empty Q() filters nothing either.
        else if (k === 'filter' && !truthy(v)) filter = undefined
        else if (k === 'filter' && isObject(v) && v.kind === 'q') filter = v.node
        else refuseKeyword(cls, k)
      }
      // Django's allow_distinct: Count, Sum and Avg.
      if (distinct && (fn === 'min' || fn === 'max')) throw raise.type(`${cls.name} does not allow distinct.`)
      const expr: PyExpression = { kind: 'aggregate', fn, name, ...(argument ? { argument } : {}), distinct, ...(filter ? { filter } : {}) }
      return { kind: 'expression', expr }
    }
  }
}

/** An aggregate's keyword the kit does not copy: a filter that is no Q, or one that changes the SQL. Any other keyword lands in Func.extra, which the SQL template never reads. */
// Stryker disable next-line BlockStatement: see the line below
function refuseKeyword(cls: DjangoClass, k: string): void {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: an Unsupported case errors whatever its message, so no passing document passes such a keyword
  if (k === 'filter' || SQL_EXTRAS.has(k)) throw new Unsupported(`${cls.name}(${k}=...)`)
}

/** The keywords of `Value.__init__`. */
const VALUE_KEYWORDS: readonly string[] = [
  'value',
  // Stryker disable next-line StringLiteral: Value() with an output field is Unsupported below, so another error for it shows nowhere
  'output_field'
]

/** `Value(value, output_field=None)`: Python's argument errors; an output field is not supported. */
function valueArgument(args: readonly PyValue[], kwargs: Kwargs): PyValue {
  const unknown = kwargs.find(([k]) => !VALUE_KEYWORDS.includes(k))
  if (unknown) throw raise.type(`Value.__init__() got an unexpected keyword argument '${unknown[0]}'`)
  // Stryker disable next-line EqualityOperator: two positional arguments (an output field) are Unsupported below, so a TypeError for them shows nowhere
  if (args.length > 2) throw raise.type(`Value.__init__() takes from 2 to 3 positional arguments but ${args.length + 1} were given`)
  // The parser refuses a repeated keyword, so the map loses none.
  const named = new Map(kwargs)
  if (named.has('value') && args.length) throw raise.type("Value.__init__() got multiple values for argument 'value'")
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: an Unsupported case errors whatever its message, so no passing document gives Value() an output field
  if (args.length === 2 || named.has('output_field')) throw new Unsupported('Value(output_field=...)')
  const value = args.length ? args[0]! : named.get('value')
  if (value === undefined) throw raise.type("Value.__init__() missing 1 required positional argument: 'value'")
  // A Value of an expression or a container is no literal the kit can put in a query.
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document gives Value() an expression or a container
  if (isObject(value) && !isPyScalarObject(value)) throw new Unsupported(`Value() of a ${typeName(value)}`)
  return value
}

/**
 * An aggregate's one argument, as Django's Func parses it: a string names a
 * field (an F()), an expression stays one, any other value becomes a Value().
 * Only an argument with a name (an F()) gives the aggregate a default alias.
 */
function aggregateArgument(cls: DjangoClass, arg: PyValue): { name: string; argument?: PyExpression } {
  if (typeof arg === 'string') return { name: arg }
  if (!isObject(arg) || isPyScalarObject(arg)) return complexArgument({ kind: 'value', value: arg })
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document aggregates a container or a queryset
  if (arg.kind !== 'expression') throw new Unsupported(`${cls.name}() of a ${typeName(arg)}`)
  // Stryker disable next-line ConditionalExpression,StringLiteral: an Unsupported case errors whatever its message, so no passing document aggregates an ordering
  if (arg.order) throw new Unsupported(`${cls.name}() of an ordering`)
  const e = arg.expr
  if (e.kind === 'F') return { name: e.name }
  // An aggregate of an aggregate: annotate() refuses it so (aggregate() leaves it to the database, which fails).
  if (e.kind === 'aggregate') {
    const inner = typeName(arg)
    throw raise.field(`Cannot compute ${cls.name}('${inner}'): '${inner}' is an aggregate`)
  }
  return complexArgument(e)
}

/** An aggregate of an expression: no name, so no default alias (defaultAlias()). */
function complexArgument(argument: PyExpression): { name: string; argument: PyExpression } {
  // Stryker disable next-line StringLiteral: beside an argument the name is read only as the label of the output spec (compile.ts), which no Django message shows
  return { name: '', argument }
}

/** `Q(*args, **kwargs)`: positional Q objects first, then the keywords sorted by name (Django's order). */
export function qNode(args: readonly PyValue[], kwargs: Kwargs): QNode {
  const children: QNode[] = []
  for (const a of args) {
    // A (name, value) tuple is a condition, as Q keeps its keywords.
    // Stryker disable next-line ConditionalExpression: each test made true admits only values the next test refuses as Unsupported (or, for None, fails as internally)
    if (isObject(a) && a.kind === 'tuple' && !a.names && a.items.length === 2 && typeof a.items[0] === 'string') {
      children.push({ kind: 'leaf', key: a.items[0], value: a.items[1]! })
      continue
    }
    // Django takes any child here (`Q(5)` is `<Q: (AND: 5)>`) and fails only when a query uses it.
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: an Unsupported case errors whatever its message, so no passing document gives Q() such a child
    if (!isObject(a) || a.kind !== 'q') throw new Unsupported(`Q() of a ${typeName(a)}`)
    children.push(a.node)
  }
  // Python's sorted() of the names; keyword names are ASCII identifiers, where code-unit order is code-point order.
  const byName = new Map(kwargs)
  for (const key of [...byName.keys()].sort()) children.push({ kind: 'leaf', key, value: byName.get(key)! })
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

/** The node of a Q object: qNode, combineQ and negateQ build only AND/OR nodes. */
type Branch = Extract<QNode, { kind: 'and' | 'or' }>

/** Django's `Node.add` with squash: a plain node of the same connector, or of one child, gives its children. */
function squash(q: QNode, connector: 'and' | 'or'): QNode[] {
  const n = q as Branch
  if (!n.negated && (n.kind === connector || n.children.length === 1)) return [...n.children]
  return [n]
}

/** `~q`: Django wraps it in a negated AND node. */
export function negateQ(n: QNode): QNode {
  return { kind: 'and', negated: true, children: squash(n, 'and') }
}

function isEmpty(q: QNode): boolean {
  return (q as Branch).children.length === 0
}

/** `F('x') + 1`, `2 * F('x')`: the value side becomes a literal. */
export function combineExpression(op: '+' | '-' | '*' | '/', a: PyValue, b: PyValue): PyValue {
  const side = (v: PyValue): PyExpression => (isObject(v) && v.kind === 'expression' ? v.expr : { kind: 'value', value: v })
  return { kind: 'expression', expr: { kind: 'combined', op, left: side(a), right: side(b) } }
}

/** Django's default alias of an aggregate: `authors__count`. */
export function defaultAlias(e: PyExpression): string | undefined {
  return e.kind === 'aggregate' && !e.argument ? `${e.name}__${e.fn}` : undefined
}

/** Does the expression aggregate (directly or in its arithmetic)? */
export function containsAggregate(e: PyExpression, annotations: ReadonlyMap<string, boolean>): boolean {
  switch (e.kind) {
    case 'aggregate':
      return true
    case 'combined':
      return containsAggregate(e.left, annotations) || containsAggregate(e.right, annotations)
    // The flag's only reader is grouped() (queryset-api.ts): an F() names an aggregate only when an earlier annotation
    // aggregates, which groups the queryset already, so answering false for it shows nowhere.
    // Stryker disable next-line ConditionalExpression,StringLiteral: see above
    case 'F':
      // Stryker disable next-line LogicalOperator: see above
      return annotations.get(e.name) ?? false
    // Stryker disable next-line ConditionalExpression,StringLiteral: without this case the answer is undefined, which every reader takes as false
    case 'value':
      return false
  }
}
