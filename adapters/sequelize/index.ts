/**
 * A Sequelize 6 adapter, written as a third party would: only the public
 * contract (`defineAdapter`) and the kit's scratch-database helper. Models are
 * defined at run time from the document's schema, and each many-to-many is a
 * `belongsToMany` whose through table Sequelize creates (`sync()`).
 *
 * Sequelize idioms: association mixins (`add…`, `remove…`, `set…`, `create…`)
 * for links; `include` with `where` (`required`, `raw: true`, `subQuery:
 * false`) for filters across a relation, one row per joined row; `count({
 * include, distinct })`; `order`; `logging` for the statement count.
 * Where Sequelize cannot say what Django means without raw SQL, this adapter
 * does not hide it: the case fails and baseline.*.json lists it with the reason.
 */
import { DataTypes, Op, Sequelize, type FindOptions, type Includeable, type Model, type ModelStatic, type WhereOptions } from 'sequelize'
import { defineAdapter, type Adapter, type Condition, type Operation, type Query, type Key, type Result, type Row, type Schema, type Side } from '../contract.js'
import { createScratch, type Scratch } from '../scratch/index.js'

type AnyModel = ModelStatic<Model>

export default defineAdapter({
  name: 'sequelize',
  async open({ schema, db, reuseDatabase }) {
    const scratch = await createScratch(db, { reuse: reuseDatabase ?? false })
    try {
      const adapter = new SequelizeAdapter(schema, scratch)
      await adapter.connect()
      return adapter
    } catch (e) {
      await scratch.drop()
      throw e
    }
  }
})

/** Association aliases: `r0f` (forward, on the source model), `r0r` (reverse). */
const alias = (index: number, side: Side) => ({ singular: `r${index}${side[0]}`, plural: `r${index}${side[0]}s` })
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1)

class SequelizeAdapter implements Adapter {
  private readonly sequelize: Sequelize
  private readonly models = new Map<string, AnyModel>()
  private statements = 0

  constructor(
    private readonly schema: Schema,
    private readonly scratch: Scratch
  ) {
    const logging = () => void this.statements++
    this.sequelize = scratch.provider === 'sqlite'
      ? new Sequelize({ dialect: 'sqlite', storage: scratch.url, logging })
      : scratch.provider === 'postgresql'
        ? new Sequelize(scratch.url, { dialect: 'postgres', logging })
        : new Sequelize(scratch.database, decodeURIComponent(new URL(scratch.url).username), decodeURIComponent(new URL(scratch.url).password), {
            dialect: 'mariadb', host: new URL(scratch.url).hostname, port: Number(new URL(scratch.url).port || 3306), logging
          })
    for (const m of schema.models) {
      const attributes = Object.fromEntries(m.fields.map((f) => [f.name, {
        type: f.type === 'string' ? DataTypes.STRING(f.maxLength ?? 255) : f.type === 'integer' ? DataTypes.INTEGER : DataTypes.BOOLEAN,
        allowNull: f.nullable
      }]))
      this.models.set(m.name, this.sequelize.define(m.name, attributes, { tableName: m.name, timestamps: false }))
    }
    schema.relations.forEach((r, i) => {
      const through = `${r.source}${r.target}`
      this.model(r.source).belongsToMany(this.model(r.target), { through, as: alias(i, 'forward'), foreignKey: `${r.source.toLowerCase()}Id`, otherKey: `${r.target.toLowerCase()}Id` })
      this.model(r.target).belongsToMany(this.model(r.source), { through, as: alias(i, 'reverse'), foreignKey: `${r.target.toLowerCase()}Id`, otherKey: `${r.source.toLowerCase()}Id` })
    })
  }

  async connect(): Promise<void> {
    await this.sequelize.sync()
  }

  queryCount(): number {
    return this.statements
  }

  async close(): Promise<void> {
    try {
      await this.sequelize.close()
    } finally {
      await this.scratch.drop()
    }
  }

  private model(name: string): AnyModel {
    const m = this.models.get(name)
    if (!m) throw new Error(`no model ${name}`)
    return m
  }

  private relationIndex(name: string): number {
    const i = this.schema.relations.findIndex((r) => r.name === name)
    if (i < 0) throw new Error(`no relation ${name}`)
    return i
  }

  /** The owner's instance and the plural mixin suffix of its side's association. */
  private async owner(relation: string, side: Side, id: Key): Promise<{ instance: Model & Record<string, (...args: unknown[]) => Promise<unknown>>; plural: string; singular: string }> {
    const r = this.schema.relations[this.relationIndex(relation)]!
    const instance = await this.model(side === 'forward' ? r.source : r.target).findByPk(id)
    if (!instance) throw new Error(`no ${side === 'forward' ? r.source : r.target} with id ${id}`)
    const a = alias(this.relationIndex(relation), side)
    return { instance: instance as never, plural: cap(a.plural), singular: cap(a.singular) }
  }

