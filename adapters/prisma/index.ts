/**
 * The reference adapter: Prisma Client 7 with driver adapters, on SQLite (the
 * embedded default), PostgreSQL and MariaDB. Prisma manages the implicit
 * many-to-many (`Publication[]` / `Article[]`): links go through `connect`,
 * `disconnect`, `set` and nested `connect` on create; filters through the
 * relation filters `some`/`none`; join duplicates come from a filtered
 * relation `select` (one entry per matching link). No SQL is written here.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineAdapter, type Adapter, type Filter, type Operation, type Query, type Result, type Row, type Schema } from '../contract.js'
import { createScratch, providerOf, type Scratch } from '../scratch/index.js'
import { compareRows, multiplicity } from '../semantics.js'
import { pushCondition, type Provider, type Where } from './pushdown.js'

/** What the Prisma schema (prisma/schema.template.prisma) stores, in the contract's terms. */
export const schema: Schema = {
  models: [
    { name: 'Publication', fields: [{ name: 'title', type: 'string', maxLength: 30, nullable: false }], ordering: [{ field: 'title', descending: false }] },
    { name: 'Article', fields: [{ name: 'headline', type: 'string', maxLength: 100, nullable: false }], ordering: [{ field: 'headline', descending: false }] }
  ],
  relations: [{ name: 'Article.publications', source: 'Article', field: 'publications', target: 'Publication', reverseQueryName: 'article', reverseAccessor: 'article_set' }]
}

/** Contract names -> Prisma client names. */
const DELEGATE: Readonly<Record<string, string>> = { Publication: 'publication', Article: 'article' }
/** Relation -> its Prisma field on the source model (forward) and on the target model (reverse). */
const RELATION_FIELDS: Readonly<Record<string, { forward: string; reverse: string }>> = {
  'Article.publications': { forward: 'publications', reverse: 'articles' }
}

/** The generated delegate methods this adapter calls (typed here to keep Prisma's per-provider types out). */
interface Delegate {
  findMany(args: object): Promise<Record<string, unknown>[]>
  count(args: object): Promise<number>
  create(args: object): Promise<{ id: number }>
  update(args: object): Promise<unknown>
  updateMany(args: object): Promise<{ count: number }>
  deleteMany(args: object): Promise<{ count: number }>
}

interface Client {
  $on(event: 'query', listener: () => void): void
  $disconnect(): Promise<void>
}

export default defineAdapter({
  name: 'prisma',
  schema,
  async open({ db, reuseDatabase }) {
    const provider = providerOf(db)
    const scratch = await createScratch(db, { reuse: reuseDatabase ?? false })
    try {
      if (scratch.created) await scratch.exec(migration(provider))
      const client = await connect(provider, scratch)
      return new PrismaAdapter(provider, client, scratch)
    } catch (e) {
      await scratch.drop()
      throw e
    }
  }
})

function migration(provider: Provider): string {
  return readFileSync(fileURLToPath(new URL(`../../${sourceRoot()}prisma/migrations/${provider}/0001_init/migration.sql`, import.meta.url)), 'utf8')
}

/** Compiled code runs from dist/adapters/prisma, sources from adapters/prisma. */
function sourceRoot(): string {
  return import.meta.url.includes('/dist/adapters/') ? '../' : ''
}

