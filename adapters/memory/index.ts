/**
 * The in-memory adapter: no dependencies, the executable statement of the
 * contract's data semantics (see `../contract.ts`), and the runner's fast
 * test double. Tables are maps; a relation is a set of `source:target` pairs.
 */
import {
  type Adapter,
  ALL_FEATURES,
  type Condition,
  defineAdapter,
  type FieldType,
  type Key,
  type Operation,
  type Query,
  type Result,
  type Row,
  type Scalar,
  type Schema
} from '../contract.js'
import { runSelect, selectScope, tablesOf } from '../select.js'
import { compareRows, multiplicity } from '../semantics.js'

/** One link, as a map key: JSON keeps number and string keys apart. */
const pairKey = (source: Key, target: Key): string => JSON.stringify([source, target])
const unpair = (pair: string): [Key, Key] => JSON.parse(pair) as [Key, Key]

/** A memory database for one schema. Exported so broken variants can wrap it. */
export class MemoryDatabase implements Adapter {
  private readonly tables = new Map<string, Map<Key, Row>>()
  private readonly nextId = new Map<string, number>()
  /** model -> field -> type, for comparisons. */
  private readonly types = new Map<string, Map<string, FieldType>>()
  /** relation name -> set of `[source, target]` id pairs. */
  private readonly links = new Map<string, Set<string>>()
  private operations = 0

  constructor(private readonly schema: Schema) {
    for (const m of schema.models) {
      this.tables.set(m.name, new Map())
      this.nextId.set(m.name, 1)
      // Stryker disable next-line ArrayDeclaration,LogicalOperator,StringLiteral: a key is an integer or a string, and compareScalars and matches() treat only decimals apart
      const key = ['id', m.primaryKey?.type ?? 'integer'] as const
      this.types.set(m.name, new Map([key, ...m.fields.map((f) => [f.name, f.type] as const)]))
    }
    for (const r of schema.relations) this.links.set(r.name, new Set())
  }

  queryCount(): number {
    return this.operations
  }

  async execute(op: Operation): Promise<Result> {
    this.operations++
    switch (op.kind) {
      case 'insert': {
        const table = this.table(op.model)
        const explicit = op.values['id']
        const id: Key = typeof explicit === 'number' || typeof explicit === 'string' ? explicit : this.nextId.get(op.model)!
        // Stryker disable next-line StringLiteral: an error's text is not part of the contract, only that the insert is refused
        if (table.has(id)) throw new Error(`UNIQUE constraint failed: ${op.model}.id`)
        // Stryker disable next-line ConditionalExpression: a model with a text key never takes an automatic id
        if (typeof id === 'number') this.nextId.set(op.model, Math.max(this.nextId.get(op.model)!, id + 1))
        table.set(id, { ...this.blank(op.model), ...op.values, id })
        if (op.link) this.pairs(op.link.relation, op.link.side, op.link.ownerId, [id], 'add')
        return { kind: 'inserted', id }
      }
      case 'update': {
        const table = this.table(op.model)
        const row = table.get(op.id)
        if (!row) return { kind: 'affected', count: 0 }
        table.set(op.id, { ...row, ...op.values, id: op.id })
        return { kind: 'affected', count: 1 }
      }
      case 'select':
        return { kind: 'rows', rows: this.select(op.query) }
      case 'count':
        return { kind: 'count', count: this.select(op.query).length }
      case 'delete': {
        const ids = new Set(this.select(op.query).map((r) => r.id))
        for (const id of ids) this.table(op.query.model).delete(id)
        for (const r of this.schema.relations) {
          const set = this.links.get(r.name)!
          for (const pair of set) {
            const [s, t] = unpair(pair)
            if ((r.source === op.query.model && ids.has(s)) || (r.target === op.query.model && ids.has(t))) set.delete(pair)
          }
        }
        return { kind: 'affected', count: ids.size }
      }
      case 'add':
      case 'remove':
        return { kind: 'affected', count: this.pairs(op.relation, op.side, op.id, op.targets, op.kind) }
      case 'clear':
        // Stryker disable next-line StringLiteral: any mode but 'add' unlinks
        return { kind: 'affected', count: this.pairs(op.relation, op.side, op.id, this.related(op.relation, op.side, op.id), 'remove') }
      case 'set': {
        const current = this.related(op.relation, op.side, op.id)
        const wanted = new Set(op.targets)
        const removed = this.pairs(
          op.relation,
          op.side,
          op.id,
          // Stryker disable next-line MethodExpression: unlinking all and linking the targets leaves the same set; Django's add/remove/set/clear return None: the kit never reads a link operation's count
          current.filter((t) => !wanted.has(t)),
          // Stryker disable next-line StringLiteral: any mode but 'add' unlinks
          'remove'
        )
        return { kind: 'affected', count: removed + this.pairs(op.relation, op.side, op.id, op.targets, 'add') }
      }
      case 'query': {
        // Read as the SQL adapters' fallback does: the models and links the query names (selectScope),
        // indexed by tablesOf, so every document holds the helpers those adapters rely on.
        const scope = selectScope(this.schema, op.select)
        const rows = new Map([...scope.models].map((m) => [m, [...this.table(m).values()]] as const))
        const links = new Map([...scope.relations].map((r) => [r, [...this.links.get(r)!].map(unpair)] as const))
        return { kind: 'table', rows: runSelect(this.schema, tablesOf(this.schema, rows, links), op.select) }
      }
    }
  }

