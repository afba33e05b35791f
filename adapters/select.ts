/**
 * The meaning of a `Select` (feature `queries`, see `contract.ts`) as a
 * function over plain tables: the memory adapter's whole implementation of
 * the `query` operation, and what an adapter may fall back on for a shape its
 * ORM cannot express, after fetching the rows and links through the ORM.
 */
import type { Expression, FieldType, Hop, Key, Predicate, Row, Scalar, Schema, Select } from './contract.js'
import { compareScalars, matches, transform } from './semantics.js'

/** Read access to the data a select needs. */
export interface Tables {
  /** Every row of a model. */
  rows(model: string): Iterable<Row>
  row(model: string, id: Key): Row | undefined
  /** Ids on the other side of `relation`, linked to `id` on `side`. */
  related(relation: string, side: Hop['side'], id: Key): readonly Key[]
}

type Candidate = readonly (Row | null)[]

/** Run `select` over `tables`; answers the `table` rows. */
export function runSelect(schema: Schema, tables: Tables, select: Select): Scalar[][] {
  const types = typeMap(schema)
  const other = (relation: string, side: Hop['side']): string => {
    const r = schema.relations.find((x) => x.name === relation)
    // Stryker disable next-line ConditionalExpression,StringLiteral: the kit only names relations of the schema it opened
    if (!r) throw new Error(`no such relation: ${relation}`)
    return side === 'forward' ? r.target : r.source
  }
  const joinModels: string[] = []
  for (const j of select.joins) {
    // An earlier join is one joinModels already holds.
    // Stryker disable next-line StringLiteral: an error's text is not part of the contract, only that the select is refused
    if (j.from !== undefined && !Object.hasOwn(joinModels, j.from)) throw new Error(`join from ${j.from}: no such earlier join`)
    joinModels.push(other(j.relation, j.side))
  }
  const modelOf = (join: number | undefined) => (join === undefined ? select.model : joinModels[join]!)
  // Stryker disable next-line OptionalChaining: every joined model is in the schema's type map
  const typeOf = (e: Expression): FieldType | undefined => expressionType(e, (join, field) => types.get(modelOf(join))?.get(field))

  const candidates: Candidate[] = []
  for (const root of tables.rows(select.model)) {
    const combos: (Row | null)[][] = [[root]]
    select.joins.forEach((j, i) => {
      const next: (Row | null)[][] = []
      for (const combo of combos) {
        const from = combo[j.from === undefined ? 0 : j.from + 1] ?? null
        const ids = from === null ? [] : tables.related(j.relation, j.side, from.id)
        // Links never name a missing row: deleting a row drops its links.
        const rows = ids.map((id) => tables.row(joinModels[i]!, id)!)
        if (rows.length === 0) next.push([...combo, null])
        for (const r of rows) next.push([...combo, r])
      }
      combos.splice(0, combos.length, ...next)
    })
    for (const c of combos) candidates.push(c)
  }

  const env: Env = { tables, typeOf, other, model: select.model, types }
  const kept = select.where ? candidates.filter((c) => holds(select.where!, [c], env)) : candidates
  interface Out {
    readonly columns: Scalar[]
    readonly order: Scalar[]
    readonly tie: Scalar[]
  }
  let out: Out[]
  if (select.group) {
    const groups = new Map<string, Candidate[]>()
    for (const c of kept) {
      const key = JSON.stringify(select.group.map((e) => value(e, [c], env)))
      groups.set(key, [...(groups.get(key) ?? []), c])
    }
    if (select.group.length === 0 && groups.size === 0) groups.set('[]', [])
    out = []
    for (const [key, group] of groups) {
      if (select.having && !holds(select.having, group, env)) continue
      out.push({
        columns: select.columns.map((e) => value(e, group, env)),
        order: select.orderBy.map((o) => value(o.expression, group, env)),
        tie: JSON.parse(key) as Scalar[]
      })
    }
  } else {
    out = kept.map((c) => ({
      columns: select.columns.map((e) => value(e, [c], env)),
      order: select.orderBy.map((o) => value(o.expression, [c], env)),
      tie: c.map((r) => (r === null ? null : r.id))
    }))
  }
  if (select.distinct) {
    const seen = new Set<string>()
    out = out.filter((o) => {
      const key = JSON.stringify([o.columns, o.order])
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
  }
  const orderTypes = select.orderBy.map((o) => typeOf(o.expression))
  out.sort((a, b) => {
    for (const [i, o] of select.orderBy.entries()) {
      const x = a.order[i]!
      const y = b.order[i]!
      if (o.nulls && (x === null) !== (y === null)) return (x === null) === (o.nulls === 'first') ? -1 : 1
      const c = compareScalars(x, y, orderTypes[i])
      if (c !== 0) return o.descending ? -c : c
    }
    // The ties of one select have one length: the candidate's rows, or the group's values.
    for (const [i, t] of a.tie.entries()) {
      const c = compareScalars(t, b.tie[i]!)
      if (c !== 0) return c
    }
    return 0
  })
  const end = select.limit === undefined ? undefined : select.offset + select.limit
  return out.slice(select.offset, end).map((o) => o.columns)
}

interface Env {
  readonly tables: Tables
  readonly typeOf: (e: Expression) => FieldType | undefined
  readonly other: (relation: string, side: Hop['side']) => string
  readonly model: string
  readonly types: ReadonlyMap<string, ReadonlyMap<string, FieldType>>
}

function typeMap(schema: Schema): Map<string, Map<string, FieldType>> {
  return new Map(
    schema.models.map((m) => [
      m.name,
      new Map([['id', m.primaryKey?.type ?? 'integer'], ...m.fields.map((f) => [f.name, f.type] as const)])
    ])
  )
}

/** The type of an expression's values (undefined: unknown, compare by value). */
export function expressionType(
  e: Expression,
  fieldType: (join: number | undefined, field: string) => FieldType | undefined
): FieldType | undefined {
  switch (e.kind) {
    case 'field':
      if (e.transform) return e.transform === 'date' ? 'date' : 'integer'
      return fieldType(e.join, e.field)
    case 'value':
      return typeof e.value === 'number' ? (Number.isInteger(e.value) && !e.float ? 'integer' : 'float') : undefined
    case 'arithmetic': {
      // A text literal in arithmetic is a Decimal (Django refuses other text there: mixed types).
      // Stryker disable next-line ConditionalExpression: only a value expression has a value
      const side = (x: Expression) => (x.kind === 'value' && typeof x.value === 'string' ? 'decimal' : expressionType(x, fieldType))
      const t = [side(e.left), side(e.right)]
      return t.includes('float') ? 'float' : t.includes('decimal') ? 'decimal' : (t[0] ?? t[1])
    }
    case 'aggregate':
      if (e.fn === 'count') return 'integer'
      if (e.fn === 'avg') return e.argument && expressionType(e.argument, fieldType) === 'decimal' ? 'decimal' : 'float'
      return e.argument ? expressionType(e.argument, fieldType) : undefined
  }
}

/** An expression's value: a row-level one from the group's first candidate, an aggregate over all of them. */
function value(e: Expression, group: readonly Candidate[], env: Env): Scalar {
  switch (e.kind) {
    case 'field': {
      const row = group[0]?.[e.join === undefined ? 0 : e.join + 1] ?? null
      if (row === null) return null
      // A row carries its key as its `id` property.
      const v = row[e.field] ?? null
      return e.transform ? transform(v, e.transform) : v
    }
    case 'value':
      return e.value
    case 'arithmetic': {
      const a = value(e.left, group, env)
      const b = value(e.right, group, env)
      if (a === null || b === null) return null
      const type = env.typeOf(e)
      if (type === 'decimal') return decimalArithmetic(e.op, decimalText(a), decimalText(b))
      return numberArithmetic(e.op, Number(a), Number(b), type !== 'float')
    }
    case 'aggregate': {
      const rows = e.filter ? group.filter((c) => holds(e.filter!, [c], env)) : group
      if (!e.argument) return rows.length
      let values = rows.map((c) => value(e.argument!, [c], env)).filter((v): v is Exclude<Scalar, null> => v !== null)
      if (e.distinct) values = [...new Map(values.map((v) => [JSON.stringify(v), v])).values()]
      const type = env.typeOf(e.argument)
      switch (e.fn) {
        case 'count':
          return values.length
        case 'min':
        case 'max': {
          if (values.length === 0) return null
          const sorted = [...values].sort((x, y) => compareScalars(x, y, type))
          return e.fn === 'min' ? sorted[0]! : sorted[sorted.length - 1]!
        }
        case 'sum':
          if (values.length === 0) return null
          if (type === 'decimal') return sumDecimals(values)
          return values.reduce((x: number, y) => x + Number(y), 0)
        case 'avg':
          if (values.length === 0) return null
          // Decimals add up exactly (a float sum of 0.1 and 0.2 is not 0.3); the average is a number.
          if (type === 'decimal') return Number(decimalArithmetic('/', sumDecimals(values), String(values.length)))
          return values.reduce((x: number, y) => x + Number(y), 0) / values.length
      }
    }
  }
  // A malformed select is refused, not read as a constant (the kit's own mistakes must show).
  // Stryker disable next-line StringLiteral: an error's text is not part of the contract, only that the select is refused
  throw new Error(`not an expression: ${JSON.stringify(e)}`)
}

function holds(p: Predicate, group: readonly Candidate[], env: Env): boolean {
  switch (p.kind) {
    case 'and':
      return p.items.every((x) => holds(x, group, env))
    case 'or':
      return p.items.some((x) => holds(x, group, env))
    case 'not':
      return !holds(p.item, group, env)
    case 'lookup': {
      const left = value(p.left, group, env)
      const right = Array.isArray(p.right) ? (p.right as readonly Scalar[]) : value(p.right as Expression, group, env)
      // A comparison with NULL holds for no row (an `isnull` lookup's value is always True or False).
      if (right === null) return false
      let type = env.typeOf(p.left)
      const rightType = Array.isArray(p.right) ? undefined : env.typeOf(p.right as Expression)
      // Numbers compare as floats when either is a float, else as decimals, exactly (a number against a decimal too).
      if (isNumeric(type) && isNumeric(rightType)) {
        if (type === 'float' || rightType === 'float') {
          // Stryker disable next-line StringLiteral: matches() reads neither the field name nor a type other than 'decimal'
          return matches(left === null ? null : Number(left), { field: '', lookup: p.lookup, value: Number(right) }, 'float')
        }
        type = 'decimal'
        // Stryker disable next-line StringLiteral: matches() does not read the field name
        return matches(left === null ? null : decimalText(left), { field: '', lookup: p.lookup, value: decimalText(right as Scalar) }, type)
      }
      // Stryker disable next-line StringLiteral: matches() does not read the field name
      return matches(left, { field: '', lookup: p.lookup, value: right }, type)
    }
    case 'exists': {
      const candidate = group[0]!
      let rows: Row[] = [candidate[0]!]
      let model = env.model
      for (const [i, hop] of p.path.entries()) {
        const next: Row[] = []
        model = env.other(hop.relation, hop.side)
        if (i === 0 && p.join !== undefined) {
          const tied = candidate[p.join + 1] ?? null
          if (tied) next.push(tied)
        } else {
          for (const r of rows) {
            // Links never name a missing row: deleting a row drops its links.
            for (const id of env.tables.related(hop.relation, hop.side, r.id)) next.push(env.tables.row(model, id)!)
          }
        }
        rows = next
      }
      const c = p.condition
      if (!c) return rows.length > 0
      // Stryker disable next-line OptionalChaining: every model of a path is in the schema's type map
      const type = env.types.get(model)?.get(c.field)
      return rows.some((r) => matches(r[c.field] ?? null, c, type))
    }
  }
}

/**
 * A value as a decimal in plain notation: a number such as the literal `1e21`
 * would otherwise read as `1e+21`, which is no decimal text.
 */
function decimalText(v: Scalar): string {
  // Stryker disable next-line ConditionalExpression: only a number may carry an exponent (decimal texts never do)
  if (typeof v !== 'number' || !String(v).includes('e')) return String(v)
  return Number.isInteger(v) ? BigInt(v).toString() : v.toFixed(100)
}

function sumDecimals(values: readonly Scalar[]): string {
  return values.map(decimalText).reduce((x, y) => String(decimalArithmetic('+', x, y)))
}

function isNumeric(t: FieldType | undefined): boolean {
  return t === 'integer' || t === 'float' || t === 'decimal'
}

function numberArithmetic(op: '+' | '-' | '*' | '/', a: number, b: number, integers: boolean): Scalar {
  if (op === '/') {
    if (b === 0) return null
    return integers ? Math.trunc(a / b) : a / b
  }
  return op === '+' ? a + b : op === '-' ? a - b : a * b
}

/** Exact decimal arithmetic on plain-notation strings (scaled BigInts); division to 20 places, truncated. */
export function decimalArithmetic(op: '+' | '-' | '*' | '/', a: string, b: string): Scalar {
  const parse = (s: string): [bigint, number] => {
    // Stryker disable next-line MethodExpression: decimal texts here never carry spaces
    const [int, frac = ''] = s.trim().split('.')
    // Stryker disable next-line StringLiteral: split() always gives a first part, and BigInt('') is 0n anyway
    return [BigInt((int ?? '0') + frac || '0'), frac.length]
  }
  let [x, sx] = parse(a)
  let [y, sy] = parse(b)
  let value: bigint
  let scale: number
  if (op === '*') {
    value = x * y
    scale = sx + sy
  } else if (op === '/') {
    if (y === 0n) return null
    scale = 20
    value = (x * 10n ** BigInt(scale + sy)) / (y * 10n ** BigInt(sx))
  } else {
    scale = Math.max(sx, sy)
    x *= 10n ** BigInt(scale - sx)
    y *= 10n ** BigInt(scale - sy)
    value = op === '+' ? x + y : x - y
  }
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return (negative ? '-' : '') + text
}

/** The models and relations a select reads (its own model, its joins', its `exists` paths'). */
export function selectScope(schema: Schema, select: Select): { models: Set<string>; relations: Set<string> } {
  const relations = new Set<string>(select.joins.map((j) => j.relation))
  const visit = (p: Predicate | undefined): void => {
    if (!p) return
    if (p.kind === 'and' || p.kind === 'or') p.items.forEach(visit)
    else if (p.kind === 'not') visit(p.item)
    else if (p.kind === 'exists') for (const h of p.path) relations.add(h.relation)
  }
  const visitExpression = (e: Expression): void => {
    if (e.kind === 'arithmetic') {
      visitExpression(e.left)
      visitExpression(e.right)
    }
    // An aggregate's argument holds no predicate: only its filter may reach through a relation.
    // Stryker disable next-line ConditionalExpression: only an aggregate has a filter
    if (e.kind === 'aggregate') visit(e.filter)
  }
  visit(select.where)
  visit(select.having)
  // Group expressions hold no aggregate (SQL cannot group by one), so no predicate either.
  for (const e of [...select.columns, ...select.orderBy.map((o) => o.expression)]) visitExpression(e)
  const models = new Set([select.model])
  for (const r of schema.relations) {
    // Stryker disable next-line ConditionalExpression: rows of a model the select does not read are never looked at
    if (relations.has(r.name)) {
      models.add(r.source)
      models.add(r.target)
    }
  }
  return { models, relations }
}

/** `Tables` over rows and links already read (an adapter's fallback after fetching them through its ORM). */
export function tablesOf(
  schema: Schema,
  rows: ReadonlyMap<string, readonly Row[]>,
  links: ReadonlyMap<string, readonly (readonly [Key, Key])[]>
): Tables {
  const byId = new Map<string, Map<Key, Row>>()
  for (const [model, list] of rows) byId.set(model, new Map(list.map((r) => [r.id, r])))
  const index = new Map<string, Map<Key, Key[]>>()
  for (const r of schema.relations) {
    // Stryker disable next-line ArrayDeclaration: a relation without links is never asked about (selectScope names those a select reads)
    const pairs = links.get(r.name) ?? []
    for (const side of ['forward', 'reverse'] as const) {
      const m = new Map<Key, Key[]>()
      for (const [s, t] of pairs) {
        const [from, to] = side === 'forward' ? [s, t] : [t, s]
        m.set(from, [...(m.get(from) ?? []), to])
      }
      index.set(`${r.name}|${side}`, m)
    }
  }
  // rows holds the select's model and every model it reads (selectScope); index every relation of the schema.
  return {
    // Stryker disable next-line ArrayDeclaration: see above
    rows: (model) => rows.get(model) ?? [],
    // Stryker disable next-line OptionalChaining: see above
    row: (model, id) => byId.get(model)?.get(id),
    // Stryker disable next-line OptionalChaining: see above
    related: (relation, side, id) => index.get(`${relation}|${side}`)?.get(id) ?? []
  }
}
