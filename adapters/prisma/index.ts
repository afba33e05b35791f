/**
 * The reference adapter: Prisma Client 7 with driver adapters, on SQLite (the
 * embedded default), PostgreSQL and MariaDB, for any document. The Prisma
 * schema and its migration are rendered from the document's models
 * (`schema.ts`), the client is generated once per schema and cached
 * (`cache.ts`). Prisma manages every many-to-many implicitly: links go
 * through `connect`, `disconnect`, `set` and nested `connect` on create;
 * filters through the relation filters `some`/`none`; join duplicates come
 * from a filtered relation `select` (one entry per matching link). No SQL is
 * written here, except one `setval` on PostgreSQL (rule 1: Prisma has no API
 * to move a sequence past an explicit id).
 */
import { appendFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import {
  type Adapter,
  ALL_FEATURES,
  type Condition,
  defineAdapter,
  type Expression,
  type FieldType,
  type Filter,
  type Key,
  type Operation,
  type Predicate,
  type Query,
  type Result,
  type Row,
  type Scalar,
  type Schema,
  type Select
} from '../contract.js'
import { needPackages } from '../packages.js'
import { createScratch, providerOf, type Scratch } from '../scratch/index.js'
import { runSelect, selectScope, tablesOf } from '../select.js'
import { compareRows, compareScalars, multiplicity } from '../semantics.js'
import { cachedClient, runtimeModule } from './cache.js'

/** The driver adapter and driver each provider needs (optional peer dependencies of the kit). */
const DRIVERS: Readonly<Record<Provider, readonly string[]>> = {
  sqlite: ['@prisma/adapter-better-sqlite3', 'better-sqlite3'],
  postgresql: ['@prisma/adapter-pg', 'pg'],
  mysql: ['@prisma/adapter-mariadb', 'mariadb']
}

import { type Provider, pushCondition, type Where } from './pushdown.js'
import { mapSchema, type PrismaMapping, type PrismaModel, renderMigration, renderPrismaSchema } from './schema.js'

/** The generated delegate methods this adapter calls (typed here to keep Prisma's per-schema types out). */
interface Delegate {
  findMany(args: object): Promise<Record<string, unknown>[]>
  count(args: object): Promise<number>
  create(args: object): Promise<Record<string, unknown>>
  update(args: object): Promise<unknown>
  updateMany(args: object): Promise<{ count: number }>
  deleteMany(args: object): Promise<{ count: number }>
  aggregate(args: object): Promise<unknown>
}

interface Client {
  $on(event: 'query', listener: (event: { query?: string }) => void): void
  $disconnect(): Promise<void>
  $executeRawUnsafe(sql: string): Promise<number>
}

// Prisma's runtime is one module for every schema: load it now, while the kit reads the
// document (the adapter thread starts first), not when the generated client imports it.
void Promise.resolve()
  .then(() => import(runtimeModule()))
  .catch(() => undefined)

export default defineAdapter({
  name: 'prisma',
  features: ALL_FEATURES,
  async open({ schema, db, reuseDatabase }) {
    const provider = providerOf(db)
    needPackages(`the Prisma adapter on ${provider}`, ['prisma', '@prisma/client', ...DRIVERS[provider]])
    // The client is generated (or found in the cache) and its module loads, starting to compile its query
    // compiler, while the database is made.
    const client = cachedClient(
      (output) => renderPrismaSchema(schema, provider, output),
      process.stderr.isTTY ? (t) => void process.stderr.write(t) : undefined
    ).then(({ module }) => import(pathToFileURL(module).href) as Promise<ClientModule>)
    client.catch(() => undefined)
    const scratch = await createScratch(db, { reuse: reuseDatabase ?? false })
    try {
      if (scratch.created) await scratch.exec(renderMigration(schema, provider))
      return new PrismaAdapter(provider, schema, await connect(provider, scratch, client), scratch)
    } catch (e) {
      await scratch.drop()
      throw e
    }
  }
})

/** A generated client module. */
interface ClientModule {
  readonly PrismaClient: new (options: object) => Client
}

async function connect(provider: Provider, scratch: Scratch, module: Promise<ClientModule>): Promise<Client> {
  const options = { log: [{ emit: 'event', level: 'query' }] }
  const [{ PrismaClient }, adapter] = await Promise.all([module, driver(provider, scratch)])
  return new PrismaClient({ adapter, ...options })
}

async function driver(provider: Provider, scratch: Scratch): Promise<unknown> {
  if (provider === 'sqlite') {
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3')
    const factory = new PrismaBetterSqlite3({ url: `file:${scratch.url}` })
    // A scratch file the kit made is throwaway data: its connections skip the fsyncs (Scratch.pragmas).
    const pragmas = scratch.pragmas
    if (pragmas) {
      const connect = factory.connect.bind(factory)
      factory.connect = async () => {
        const connection = await connect()
        await connection.executeScript(pragmas)
        return connection
      }
    }
    return factory
  }
  if (provider === 'postgresql') {
    const { PrismaPg } = await import('@prisma/adapter-pg')
    return new PrismaPg({ connectionString: scratch.url })
  }
  const { PrismaMariaDb } = await import('@prisma/adapter-mariadb')
  const u = new URL(scratch.url)
  return new PrismaMariaDb({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: scratch.database,
    connectionLimit: 4
  })
}

/**
 * `ORM_CONFORMANCE_PRISMA_TRACE=<file>` appends every Prisma call the adapter
 * makes, as one JSON line `[delegate, method, args]` (dates and big integers
 * as text): what an adapter author reads to see how a statement maps to
 * Prisma, and what the benchmark replays through Prisma alone
 * (bench/prisma-floor.mjs).
 */
const TRACE = process.env['ORM_CONFORMANCE_PRISMA_TRACE'] || undefined

function traced(name: string, delegate: Delegate, file: string): Delegate {
  const call =
    (method: keyof Delegate) =>
    (args: object): Promise<never> => {
      appendFileSync(file, `${JSON.stringify([name, method, args], (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}\n`)
      return (delegate[method] as (args: object) => Promise<never>)(args)
    }
  return {
    findMany: call('findMany'),
    count: call('count'),
    create: call('create'),
    update: call('update'),
    updateMany: call('updateMany'),
    deleteMany: call('deleteMany'),
    aggregate: call('aggregate')
  }
}

const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START TRANSACTION|SET TRANSACTION)\b/i