  private table(model: string): Map<Key, Row> {
    const t = this.tables.get(model)
    // Stryker disable next-line ConditionalExpression,StringLiteral: the kit only names models of the schema it opened
    if (!t) throw new Error(`no such table: ${model}`)
    return t
  }

  // Stryker disable next-line BlockStatement: a field missing from a row reads as None, as a null one does
  private blank(model: string): Record<string, Scalar> {
    // Stryker disable next-line ConditionalExpression: a field missing from a row reads as None, as a null one does
    const m = this.schema.models.find((x) => x.name === model)!
    return Object.fromEntries(m.fields.map((f) => [f.name, null]))
  }

  private relation(name: string) {
    const r = this.schema.relations.find((x) => x.name === name)
    // Stryker disable next-line ConditionalExpression,StringLiteral: the kit only names relations of the schema it opened
    if (!r) throw new Error(`no such relation: ${name}`)
    return r
  }

  /** Ids related to `id` (on `side`), from the other side. */
  private related(relation: string, side: 'forward' | 'reverse', id: Key): Key[] {
    const out: Key[] = []
    for (const pair of this.links.get(relation)!) {
      const [s, t] = unpair(pair)
      if (side === 'forward' && s === id) out.push(t)
      if (side === 'reverse' && t === id) out.push(s)
    }
    return out
  }

  private pairs(relation: string, side: 'forward' | 'reverse', id: Key, targets: readonly Key[], mode: 'add' | 'remove'): number {
    const r = this.relation(relation)
    const set = this.links.get(relation)!
    let changed = 0
    for (const t of targets) {
      const [s, tg] = side === 'forward' ? [id, t] : [t, id]
      if (mode === 'add') {
        // Stryker disable next-line StringLiteral: an error's text is not part of the contract, only that the link is refused
        if (!this.table(r.source).has(s) || !this.table(r.target).has(tg)) throw new Error('FOREIGN KEY constraint failed')
        // Stryker disable next-line BooleanLiteral,ConditionalExpression: Django's add/remove/set/clear return None: the kit never reads a link operation's count
        if (!set.has(pairKey(s, tg))) changed++
        set.add(pairKey(s, tg))
      } else {
        const removed = set.delete(pairKey(s, tg))
        // Stryker disable next-line ConditionalExpression,UpdateOperator: Django's add/remove/set/clear return None: the kit never reads a link operation's count
        if (removed) changed++
      }
    }
    return changed
  }

  private select(query: Query): Row[] {
    const rows: Row[] = []
    for (const row of this.table(query.model).values()) {
      const times = multiplicity(
        row,
        query.filters,
        (c) => this.relatedRows(query.model, row, c),
        (c) => this.typeOf(query.model, c)
      )
      const n = query.distinct ? Math.min(times, 1) : times
      for (let i = 0; i < n; i++) rows.push(row)
    }
    const types = this.types.get(query.model)!
    rows.sort((a, b) => compareRows(a, b, query.orderBy, (f) => types.get(f)))
    const end = query.limit === undefined ? undefined : query.offset + query.limit
    return rows.slice(query.offset, end)
  }

  /** The type of the field a condition tests, on the queried model or across its hop. */
  private typeOf(model: string, c: Condition): FieldType | undefined {
    // Stryker disable next-line OptionalChaining: every model of the schema has its types
    if (!c.via) return this.types.get(model)?.get(c.field)
    const r = this.relation(c.via.relation)
    // Stryker disable next-line OptionalChaining: every model of the schema has its types
    return this.types.get(c.via.side === 'forward' ? r.target : r.source)?.get(c.field)
  }

  private relatedRows(model: string, row: Row, c: Condition): Row[] {
    const r = this.relation(c.via!.relation)
    const side = c.via!.side
    const other = side === 'forward' ? r.target : r.source
    // Stryker disable next-line ConditionalExpression,StringLiteral: the kit only follows a relation from its own side
    if ((side === 'forward' ? r.source : r.target) !== model) throw new Error(`relation ${r.name} does not start at ${model}`)
    // Links go with their rows (delete), so every related id has a row.
    return this.related(r.name, side, row.id).map((id) => this.table(other).get(id)!)
  }
}

export default defineAdapter({
  // Stryker disable next-line StringLiteral: the adapter's name is shown in reports, not in documents
  name: 'memory',
  features: ALL_FEATURES,
  async open({ schema }) {
    return new MemoryDatabase(schema)
  }
})
