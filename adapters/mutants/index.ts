/**
 * Mutants: adapters that each break ONE rule of the contract, by wrapping the
 * memory adapter. The kit is only as good as the bugs it catches: its tests
 * run the documents against every mutant and expect at least one failure.
 */
import {
  type AdapterFactory,
  ALL_FEATURES,
  defineAdapter,
  type Expression,
  type Filter,
  type Hop,
  type Join,
  type Lookup,
  type Operation,
  type Predicate,
  type Query,
  type Result,
  type Schema,
  type Select
} from '../contract.js'
import { MemoryDatabase } from '../memory/index.js'

export interface Mutant {
  readonly name: string
  /** The rule it breaks, in words. */
  readonly breaks: string
  readonly adapter: AdapterFactory
}

type Execute = (op: Operation) => Promise<Result>

/** Build a mutant from a function that rewrites how operations reach the real adapter. */
function mutant(
  name: string,
  breaks: string,
  wrap: (execute: Execute, op: Operation, schema: Schema) => Promise<Result>,
  storage: (schema: Schema) => Schema = (x) => x
): Mutant {
  return {
    name,
    breaks,
    adapter: defineAdapter({
      name,
      features: ALL_FEATURES,
      async open({ schema }) {
        const db = new MemoryDatabase(storage(schema))
        const execute: Execute = (op) => db.execute(op)
        return { execute: (op) => wrap(execute, op, schema) }
      }
    })
  }
}

const mapQuery = (op: Operation, f: (q: Query) => Query): Operation =>
  op.kind === 'select' || op.kind === 'count' || op.kind === 'delete' ? { ...op, query: f(op.query) } : op

const mapConditions = (q: Query, f: (c: Filter['conditions'][number]) => Filter['conditions'][number]): Query => ({
  ...q,
  filters: q.filters.map((filter) => ({ ...filter, conditions: filter.conditions.map(f) }))
})

const SENSITIVE: Partial<Record<Lookup, Lookup>> = {
  exact: 'iexact',
  contains: 'icontains',
  startswith: 'istartswith',
  endswith: 'iendswith'
}