  async execute(op: Operation): Promise<Result> {
    switch (op.kind) {
      case 'insert': {
        if (op.link) {
          const { instance, singular } = await this.owner(op.link.relation, op.link.side, op.link.ownerId)
          const created = (await instance[`create${singular}`]!(op.values)) as Model
          return { kind: 'inserted', id: created.get('id') as number }
        }
        const created = await this.model(op.model).create(op.values)
        return { kind: 'inserted', id: created.get('id') as number }
      }
      case 'update': {
        const [count] = await this.model(op.model).update(op.values, { where: { id: op.id } })
        return { kind: 'affected', count }
      }
      case 'add':
      case 'remove':
      case 'set': {
        const { instance, plural } = await this.owner(op.relation, op.side, op.id)
        await instance[`${op.kind}${plural}`]!([...op.targets])
        return { kind: 'affected', count: op.targets.length }
      }
      case 'clear': {
        const { instance, plural } = await this.owner(op.relation, op.side, op.id)
        await instance[`set${plural}`]!([])
        return { kind: 'affected', count: 0 }
      }
      case 'select':
        return { kind: 'rows', rows: await this.select(op.query) }
      case 'count':
        return { kind: 'count', count: await this.count(op.query) }
      case 'delete': {
        const ids = [...new Set((await this.select({ ...op.query, distinct: true, orderBy: [], offset: 0 })).map((r) => r.id))]
        // The through table's foreign keys cascade (belongsToMany's default onDelete).
        const count = ids.length ? await this.model(op.query.model).destroy({ where: { id: ids } }) : 0
        return { kind: 'affected', count }
      }
    }
  }

  /** The find options for a query: where, includes for joins, order, paging. */
  private async options(query: Query): Promise<FindOptions & { include: Includeable[] }> {
    const and: WhereOptions[] = []
    const include: Includeable[] = []
    const joined = new Set<string>()
    for (const filter of query.filters) {
      const local = filter.conditions.filter((c) => !c.via)
      const via = filter.conditions.filter((c) => c.via)
      if (filter.negated) {
        // exclude(): the ids that match, then NOT IN them (two queries, no raw SQL).
        const matching = await this.select({ model: query.model, filters: [{ negated: false, conditions: filter.conditions }], distinct: true, orderBy: [], offset: 0 })
        and.push({ id: { [Op.notIn]: matching.map((r) => r.id) } })
        continue
      }
      and.push(...local.map((c) => this.where(c)))
      if (via.length === 0) continue
      const hops = new Set(via.map((c) => `${c.via!.relation}|${c.via!.side}`))
      if (hops.size > 1) throw new Error('sequelize adapter: one filter across two relations is not supported')
      const [relation, side] = [...hops][0]!.split('|') as [string, Side]
      const as = alias(this.relationIndex(relation), side).plural
      if (joined.has(as)) throw new Error('sequelize adapter: Sequelize cannot include the same association twice, so a second filter() across the same relation needs raw SQL')
      joined.add(as)
      const nullCheck = via.find((c) => c.lookup === 'isnull' && c.field === 'id' && c.value === true)
      if (nullCheck) {
        include.push({ association: as, attributes: [], required: false, through: { attributes: [] } })
        and.push({ [`$${as}.id$`]: null })
        continue
      }
      include.push({ association: as, attributes: [], required: true, where: { [Op.and]: via.map((c) => this.where(c)) }, through: { attributes: [] } })
    }
    const order = [...query.orderBy.map((k) => [k.field, k.descending ? 'DESC' : 'ASC'] as [string, string]), ['id', 'ASC'] as [string, string]]
    return {
      where: { [Op.and]: and },
      include,
      order,
      offset: query.offset,
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      subQuery: false
    }
  }

  private where(c: Condition): WhereOptions {
    const v = c.value
    switch (c.lookup) {
      case 'exact': return { [c.field]: { [Op.eq]: v } }
      case 'iexact': return { [c.field]: { [this.iLike()]: v } }
      case 'contains': return { [c.field]: { [Op.substring]: v } }
      case 'icontains': return { [c.field]: { [this.iLike()]: `%${v}%` } }
      case 'startswith': return { [c.field]: { [Op.startsWith]: v } }
      case 'istartswith': return { [c.field]: { [this.iLike()]: `${v}%` } }
      case 'endswith': return { [c.field]: { [Op.endsWith]: v } }
      case 'iendswith': return { [c.field]: { [this.iLike()]: `%${v}` } }
      case 'in': return { [c.field]: { [Op.in]: v as never } }
      case 'gt': return { [c.field]: { [Op.gt]: v } }
      case 'gte': return { [c.field]: { [Op.gte]: v } }
      case 'lt': return { [c.field]: { [Op.lt]: v } }
      case 'lte': return { [c.field]: { [Op.lte]: v } }
      case 'isnull': return { [c.field]: v ? { [Op.is]: null } : { [Op.not]: null } }
      case 'range': return { [c.field]: { [Op.between]: v as never } }
    }
  }

  /** ILIKE where the dialect has it; elsewhere LIKE, whose case rules are the database's. */
  private iLike(): symbol {
    return this.scratch.provider === 'postgresql' ? Op.iLike : Op.like
  }

  private async select(query: Query): Promise<Row[]> {
    const options = await this.options(query)
    const model = this.model(query.model)
    const rows = (await model.findAll({ ...options, raw: true, ...(query.distinct ? { group: [`${query.model}.id`] } : {}) })) as unknown as Row[]
    return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.includes('.'))) as Row)
  }

  private async count(query: Query): Promise<number> {
    if (query.offset || query.limit !== undefined) return (await this.select(query)).length
    const options = await this.options(query)
    return this.model(query.model).count({ where: options.where!, include: options.include, distinct: query.distinct, col: 'id' })
  }
}