/** A plan for one query: the database narrows, JavaScript decides what it cannot. */
interface Plan {
  readonly where: Where
  /** Relation fields to select with their filter, for join counts and re-checks. */
  readonly related: ReadonlyMap<string, Where | undefined>
  /** Filters the database answered exactly; the others are evaluated on the candidates. */
  readonly settled: ReadonlySet<Filter>
  /** When the only open filter is one exact join on one relation: count it with a filtered `_count`. */
  readonly joinCount: { readonly field: string; readonly where: Where } | undefined
}

class PrismaAdapter implements Adapter {
  private queries = 0
  private closed = false
  private readonly mapping: PrismaMapping

  constructor(
    private readonly provider: Provider,
    private readonly schema: Schema,
    private readonly client: Client,
    private readonly scratch: Scratch
  ) {
    this.mapping = mapSchema(schema)
    // Transaction control is not counted, as Django's connection.queries does not log it (and Prisma
    // logs COMMIT but not BEGIN): the two counts then compare statement for statement.
    client.$on('query', (e: { query?: string }) => {
      if (!TRANSACTION_CONTROL.test(e.query ?? '')) this.queries++
    })
  }

  queryCount(): number {
    return this.queries
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      await this.client.$disconnect()
    } finally {
      await this.scratch.drop()
    }
  }

  async execute(op: Operation): Promise<Result> {
    switch (op.kind) {
      case 'insert': {
        const m = this.model(op.model)
        const data = this.data(m, op.values)
        if (op.link) {
          const r = this.relation(op.link.relation)
          const owner = this.model(op.link.side === 'forward' ? r.source : r.target)
          // The new row sits on the other side from its owner.
          data[op.link.side === 'forward' ? r.reverse : r.forward] = { connect: { [owner.key]: this.key(owner, op.link.ownerId) } }
        }
        const row = await this.delegate(m).create({ data, select: { [m.key]: true } })
        if ('id' in op.values && m.autoKey) await this.advanceSequence(m)
        return { kind: 'inserted', id: this.keyOut(m, row[m.key]) }
      }
      case 'update': {
        const m = this.model(op.model)
        const { count } = await this.delegate(m).updateMany({ where: { [m.key]: this.key(m, op.id) }, data: this.data(m, op.values) })
        return { kind: 'affected', count }
      }
      case 'select':
        return { kind: 'rows', rows: await this.rows(op.query) }
      case 'count':
        return { kind: 'count', count: await this.count(op.query) }
      case 'delete':
        return { kind: 'affected', count: await this.delete(op.query) }
      case 'add':
      case 'remove':
      case 'set':
      case 'clear': {
        const verb = op.kind === 'add' ? 'connect' : op.kind === 'remove' ? 'disconnect' : 'set'
        const targets = op.kind === 'clear' ? [] : op.targets
        const r = this.relation(op.relation)
        const [owner, other, field] = op.side === 'forward' ? [r.source, r.target, r.forward] : [r.target, r.source, r.reverse]
        const om = this.model(owner)
        const tm = this.model(other)
        await this.delegate(om).update({
          where: { [om.key]: this.key(om, op.id) },
          data: { [field]: { [verb]: targets.map((id) => ({ [tm.key]: this.key(tm, id) })) } },
          select: { [om.key]: true }
        })
        return { kind: 'affected', count: targets.length }
      }
      case 'query':
        return {
          kind: 'table',
          rows: (await this.pushSelect(op.select)) ?? runSelect(this.schema, await this.tables(op.select), op.select)
        }
    }
  }

  /**
   * The shapes of `query` that Prisma's own API says exactly: aggregates
   * over a whole model (`aggregate` with `_count`/`_sum`/`_avg`/`_min`/`_max`),
   * and each row with the number of its related rows (a relation `_count`),
   * Django's `annotate(n=Count('rel'))`. Anything else (undefined) is read
   * and decided by the reference.
   */
  private async pushSelect(select: Select): Promise<Scalar[][] | undefined> {
    const m = this.model(select.model)
    const rootField = (e: Expression): e is Extract<Expression, { kind: 'field' }> =>
      e.kind === 'field' && e.join === undefined && !e.transform
    if (select.joins.length === 0 && !select.where && !select.having && select.group?.length === 0) {
      const plan: [string, string][] = []
      for (const c of select.columns) {
        if (c.kind !== 'aggregate' || c.filter || !c.argument || !rootField(c.argument)) return undefined
        if (c.distinct && c.argument.field !== 'id') return undefined
        plan.push([`_${c.fn}`, this.prismaField(m, c.argument.field)])
      }
      const args: Record<string, Record<string, true>> = {}
      for (const [fn, field] of plan) (args[fn] ??= {})[field] = true
      const result = (await this.delegate(m).aggregate(args)) as Record<string, Record<string, unknown>>
      return [
        select.columns.map((c, i) => {
          const [fn, field] = plan[i]!
          const v = result[fn]?.[field] ?? null
          if (v === null || fn === '_count') return v === null ? null : Number(v)
          if (fn === '_avg') return Number(v)
          const name = (c as { argument: { field: string } }).argument.field
          return this.fromPrisma(m, name, v)
        })
      ]
    }
    const filtered = (await this.pushFilter(select, m)) ?? (await this.pushPrefetch(select, m))
    if (filtered) return filtered
    const one = select.joins[0]
    const grouped =
      select.group?.length === 1 && select.group[0]!.kind === 'field' && rootField(select.group[0]!) && select.group[0]!.field === 'id'
    if (!one || select.joins.length !== 1 || one.from !== undefined || select.where || select.having || select.distinct || !grouped)
      return undefined
    if (select.orderBy.some((o) => o.nulls)) return undefined
    const count = (e: Expression) =>
      e.kind === 'aggregate' &&
      e.fn === 'count' &&
      !e.filter &&
      e.argument?.kind === 'field' &&
      e.argument.join === 0 &&
      e.argument.field === 'id'
    const usable = (e: Expression) => rootField(e) || count(e)
    if (!select.columns.every(usable) || !select.orderBy.every((o) => usable(o.expression))) return undefined
    const field = this.hop({ relation: one.relation, side: one.side }).field
    const found = await this.delegate(m).findMany({ select: { ...this.allFields(m), _count: { select: { [field]: true } } } })
    const value = (e: Expression, record: Record<string, unknown>, row: Row): Scalar =>
      count(e)
        ? Number((record['_count'] as Record<string, unknown>)[field])
        : (row as Record<string, Scalar>)[(e as { field: string }).field]!
    const rows = found.map((record) => {
      const row = this.row(m, record)
      return {
        row,
        columns: select.columns.map((e) => value(e, record, row)),
        order: select.orderBy.map((o) => value(o.expression, record, row))
      }
    })
    const types = select.orderBy.map((o) => (count(o.expression) ? 'integer' : this.fieldTypeOf(m, o.expression)))
    return this.page(rows, select, types).map((r) => r.columns)
  }

  /**
   * A select without joins or grouping whose `where` Prisma says exactly: a
   * tree of `AND`/`OR`/`NOT`, field filters and relation filters (`some`
   * through every hop of an `exists`), Django's `Q` objects and exclusions.
   * Every lookup on a nullable field carries `NOT null`, as Django's added
   * `IS NOT NULL` does, so that `NOT` keeps the rows where the field is NULL.
   */
  private async pushFilter(select: Select, m: PrismaModel): Promise<Scalar[][] | undefined> {
    const plain = (e: Expression): e is Extract<Expression, { kind: 'field' }> => e.kind === 'field' && e.join === undefined && !e.transform
    if (select.joins.length || select.group || select.having) return undefined
    if (!select.columns.every(plain) || !select.orderBy.every((o) => plain(o.expression))) return undefined
    const where = select.where ? this.pushPredicate(select.where, m) : {}
    if (!where) return undefined
    const found = await this.delegate(m).findMany({ where, select: this.allFields(m) })
    let out = found.map((record) => {
      const row = this.row(m, record)
      return { row, columns: select.columns.map((e) => this.cell(row, e)), order: select.orderBy.map((o) => this.cell(row, o.expression)) }
    })
    if (select.distinct) {
      const seen = new Set<string>()
      out = out.filter((o) => {
        const key = JSON.stringify([o.columns, o.order])
        return !seen.has(key) && seen.add(key) !== undefined
      })
    }
    const types = select.orderBy.map((o) => this.fieldTypeOf(m, o.expression))
    return this.page(out, select, types).map((o) => o.columns)
  }

  /**
   * `prefetch_related`'s query: the rows related to a list of owners, each
   * with its owner's key, as one relation filter (`some`) and a filtered
   * relation `select` that lists the owners of each row.
   */
  private async pushPrefetch(select: Select, m: PrismaModel): Promise<Scalar[][] | undefined> {
    const plain = (e: Expression): e is Extract<Expression, { kind: 'field' }> => e.kind === 'field' && e.join === undefined && !e.transform
    const [join, ...more] = select.joins
    if (!join || more.length || join.from !== undefined || select.group || select.having || select.distinct) return undefined
    const [owner, ...columns] = select.columns
    if (owner?.kind !== 'field' || owner.join !== 0 || owner.field !== 'id' || !columns.every(plain)) return undefined
    if (!select.orderBy.every((o) => plain(o.expression) && !o.nulls)) return undefined
    const items = select.where?.kind === 'and' ? select.where.items : select.where ? [select.where] : []
    const isOwners = (p: Predicate) =>
      p.kind === 'lookup' &&
      p.lookup === 'in' &&
      p.left.kind === 'field' &&
      p.left.join === 0 &&
      p.left.field === 'id' &&
      Array.isArray(p.right)
    const owners = items.filter(isOwners)
    if (owners.length !== 1) return undefined
    const rest = items.filter((p) => !isOwners(p)).map((p) => this.pushPredicate(p, m))
    if (rest.some((x) => x === undefined)) return undefined
    const { field, model: other } = this.hop({ relation: join.relation, side: join.side })
    const keys = ((owners[0] as unknown as { right: Scalar[] }).right ?? []).map((k) => this.key(other, k as Key))
    const byOwner = { [other.key]: { in: keys } }
    const found = await this.delegate(m).findMany({
      where: { AND: [...(rest as Where[]), { [field]: { some: byOwner } }] },
      select: { ...this.allFields(m), [field]: { where: byOwner, select: { [other.key]: true } } }
    })
    const out: { row: Row; owner: Key; order: Scalar[] }[] = []
    for (const record of found) {
      const row = this.row(m, record)
      for (const o of (record[field] as Record<string, unknown>[]) ?? []) {
        out.push({ row, owner: this.keyOut(other, o[other.key]), order: select.orderBy.map((x) => this.cell(row, x.expression)) })
      }
    }
    const types = select.orderBy.map((o) => this.fieldTypeOf(m, o.expression))
    return this.page(out, select, types, (a, b) => compareScalars(a.owner, b.owner)).map((o) => [
      o.owner,
      ...columns.map((e) => this.cell(o.row, e))
    ])
  }

  /**
   * Pushed results in the contract's order (`orderBy`, with `nulls`; then the
   * row's key; then `tie`), with `offset` and `limit`: what a `Select` says
   * and the shapes above cannot ask of every database.
   */
  private page<T extends { readonly row: Row; readonly order: readonly Scalar[] }>(
    items: T[],
    select: Select,
    types: readonly (FieldType | undefined)[],
    tie: (a: T, b: T) => number = () => 0
  ): T[] {
    items.sort((a, b) => {
      for (const [i, o] of select.orderBy.entries()) {
        const x = a.order[i]!
        const y = b.order[i]!
        if (o.nulls && (x === null) !== (y === null)) return (x === null) === (o.nulls === 'first') ? -1 : 1
        const c = compareScalars(x, y, types[i])
        if (c !== 0) return o.descending ? -c : c
      }
      return compareScalars(a.row.id, b.row.id) || tie(a, b)
    })
    return items.slice(select.offset, select.limit === undefined ? undefined : select.offset + select.limit)
  }

  /** The type of a plain field expression of model `m`. */
  private fieldTypeOf(m: PrismaModel, e: Expression): FieldType {
    return this.typeOf(m, (e as { field: string }).field)
  }

  private cell(row: Row, e: Expression): Scalar {
    return (row as Record<string, Scalar>)[(e as { field: string }).field] ?? null
  }

  /** A predicate as an exact Prisma where, or undefined when Prisma cannot say it exactly. */
  private pushPredicate(p: Predicate, m: PrismaModel): Where | undefined {
    switch (p.kind) {
      case 'and':
      case 'or': {
        const items = p.items.map((x) => this.pushPredicate(x, m))
        return items.every((x) => x !== undefined) ? { [p.kind === 'and' ? 'AND' : 'OR']: items } : undefined
      }
      case 'not': {
        const item = this.pushPredicate(p.item, m)
        return item && { NOT: item }
      }
      case 'lookup': {
        if (p.left.kind !== 'field' || p.left.join !== undefined || p.left.transform) return undefined
        if (!Array.isArray(p.right) && (p.right as Expression).kind !== 'value') return undefined
        const value = Array.isArray(p.right) ? (p.right as Scalar[]) : (p.right as { value: Scalar }).value
        return this.pushLeaf({ field: p.left.field, lookup: p.lookup, value }, m)
      }
      case 'exists': {
        if (p.join !== undefined) return undefined
        const fields: string[] = []
        let at = m
        for (const hop of p.path) {
          const step = this.hop(hop)
          fields.push(step.field)
          at = step.model
        }
        let where = p.condition ? this.pushLeaf(p.condition, at) : {}
        if (!where) return undefined
        for (const field of fields.reverse()) where = { [field]: { some: where } }
        return where
      }
    }
  }

  private pushLeaf(c: Omit<Condition, 'via'>, m: PrismaModel): Where | undefined {
    const pushed = this.push(c as Condition, m)
    if (!pushed.exact) return undefined
    return this.keepNulls(c, m, pushed.where ?? {})
  }

  /**
   * The rows and links a `query` reads, through `findMany` (one per model,
   * with the key lists of its relations). The query itself is then decided by
   * the contract's reference (`../select.ts`): Prisma's `groupBy` and `_count`
   * cannot say Django's joins (one row per combination, aggregates that
   * multiply), so nothing of it is pushed down yet.
   */
  private async tables(select: Select) {
    const scope = selectScope(this.schema, select)
    const rows = new Map<string, Row[]>()
    const links = new Map<string, (readonly [Key, Key])[]>()
    for (const name of scope.models) {
      const m = this.model(name)
      const fields: Record<string, unknown> = this.allFields(m)
      const forward = this.schema.relations.filter((r) => r.source === name && scope.relations.has(r.name))
      for (const r of forward) fields[this.relation(r.name).forward] = { select: { [this.model(r.target).key]: true } }
      const found = await this.delegate(m).findMany({ select: fields })
      rows.set(
        name,
        found.map((record) => this.row(m, record))
      )
      for (const r of forward) {
        const target = this.model(r.target)
        const pairs: (readonly [Key, Key])[] = []
        for (const record of found) {
          const source = this.keyOut(m, record[m.key])
          for (const t of (record[this.relation(r.name).forward] as Record<string, unknown>[]) ?? [])
            pairs.push([source, this.keyOut(target, t[target.key])])
        }
        links.set(r.name, pairs)
      }
    }
    return tablesOf(this.schema, rows, links)
  }

  /** Rule 1 on PostgreSQL: a SERIAL does not move past an explicit id by itself. */
  private async advanceSequence(m: PrismaModel): Promise<void> {
    if (this.provider !== 'postgresql') return
    const model = this.schema.models.find((x) => x.name === m.name)!
    const column = model.primaryKey?.column ?? m.key
    const table = `"${m.table.replace(/"/g, '""')}"`
    const seq = `pg_get_serial_sequence('${table.replace(/'/g, "''")}', '${column.replace(/'/g, "''")}')`
    await this.client.$executeRawUnsafe(
      `SELECT setval(${seq}, GREATEST((SELECT MAX("${column.replace(/"/g, '""')}") FROM ${table}), COALESCE(pg_sequence_last_value(${seq}::regclass), 1)))`
    )
  }

  private model(name: string): PrismaModel {
    const m = this.mapping.models.get(name)
    if (!m) throw new Error(`the document has no model ${name}`)
    return m
  }

  private relation(name: string) {
    const r = this.mapping.relations.get(name)
    if (!r) throw new Error(`the document has no relation ${name}`)
    return r
  }

  private delegate(m: PrismaModel): Delegate {
    const delegate = (this.client as unknown as Record<string, Delegate>)[m.delegate]!
    return TRACE ? traced(m.delegate, delegate, TRACE) : delegate
  }

  private typeOf(m: PrismaModel, field: string): FieldType {
    if (field === 'id') return m.keyType
    return m.fields.find((f) => f.name === field)?.type ?? 'string'
  }

  private prismaField(m: PrismaModel, field: string): string {
    return field === 'id' ? m.key : field
  }

  private key(m: PrismaModel, id: Key): Key {
    return m.keyType === 'integer' ? Number(id) : String(id)
  }

  private keyOut(m: PrismaModel, v: unknown): Key {
    return m.keyType === 'integer' ? Number(v) : String(v)
  }

  /** A contract scalar as Prisma takes it for a field of `type`. */
  private toPrisma(type: FieldType, v: Scalar): unknown {
    if (v === null) return null
    switch (type) {
      case 'integer':
        return typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(String(v))
      case 'date':
        return new Date(`${String(v).slice(0, 10)}T00:00:00.000Z`)
      case 'datetime':
        return new Date(`${String(v).slice(0, 23)}Z`)
      case 'time':
        return new Date(`1970-01-01T${String(v).slice(0, 12)}Z`)
      case 'decimal':
        return String(v)
      default:
        return v
    }
  }

  /** What Prisma answers for a field, in the contract's forms. */
  private fromPrisma(m: PrismaModel, field: string, v: unknown): Scalar {
    if (v === null || v === undefined) return null
    const type = this.typeOf(m, field)
    switch (type) {
      case 'integer':
        return Number(v)
      case 'decimal': {
        const places = m.fields.find((f) => f.name === field)?.decimalPlaces
        const d = v as { toFixed(n?: number): string }
        return places === undefined ? d.toFixed() : d.toFixed(places)
      }
      case 'date':
        return (v as Date).toISOString().slice(0, 10)
      case 'datetime':
        return `${(v as Date).toISOString().slice(0, 23)}000`
      case 'time':
        return `${(v as Date).toISOString().slice(11, 23)}000`
      default:
        return v as Scalar
    }
  }

  private data(m: PrismaModel, values: Readonly<Record<string, Scalar>>): Record<string, unknown> {
    const data: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(values)) {
      if (k === 'id') data[m.key] = this.key(m, v as Key)
      else data[k] = this.toPrisma(this.typeOf(m, k), v)
    }
    return data
  }

  private row(m: PrismaModel, record: Record<string, unknown>): Row {
    const row: Record<string, Scalar> = { id: this.keyOut(m, record[m.key]) }
    for (const f of m.fields) row[f.name] = this.fromPrisma(m, f.name, record[f.name])
    return row as unknown as Row
  }

  private allFields(m: PrismaModel): Record<string, true> {
    return Object.fromEntries([[m.key, true], ...m.fields.map((f) => [f.name, true] as const)])
  }

  /** The Prisma list field a hop from the queried model follows, and the model it reaches. */
  private hop(via: NonNullable<Condition['via']>): { field: string; model: PrismaModel } {
    const r = this.relation(via.relation)
    return via.side === 'forward' ? { field: r.forward, model: this.model(r.target) } : { field: r.reverse, model: this.model(r.source) }
  }

  private nullable(m: PrismaModel, field: string): boolean {
    return field !== 'id' && m.fields.some((f) => f.name === field && f.nullable)
  }

  /** Under NOT, a condition on a nullable column keeps its NULLs only with `AND field IS NOT NULL` inside (Django's exclude). */
  private keepNulls(c: Omit<Condition, 'via'>, m: PrismaModel, where: Where): Where {
    return this.nullable(m, c.field) && c.lookup !== 'isnull' ? { AND: [where, { NOT: { [this.prismaField(m, c.field)]: null } }] } : where
  }

  private push(c: Condition, m: PrismaModel) {
    const type = this.typeOf(m, c.field)
    const nullable = this.nullable(m, c.field)
    return pushCondition(
      this.provider,
      c,
      type,
      this.prismaField(m, c.field),
      (v) => (c.field === 'id' ? this.key(m, v as Key) : this.toPrisma(type, v)),
      nullable
    )
  }

  private plan(query: Query): Plan {
    const qm = this.model(query.model)
    const and: Where[] = []
    const related = new Map<string, Where | undefined>()
    const settled = new Set<Filter>()
    const exactJoins: { field: string; where: Where }[] = []
    let openInexact = false
    const includeRelated = (field: string, where: Where | undefined) => {
      if (related.has(field) && related.get(field) === undefined) return
      const before = related.get(field)
      related.set(field, where === undefined ? undefined : before ? { OR: [...(before['OR'] as Where[]), where] } : { OR: [where] })
    }
    for (const filter of query.filters) {
      const parts: Where[] = []
      let exact = true
      const viaFields = new Map<string, Where[]>()
      const nullChecks = new Set<string>()
      for (const c of filter.conditions) {
        if (c.via && c.lookup === 'isnull' && c.field === 'id') {
          const { field } = this.hop(c.via)
          parts.push({ [field]: c.value === true ? { none: {} } : { some: {} } })
          nullChecks.add(field)
          continue
        }
        const hopped = c.via ? this.hop(c.via) : undefined
        const pushed = this.push(c, hopped?.model ?? qm)
        exact &&= pushed.exact
        if (!hopped) {
          if (pushed.where) parts.push(filter.negated ? this.keepNulls(c, qm, pushed.where) : pushed.where)
          continue
        }
        const list = viaFields.get(hopped.field) ?? []
        if (pushed.where) list.push(pushed.where)
        viaFields.set(hopped.field, list)
        // Exclude treats each condition on its own (contract rule 4).
        if (filter.negated) parts.push({ [hopped.field]: { some: pushed.where ?? {} } })
      }
      // isnull=True across a hop also holds for a row with no related rows (Django's LEFT JOIN gives it a
      // NULL one), so no `some` clause is a superset: the filter is decided in JS on every row.
      const nullRow = filter.conditions.some((c) => c.via && c.lookup === 'isnull' && c.value === true && c.field !== 'id')
      if (nullRow) exact = false
      if (!filter.negated) for (const [field, wheres] of viaFields) parts.push({ [field]: { some: { AND: wheres } } })
      // A hop that fixes the related row by its key matches at most one link (the join table's pairs are unique).
      const keyed = new Set(
        filter.conditions
          .filter((c) => c.via && !c.transform && c.field === 'id' && c.lookup === 'exact' && c.value !== null)
          .map((c) => this.hop(c.via!).field)
      )
      const oneLink = nullChecks.size === 0 && [...viaFields.keys()].every((field) => keyed.has(field))
      const noDuplicates = filter.negated || oneLink || query.distinct
      if (exact && noDuplicates) {
        settled.add(filter)
        and.push(filter.negated ? { NOT: { AND: parts } } : { AND: parts })
        continue
      }
      if (exact && !filter.negated && viaFields.size === 1 && nullChecks.size === 0) {
        const [field, wheres] = [...viaFields][0]!
        exactJoins.push({ field, where: { AND: wheres } })
      } else {
        openInexact = true
      }
      // Not settled: the database narrows (never for exclude, whose narrowing would remove too much).
      if (!filter.negated && !nullRow) and.push({ AND: parts })
      // The JS check needs every related row that could satisfy the filter's conditions.
      const complete = !nullRow && filter.conditions.every((c) => !c.via || this.push(c, this.hop(c.via).model).where)
      for (const [field, wheres] of viaFields) {
        includeRelated(field, complete && wheres.length ? (filter.negated ? { OR: wheres } : { AND: wheres }) : undefined)
      }
      for (const field of nullChecks) includeRelated(field, undefined)
    }
    const joinCount = !openInexact && exactJoins.length === 1 ? exactJoins[0] : undefined
    return { where: { AND: and }, related, settled, joinCount }
  }

  /** Prisma's orderBy for the contract's keys: None first ascending, as rule 2 says, on every database. */
  private orderBy(m: PrismaModel, query: Query): object[] {
    const keys = query.orderBy.map((k) => {
      const field = this.prismaField(m, k.field)
      const nullable = k.field !== 'id' && m.fields.find((f) => f.name === k.field)?.nullable
      const sort = k.descending ? 'desc' : 'asc'
      return { [field]: nullable ? { sort, nulls: k.descending ? 'last' : 'first' } : sort }
    })
    return [...keys, { [m.key]: 'asc' }]
  }

  /** Candidate rows with their multiplicity, in contract order. */
  private async rows(query: Query): Promise<Row[]> {
    const m = this.model(query.model)
    const plan = this.plan(query)
    const select: Record<string, unknown> = this.allFields(m)
    const settledAll = plan.settled.size === query.filters.length
    // Ordering and paging in the database when nothing is left to decide here
    // (not on MariaDB, whose collation does not order by code point).
    const paged = settledAll && this.provider !== 'mysql'
    const hopModels = new Map<string, PrismaModel>()
    for (const f of query.filters) for (const c of f.conditions) if (c.via) hopModels.set(this.hop(c.via).field, this.hop(c.via).model)
    // The one open filter only counts matching links (plan.joinCount): the database counts them in the same statement.
    const counted = plan.joinCount
    if (counted) select['_count'] = { select: { [counted.field]: { where: counted.where } } }
    else
      for (const [field, where] of plan.related) {
        const other = hopModels.get(field)!
        select[field] = where ? { where, select: this.allFields(other) } : { select: this.allFields(other) }
      }
    const found = await this.delegate(m).findMany({
      where: plan.where,
      select,
      ...(paged ? { orderBy: this.orderBy(m, query), skip: query.offset, ...(query.limit !== undefined ? { take: query.limit } : {}) } : {})
    })
    const open = query.filters.filter((f) => !plan.settled.has(f))
    const typeOf = (c: Condition) => (c.via ? this.typeOf(this.hop(c.via).model, c.field) : this.typeOf(m, c.field))
    const out: Row[] = []
    for (const record of found) {
      const row = this.row(m, record)
      const related = (c: Condition) => {
        const { field, model } = this.hop(c.via!)
        return ((record[field] as Record<string, unknown>[] | undefined) ?? []).map((r) => this.row(model, r))
      }
      const times = counted
        ? ((record['_count'] as Record<string, number>)[counted.field] ?? 0)
        : open.length
          ? multiplicity(row, open, related, typeOf)
          : 1
      for (let i = 0; i < (query.distinct ? Math.min(times, 1) : times); i++) out.push(row)
    }
    if (paged) return out
    out.sort((a, b) => compareRows(a, b, query.orderBy, (f) => this.typeOf(m, f)))
    return out.slice(query.offset, query.limit === undefined ? undefined : query.offset + query.limit)
  }

  private async count(query: Query): Promise<number> {
    const m = this.model(query.model)
    const plan = this.plan(query)
    if (plan.settled.size === query.filters.length) {
      return this.delegate(m).count({ where: plan.where, skip: query.offset, ...(query.limit !== undefined ? { take: query.limit } : {}) })
    }
    if (plan.joinCount && !query.distinct && query.offset === 0 && query.limit === undefined) {
      // One row per matching link: Prisma counts the filtered relation per parent, in the database.
      const { field, where } = plan.joinCount
      const found = await this.delegate(m).findMany({ where: plan.where, select: { _count: { select: { [field]: { where } } } } })
      return found.reduce((sum, r) => sum + ((r['_count'] as Record<string, number>)[field] ?? 0), 0)
    }
    return (await this.rows(query)).length
  }

  private async delete(query: Query): Promise<number> {
    const m = this.model(query.model)
    const distinct = { ...query, distinct: true, orderBy: [] }
    const plan = this.plan(distinct)
    const where =
      plan.settled.size === query.filters.length && query.offset === 0 && query.limit === undefined
        ? plan.where
        : { [m.key]: { in: (await this.rows(distinct)).map((r) => this.key(m, r.id)) } }
    // Links go with the rows: the join table cascades (ON DELETE CASCADE, as Prisma declares it).
    const { count } = await this.delegate(m).deleteMany({ where })
    return count
  }
}