export const MUTANTS: readonly Mutant[] = [
  mutant('no-join-duplicates', 'a filter across the relation returns each row once', (run, op) =>
    run(mapQuery(op, (q) => (q.filters.some((f) => !f.negated && f.conditions.some((c) => c.via)) ? { ...q, distinct: true } : q)))
  ),
  mutant('distinct-ignored', 'distinct() does not remove join duplicates', (run, op) =>
    run(mapQuery(op, (q) => ({ ...q, distinct: false })))
  ),
  mutant('count-ignores-distinct', 'count() counts duplicates even after distinct()', (run, op) =>
    run(op.kind === 'count' ? { ...op, query: { ...op.query, distinct: false } } : op)
  ),
  mutant('add-not-idempotent', 'adding an existing link fails (INSERT without ON CONFLICT)', async (run, op) => {
    if (op.kind === 'add') {
      const before = await run({ ...op, targets: [] })
      const result = await run(op)
      if (result.kind === 'affected' && before.kind === 'affected' && result.count < op.targets.length)
        throw new Error('UNIQUE constraint failed: _ArticleToPublication.A, _ArticleToPublication.B')
      return result
    }
    return run(op)
  }),
  mutant('no-cascade', 'deleting a linked row fails instead of removing its links', async (run, op, schema) => {
    if (op.kind === 'delete') {
      const rows = await run({ kind: 'select', query: { ...op.query, distinct: true } })
      const ids = rows.kind === 'rows' ? rows.rows.map((r) => r.id) : []
      for (const hop of hops(schema, op.query.model)) {
        const linked = await run({
          kind: 'count',
          query: {
            model: op.query.model,
            filters: [
              {
                negated: false,
                conditions: [
                  { field: 'id', lookup: 'in', value: ids },
                  { via: hop, field: 'id', lookup: 'isnull', value: false }
                ]
              }
            ],
            distinct: true,
            orderBy: [],
            offset: 0
          }
        })
        if (linked.kind === 'count' && linked.count > 0) throw new Error('FOREIGN KEY constraint failed')
      }
    }
    return run(op)
  }),
  mutant('wrong-default-ordering', 'rows come in id order, ignoring Meta.ordering', (run, op) =>
    run(mapQuery(op, (q) => ({ ...q, orderBy: [] })))
  ),
  mutant('reversed-ordering', 'ordering direction is flipped', (run, op) =>
    run(mapQuery(op, (q) => ({ ...q, orderBy: q.orderBy.map((k) => ({ ...k, descending: !k.descending })) })))
  ),
  mutant('ids-reused', 'the next id is max(id) + 1, so a deleted highest id comes back', async (run, op) => {
    if (op.kind !== 'insert' || 'id' in op.values) return run(op)
    const last = await run({
      kind: 'select',
      query: { model: op.model, filters: [], distinct: false, orderBy: [{ field: 'id', descending: true }], offset: 0, limit: 1 }
    })
    const id = last.kind === 'rows' && last.rows[0] ? Number(last.rows[0].id) + 1 : 1
    return run({ ...op, values: { ...op.values, id } })
  }),
  mutant(
    'exclude-per-join-row',
    'exclude() keeps rows that have some OTHER related row (WHERE b != x over the join)',
    async (run, op, schema) => {
      if (op.kind !== 'select' && op.kind !== 'count') return run(op)
      const filters: Filter[] = []
      for (const f of op.query.filters) {
        const c = f.conditions[0]
        if (!f.negated || f.conditions.length !== 1 || !c?.via || c.field !== 'id' || (c.lookup !== 'exact' && c.lookup !== 'in')) {
          filters.push(f)
          continue
        }
        const excluded = new Set<unknown>(Array.isArray(c.value) ? c.value : [c.value])
        const other = await run({
          kind: 'select',
          query: { model: farModel(schema, c.via), filters: [], distinct: false, orderBy: [], offset: 0 }
        })
        const keep = other.kind === 'rows' ? other.rows.map((r) => r.id).filter((id) => !excluded.has(id)) : []
        filters.push({ negated: false, conditions: [{ via: c.via, field: 'id', lookup: 'in', value: keep }] })
      }
      return run({ ...op, query: { ...op.query, filters } })
    }
  ),
  mutant('set-not-removing', 'set() only adds', (run, op) => run(op.kind === 'set' ? { ...op, kind: 'add' } : op)),
  mutant('reverse-side-ignored', 'links changed from the reverse side are not stored', async (run, op) =>
    (op.kind === 'add' || op.kind === 'remove' || op.kind === 'set' || op.kind === 'clear') && op.side === 'reverse'
      ? { kind: 'affected', count: 0 }
      : run(op)
  ),
  mutant('case-insensitive', 'exact/contains/startswith/endswith ignore case', (run, op) =>
    run(mapQuery(op, (q) => mapConditions(q, (c) => ({ ...c, lookup: SENSITIVE[c.lookup] ?? c.lookup }))))
  ),
  mutant('clear-not-clearing', 'clear() does nothing', async (run, op) => (op.kind === 'clear' ? { kind: 'affected', count: 0 } : run(op))),
  mutant('remove-removes-all', 'remove(x) clears every link', (run, op) =>
    run(op.kind === 'remove' ? { kind: 'clear', relation: op.relation, side: op.side, id: op.id } : op)
  ),
  mutant('nested-create-unlinked', "a related manager's create() does not link the new row", (run, op) => {
    if (op.kind !== 'insert' || !op.link) return run(op)
    const { link: _link, ...plain } = op
    return run(plain)
  }),
  mutant('paging-before-duplicates', 'offset/limit count distinct rows, not joined rows', (run, op) =>
    run(mapQuery(op, (q) => (q.offset || q.limit !== undefined ? { ...q, distinct: true } : q)))
  ),
  mutant(
    'decimals-as-text',
    'decimal columns compare as text (10.00 sorts before 9.50)',
    (run, op) => run(op),
    (schema) => ({
      ...schema,
      models: schema.models.map((m) => ({
        ...m,
        fields: m.fields.map((f) => (f.type === 'decimal' ? { ...f, type: 'string' as const } : f))
      }))
    })
  ),
  mutant('transform-ignored', 'year/month/day compare the whole date', (run, op) =>
    run(mapQuery(op, (q) => mapConditions(q, ({ transform: _t, ...c }) => c)))
  ),
  mutant('range-exclusive', 'range leaves out its bounds', (run, op) =>
    run(
      mapQuery(op, (q) => ({
        ...q,
        filters: q.filters.map((f) => ({
          ...f,
          conditions: f.conditions.flatMap((c) =>
            c.lookup === 'range' && Array.isArray(c.value)
              ? [
                  { ...c, lookup: 'gt' as const, value: c.value[0]! },
                  { ...c, lookup: 'lt' as const, value: c.value[1]! }
                ]
              : [c]
          )
        }))
      }))
    )
  ),
  mutant('self-relation-one-column', 'a relation to the same model reads both sides from one column', (run, op, schema) => {
    const self = (name: string) => schema.relations.some((r) => r.name === name && r.source === r.target)
    return run(
      mapQuery(op, (q) => mapConditions(q, (c) => (c.via && self(c.via.relation) ? { ...c, via: { ...c.via, side: 'forward' } } : c)))
    )
  }),
  mutant(
    'sequence-not-advanced',
    'after an explicit id the next automatic id restarts below it (PostgreSQL without setval)',
    (() => {
      // Per document run (its schema object), the sequence a PostgreSQL SERIAL would keep.
      const sequences = new WeakMap<Schema, Map<string, number>>()
      return async (run: Execute, op: Operation, schema: Schema) => {
        if (op.kind !== 'insert') return run(op)
        if ('id' in op.values) return run(op)
        const next = sequences.get(schema) ?? new Map<string, number>()
        sequences.set(schema, next)
        const id = (next.get(op.model) ?? 0) + 1
        const result = await run({ ...op, values: { ...op.values, id } }).catch(() => run(op))
        if (result.kind === 'inserted' && typeof result.id === 'number') next.set(op.model, result.id)
        return result
      }
    })()
  ),
  mutant('counts-lie', 'every write answers affected: 42 (update and delete counts are what Django prints)', async (run, op) => {
    const result = await run(op)
    return result.kind === 'affected' ? { kind: 'affected', count: 42 } : result
  }),
  mutant('ids-as-text', "inserted ids come back as text ('1'), as some drivers return BIGINT", async (run, op) => {
    const result = await run(op)
    return result.kind === 'inserted' ? { kind: 'inserted', id: String(result.id) } : result
  }),
  mutant('limit-ignored', 'select returns every row past the limit (the kit must not slice for it)', (run, op) =>
    run(op.kind === 'select' ? { ...op, query: { ...op.query, limit: undefined as never } } : op)
  ),
  mutant('exclude-any', 'exclude(a, b) drops a row when either condition holds (NOT (a OR b))', (run, op) =>
    run(
      mapQuery(op, (q) => ({
        ...q,
        filters: q.filters.flatMap((f) =>
          f.negated && f.conditions.length > 1 ? f.conditions.map((c) => ({ negated: true, conditions: [c] })) : [f]
        )
      }))
    )
  ),
  mutant('endswith-as-contains', 'endswith matches anywhere in the text', (run, op) =>
    run(
      mapQuery(op, (q) =>
        mapConditions(q, (c) =>
          c.lookup === 'endswith' ? { ...c, lookup: 'contains' } : c.lookup === 'iendswith' ? { ...c, lookup: 'icontains' } : c
        )
      )
    )
  ),
  mutant('isnull-ignores-sibling', 'isnull=True on a relation drops the other conditions on that relation in the same filter', (run, op) =>
    run(
      mapQuery(op, (q) => ({
        ...q,
        filters: q.filters.map((f) => {
          const empty = f.conditions.find((c) => c.via && c.field === 'id' && c.lookup === 'isnull' && c.value === true)
          if (f.negated || !empty) return f
          return {
            ...f,
            conditions: f.conditions.filter(
              (c) => c === empty || !c.via || c.via.relation !== empty.via!.relation || c.via.side !== empty.via!.side
            )
          }
        })
      }))
    )
  ),
  mutant('wildcards-leak', "'%' and '_' in a value match anything (unescaped LIKE)", (run, op) =>
    run(
      mapQuery(op, (q) =>
        mapConditions(q, (c) =>
          typeof c.value === 'string' && /[%_]/.test(c.value) && c.lookup !== 'exact' ? { ...c, value: c.value.split(/[%_]/)[0] ?? '' } : c
        )
      )
    )
  ),
  // The `query` operation (feature `queries`): each breaks one rule of `Select`.
  mutant('inner-joins', 'a row with nothing related disappears (INNER JOIN where Django joins LEFT)', (run, op) =>
    run(
      mapSelect(op, (s) => {
        const present = s.joins.map(
          (_, join): Predicate => ({
            kind: 'lookup',
            left: { kind: 'field', join, field: 'id' },
            lookup: 'isnull',
            right: { kind: 'value', value: false }
          })
        )
        return present.length ? { ...s, where: { kind: 'and', items: [...(s.where ? [s.where] : []), ...present] } } : s
      })
    )
  ),
  mutant('joins-merged', 'two filter() calls share one join (no multiplied rows, "fixed" aggregates)', (run, op) =>
    run(mapSelect(op, mergeJoins))
  ),
  mutant('aggregate-distinct-ignored', 'Count(distinct=True) counts duplicates', (run, op) =>
    run(mapSelect(op, (s) => mapExpressions(s, (e) => (e.kind === 'aggregate' ? { ...e, distinct: false } : e))))
  ),
  mutant('aggregate-filter-ignored', 'an aggregate counts every row, ignoring filter=Q(...)', (run, op) =>
    run(mapSelect(op, (s) => mapExpressions(s, (e) => (e.kind === 'aggregate' ? withoutFilter(e) : e))))
  ),
  mutant('or-as-and', '| of Q objects behaves like &', (run, op) =>
    run(mapSelect(op, (s) => mapPredicates(s, (p) => (p.kind === 'or' ? { kind: 'and', items: p.items } : p))))
  ),
  mutant('exclusion-untied', "a negated condition is never tied to its filter()'s join", (run, op) =>
    run(
      mapSelect(op, (s) =>
        mapPredicates(s, (p) =>
          p.kind === 'exists' ? { kind: 'exists', path: p.path, ...(p.condition ? { condition: p.condition } : {}) } : p
        )
      )
    )
  ),
  mutant('having-ignored', 'a filter on an aggregate keeps every group', (run, op) => run(mapSelect(op, ({ having: _h, ...s }) => s))),
  mutant('true-division', 'integer / integer is not truncated', (run, op) =>
    run(
      mapSelect(op, (s) =>
        mapExpressions(s, (e) =>
          e.kind === 'arithmetic' && e.op === '/'
            ? { ...e, left: { kind: 'arithmetic', op: '*', left: e.left, right: { kind: 'value', value: 1.0000001 } } }
            : e
        )
      )
    )
  ),
  mutant('distinct-ignores-ordering', 'distinct() compares the selected columns only, not the ordering ones', async (run, op) => {
    if (op.kind !== 'query' || !op.select.distinct || op.select.orderBy.length === 0) return run(op)
    const result = await run({ ...op, select: { ...op.select, distinct: false } })
    if (result.kind !== 'table') return result
    const seen = new Set<string>()
    return { kind: 'table', rows: result.rows.filter((r) => !seen.has(JSON.stringify(r)) && seen.add(JSON.stringify(r)) !== undefined) }
  })
]