async function connect(provider: Provider, scratch: Scratch): Promise<Client> {
  const options = { log: [{ emit: 'event', level: 'query' }] }
  if (provider === 'sqlite') {
    const [{ PrismaBetterSqlite3 }, { PrismaClient }] = await Promise.all([import('@prisma/adapter-better-sqlite3'), import('../../generated/prisma-sqlite/client.js')])
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${scratch.url}` }), ...options } as never) as unknown as Client
  }
  if (provider === 'postgresql') {
    const [{ PrismaPg }, { PrismaClient }] = await Promise.all([import('@prisma/adapter-pg'), import('../../generated/prisma-postgresql/client.js')])
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: scratch.url }), ...options } as never) as unknown as Client
  }
  const [{ PrismaMariaDb }, { PrismaClient }] = await Promise.all([import('@prisma/adapter-mariadb'), import('../../generated/prisma-mysql/client.js')])
  const u = new URL(scratch.url)
  const config = { host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: scratch.database, connectionLimit: 4 }
  return new PrismaClient({ adapter: new PrismaMariaDb(config), ...options } as never) as unknown as Client
}

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

  constructor(
    private readonly provider: Provider,
    private readonly client: Client,
    private readonly scratch: Scratch
  ) {
    client.$on('query', () => void this.queries++)
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
        const data: Record<string, unknown> = { ...op.values }
        if (op.link) {
          const fields = relationFields(op.link.relation)
          // The new row sits on the other side from its owner.
          data[op.link.side === 'forward' ? fields.reverse : fields.forward] = { connect: { id: op.link.ownerId } }
        }
        const row = await this.delegate(op.model).create({ data, select: { id: true } })
        return { kind: 'inserted', id: row.id }
      }
      case 'update': {
        const { count } = await this.delegate(op.model).updateMany({ where: { id: op.id }, data: op.values })
        return { kind: 'affected', count }
      }
      case 'select':
        return { kind: 'rows', rows: await this.select(op.query) }
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
        const owner = relationOwner(op.relation, op.side)
        await this.delegate(owner.model).update({
          where: { id: op.id },
          data: { [owner.field]: { [verb]: targets.map((id) => ({ id })) } },
          select: { id: true }
        })
        return { kind: 'affected', count: targets.length }
      }
    }
  }

  private delegate(model: string): Delegate {
    const name = DELEGATE[model]
    if (!name) throw new Error(`the Prisma schema has no model ${model}`)
    return (this.client as unknown as Record<string, Delegate>)[name]!
  }

  private isString(model: string, field: string): boolean {
    return schema.models.find((m) => m.name === model)?.fields.find((f) => f.name === field)?.type === 'string'
  }

  private plan(query: Query): Plan {
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
        const hopModel = c.via ? otherModel(c.via.relation, c.via.side) : query.model
        if (c.via && c.lookup === 'isnull' && c.field === 'id') {
          const field = hopField(c.via.relation, c.via.side)
          parts.push({ [field]: c.value === true ? { none: {} } : { some: {} } })
          nullChecks.add(field)
          continue
        }
        const pushed = pushCondition(this.provider, c, this.isString(hopModel, c.field))
        exact &&= pushed.exact
        if (!c.via) {
          if (pushed.where) parts.push(pushed.where)
          continue
        }
        const field = hopField(c.via.relation, c.via.side)
        const list = viaFields.get(field) ?? []
        if (pushed.where) list.push(pushed.where)
        viaFields.set(field, list)
        // Exclude treats each condition on its own (contract rule 4).
        if (filter.negated) parts.push({ [field]: { some: pushed.where ?? {} } })
      }
      if (!filter.negated) for (const [field, wheres] of viaFields) parts.push({ [field]: { some: { AND: wheres } } })
      const noDuplicates = filter.negated || (viaFields.size === 0 && nullChecks.size === 0) || query.distinct
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
      if (!filter.negated) and.push({ AND: parts })
      // The JS check needs every related row that could satisfy the filter's conditions.
      const complete = filter.conditions.every((c) => !c.via || pushCondition(this.provider, c, this.isString(otherModel(c.via.relation, c.via.side), c.field)).where)
      for (const [field, wheres] of viaFields) {
        includeRelated(field, complete && wheres.length ? (filter.negated ? { OR: wheres } : { AND: wheres }) : undefined)
      }
      for (const field of nullChecks) includeRelated(field, undefined)
    }
    const joinCount = !openInexact && exactJoins.length === 1 ? exactJoins[0] : undefined
    return { where: { AND: and }, related, settled, joinCount }
  }

  /** Candidate rows with their multiplicity, in contract order. */
  private async rows(query: Query): Promise<Row[]> {
    const plan = this.plan(query)
    const model = schema.models.find((m) => m.name === query.model)
    if (!model) throw new Error(`the Prisma schema has no model ${query.model}`)
    const select: Record<string, unknown> = { id: true }
    for (const f of model.fields) select[f.name] = true
    const settledAll = plan.settled.size === query.filters.length
    // Code-point order and paging in the database when nothing is left to decide here.
    const paged = settledAll && this.provider !== 'mysql'
    for (const [field, where] of plan.related) {
      select[field] = where ? { where, select: allFields(otherModelOfField(query.model, field)) } : { select: allFields(otherModelOfField(query.model, field)) }
    }
    const found = await this.delegate(query.model).findMany({
      where: plan.where,
      select,
      ...(paged ? { orderBy: [...query.orderBy.map((k) => ({ [k.field]: k.descending ? 'desc' : 'asc' })), { id: 'asc' }], skip: query.offset, ...(query.limit !== undefined ? { take: query.limit } : {}) } : {})
    })
    const open = query.filters.filter((f) => !plan.settled.has(f))
    const out: Row[] = []
    for (const record of found) {
      const row: Record<string, unknown> = { id: record['id'] }
      for (const f of model.fields) row[f.name] = record[f.name]
      const times = open.length ? multiplicity(row as Row, open, (c) => (record[hopField(c.via!.relation, c.via!.side)] as Row[]) ?? []) : 1
      for (let i = 0; i < (query.distinct ? Math.min(times, 1) : times); i++) out.push(row as Row)
    }
    if (paged) return out
    out.sort((a, b) => compareRows(a, b, query.orderBy))
    return out.slice(query.offset, query.limit === undefined ? undefined : query.offset + query.limit)
  }

  private async select(query: Query): Promise<Row[]> {
    return this.rows(query)
  }

  private async count(query: Query): Promise<number> {
    const plan = this.plan(query)
    if (plan.settled.size === query.filters.length) {
      return this.delegate(query.model).count({ where: plan.where, skip: query.offset, ...(query.limit !== undefined ? { take: query.limit } : {}) })
    }
    if (plan.joinCount && !query.distinct && query.offset === 0 && query.limit === undefined) {
      // One row per matching link: Prisma counts the filtered relation per parent, in the database.
      const { field, where } = plan.joinCount
      const found = await this.delegate(query.model).findMany({ where: plan.where, select: { _count: { select: { [field]: { where } } } } })
      return found.reduce((sum, r) => sum + ((r['_count'] as Record<string, number>)[field] ?? 0), 0)
    }
    return (await this.rows(query)).length
  }

  private async delete(query: Query): Promise<number> {
    const distinct = { ...query, distinct: true, orderBy: [] }
    const plan = this.plan(distinct)
    const where = plan.settled.size === query.filters.length && query.offset === 0 && query.limit === undefined
      ? plan.where
      : { id: { in: (await this.rows(distinct)).map((r) => r.id) } }
    // Links go with the rows: the join table cascades (ON DELETE CASCADE, as Prisma declares it).
    const { count } = await this.delegate(query.model).deleteMany({ where })
    return count
  }
}

function relationFields(relation: string): { forward: string; reverse: string } {
  const fields = RELATION_FIELDS[relation]
  if (!fields) throw new Error(`the Prisma schema has no relation ${relation}`)
  return fields
}

/** The model and Prisma field through which `id` (on `side`) reaches its related rows. */
function relationOwner(relation: string, side: 'forward' | 'reverse'): { model: string; field: string } {
  const r = schema.relations.find((x) => x.name === relation)!
  const fields = relationFields(relation)
  return side === 'forward' ? { model: r.source, field: fields.forward } : { model: r.target, field: fields.reverse }
}

/** Prisma field that a hop from the queried model follows. */
function hopField(relation: string, side: 'forward' | 'reverse'): string {
  return relationOwner(relation, side).field
}

function otherModel(relation: string, side: 'forward' | 'reverse'): string {
  const r = schema.relations.find((x) => x.name === relation)!
  return side === 'forward' ? r.target : r.source
}

function otherModelOfField(model: string, field: string): string {
  for (const r of schema.relations) {
    const fields = relationFields(r.name)
    if (r.source === model && fields.forward === field) return r.target
    if (r.target === model && fields.reverse === field) return r.source
  }
  throw new Error(`no relation ${model}.${field}`)
}

function allFields(model: string): Record<string, true> {
  const m = schema.models.find((x) => x.name === model)!
  return Object.fromEntries([['id', true], ...m.fields.map((f) => [f.name, true] as const)])
}