function withoutFilter(e: Extract<Expression, { kind: 'aggregate' }>): Expression {
  const { filter: _f, ...rest } = e
  return rest
}

const mapSelect = (op: Operation, f: (s: Select) => Select): Operation => (op.kind === 'query' ? { ...op, select: f(op.select) } : op)

/** Rewrite every expression of a select, inside out. */
function mapExpressions(s: Select, f: (e: Expression) => Expression): Select {
  const ex = (e: Expression): Expression => {
    if (e.kind === 'arithmetic') return f({ ...e, left: ex(e.left), right: ex(e.right) })
    if (e.kind === 'aggregate')
      return f({ ...e, ...(e.argument ? { argument: ex(e.argument) } : {}), ...(e.filter ? { filter: pr(e.filter) } : {}) })
    return f(e)
  }
  const pr = (p: Predicate): Predicate => {
    if (p.kind === 'and' || p.kind === 'or') return { ...p, items: p.items.map(pr) }
    if (p.kind === 'not') return { ...p, item: pr(p.item) }
    if (p.kind === 'lookup') return { ...p, left: ex(p.left), right: Array.isArray(p.right) ? p.right : ex(p.right as Expression) }
    return p
  }
  return {
    ...s,
    ...(s.where ? { where: pr(s.where) } : {}),
    ...(s.having ? { having: pr(s.having) } : {}),
    ...(s.group ? { group: s.group.map(ex) } : {}),
    columns: s.columns.map(ex),
    orderBy: s.orderBy.map((o) => ({ ...o, expression: ex(o.expression) }))
  }
}

/** Rewrite every predicate of a select, inside out. */
function mapPredicates(s: Select, f: (p: Predicate) => Predicate): Select {
  const pr = (p: Predicate): Predicate => {
    if (p.kind === 'and' || p.kind === 'or') return f({ ...p, items: p.items.map(pr) })
    if (p.kind === 'not') return f({ ...p, item: pr(p.item) })
    return f(p)
  }
  return { ...s, ...(s.where ? { where: pr(s.where) } : {}), ...(s.having ? { having: pr(s.having) } : {}) }
}

/** Point every join at the first equal one (same start, relation and side). */
function mergeJoins(s: Select): Select {
  const target: number[] = []
  const kept: Join[] = []
  const newIndex = new Map<number, number>()
  s.joins.forEach((j, i) => {
    const from = j.from === undefined ? undefined : target[j.from]
    const same = kept.findIndex((k) => k.from === from && k.relation === j.relation && k.side === j.side)
    if (same >= 0) target.push(same)
    else {
      kept.push({ ...(from === undefined ? {} : { from }), relation: j.relation, side: j.side })
      target.push(kept.length - 1)
    }
    newIndex.set(i, target[i]!)
  })
  const renumbered = mapExpressions({ ...s, joins: kept }, (e) =>
    e.kind === 'field' && e.join !== undefined ? { ...e, join: newIndex.get(e.join)! } : e
  )
  return mapPredicates(renumbered, (p) => (p.kind === 'exists' && p.join !== undefined ? { ...p, join: newIndex.get(p.join)! } : p))
}

/** Every hop that starts at `model`. */
function hops(schema: Schema, model: string): Hop[] {
  return schema.relations.flatMap((r): Hop[] => [
    ...(r.source === model ? [{ relation: r.name, side: 'forward' as const }] : []),
    ...(r.target === model ? [{ relation: r.name, side: 'reverse' as const }] : [])
  ])
}

/** The model at the far end of a hop. */
function farModel(schema: Schema, via: Hop): string {
  const r = schema.relations.find((x) => x.name === via.relation)!
  return via.side === 'forward' ? r.target : r.source
}
