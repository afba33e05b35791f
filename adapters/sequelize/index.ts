/**
 * A Sequelize 6 adapter, written as a third party would: only the public
 * contract (`defineAdapter`) and the kit's scratch-database helper. Models are
 * defined at run time from the document's schema, and each many-to-many is a
 * `belongsToMany` whose through table Sequelize creates (`sync()`).
 *
 * Sequelize idioms: association mixins (`add…`, `remove…`, `set…`, `create…`)
 * for links; `include` with `where` (`required`, `raw: true`, `subQuery:
 * false`) for filters across a relation, one row per joined row; `count({
 * include, distinct })`; `order`; `Sequelize.fn` / `cast` / `where` for the
 * year/month/day/date transforms; `logging` for the statement count.
 * Where Sequelize cannot say what Django means without raw SQL, this adapter
 * does not hide it: the case fails and baseline.*.json lists it with the reason.
 * The one raw statement is PostgreSQL's `setval` after an insert with an
 * explicit id (contract rule 1): Sequelize has no API to move a sequence.
 *
 * Field types (contract text forms in, contract text forms out):
 * - float: `DOUBLE`; decimal: `DECIMAL(maxDigits, decimalPlaces)`, written as
 *   the contract's exact text and read back with exactly `decimalPlaces`
 *   digits, never through a JS number where the database keeps it exact:
 *   MariaDB's driver answers numbers, so MariaDB reads columns and SUM/MIN/MAX
 *   through `CAST(… AS CHAR)`. SQLite has no decimal type (a REAL whatever is
 *   written); its floats are read to 15 significant digits, as Django's SQLite
 *   backend reads them, so 0.1 + 0.2 comes back 0.3;
 * - date: `DATEONLY`; time: `TIME` (`TIME(6)` on MariaDB, whose `TIME` drops
 *   microseconds);
 * - datetime: NOT Sequelize's `DATE`, which goes through a JS `Date` (time
 *   zones, milliseconds only). The column is a naive timestamp with
 *   microseconds given as a type string: `TIMESTAMP(6) WITHOUT TIME ZONE` on
 *   PostgreSQL, `DATETIME(6)` on MariaDB, `DATETIME` (text) on SQLite. Values
 *   go in as the text `YYYY-MM-DD HH:MM:SS.ffffff` and come back through
 *   `CAST(… AS TEXT/CHAR)` (the drivers would otherwise build a `Date`); the
 *   adapter turns the space back into the contract's `T` and pads the fraction.
 * - integer: `BIGINT` (a `BigIntegerField` is an integer to the contract).
 */
import {
  type DataType,
  DataTypes,
  type FindOptions,
  type Includeable,
  type Model,
  type ModelStatic,
  Op,
  type OrderItem,
  Sequelize,
  type WhereOperators,
  type WhereOptions
} from 'sequelize'
import type { Cast, Col, Fn } from 'sequelize/types/utils'
import {
  type Adapter,
  type Condition,
  defineAdapter,
  type FieldSchema,
  type FieldType,
  type Key,
  type ModelSchema,
  type Operation,
  type Query,
  type Result,
  type Row,
  type Scalar,
  type Schema,
  type Select,
  type Side
} from '../contract.js'
import { createScratch, type Provider, type Scratch } from '../scratch/index.js'
import { runSelect, selectScope, tablesOf } from '../select.js'

type AnyModel = ModelStatic<Model>
type Expr = Fn | Cast | Col

export default defineAdapter({
  name: 'sequelize',
  features: ['field-types', 'primary-keys', 'self-relations', 'date-lookups', 'queries'],
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

/**
 * Association aliases: `r0f` (forward, on the source model), `r0r` (reverse);
 * copy `n` of an association is `r0f_n`. Sequelize includes an association
 * at most once per query, and each non-negated filter() across a relation is
 * a join of its own (rule 3), so every relation is associated `JOINS` times
 * per side under distinct aliases; the mixins use copy 0.
 */
const alias = (index: number, side: Side, copy = 0) => {
  const singular = `r${index}${side[0]}${copy ? `_${copy}` : ''}`
  return { singular, plural: `${singular}s` }
}
const JOINS = 4
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1)

/** One model as this adapter sees it: the Sequelize model and the column and type of each field. */
interface ModelInfo {
  readonly schema: ModelSchema
  readonly model: AnyModel
  /** Field name (`id` for the key) -> column name. */
  readonly columns: ReadonlyMap<string, string>
  /** Field name (`id` for the key) -> contract type. */
  readonly types: ReadonlyMap<string, FieldType>
  readonly fields: readonly FieldSchema[]
  /** An integer key the database assigns. */
  readonly autoKey: boolean
}

/** The column type of a field on a database (see the module comment). */
export function columnType(f: Pick<FieldSchema, 'type' | 'maxLength' | 'maxDigits' | 'decimalPlaces'>, provider: Provider): DataType {
  switch (f.type) {
    case 'string':
      return DataTypes.STRING(f.maxLength ?? 255)
    case 'integer':
      return DataTypes.BIGINT
    case 'boolean':
      return DataTypes.BOOLEAN
    case 'float':
      return DataTypes.DOUBLE
    case 'decimal':
      return DataTypes.DECIMAL(f.maxDigits ?? 30, f.decimalPlaces ?? 0)
    case 'date':
      return DataTypes.DATEONLY
    case 'time':
      return provider === 'mysql' ? 'TIME(6)' : DataTypes.TIME
    case 'datetime':
      return provider === 'postgresql' ? 'TIMESTAMP(6) WITHOUT TIME ZONE' : provider === 'mysql' ? 'DATETIME(6)' : 'DATETIME'
  }
}

/** A contract scalar as this adapter stores it (datetimes with a space, as SQL writes them). */
export function toDb(type: FieldType | undefined, v: Scalar): Scalar {
  if (v === null) return null
  if (type === 'datetime' && typeof v === 'string') return v.replace('T', ' ')
  return v
}

/**
 * A float read for a decimal, in plain notation, to 15 significant digits:
 * SQLite keeps a decimal as a REAL, and Django's SQLite backend reads it the
 * same way (`Context(prec=15).create_decimal_from_float`), so 0.1 + 0.2 is 0.3.
 */
export function floatText(v: number): string {
  const [mantissa = '', exponent = '0'] = v.toPrecision(15).split('e')
  const negative = mantissa.startsWith('-')
  const [int = '', frac = ''] = mantissa.replace('-', '').split('.')
  const digits = int + frac
  const point = int.length + Number(exponent)
  const plain =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits.padEnd(point, '0')
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return negative ? `-${plain}` : plain
}

/**
 * `12.5` or `'12.5'` with exactly `places` digits after the point, as text;
 * extra digits round half to even, as Django quantizes a decimal it reads.
 * Text is taken digit for digit (never through a float).
 */
export function decimalText(v: unknown, places: number): string {
  const s = typeof v === 'number' ? floatText(v) : String(v).trim()
  const [int = '', frac = ''] = s.replace(/^[-+]/, '').split('.')
  let units = BigInt(`${int || '0'}${frac.padEnd(places, '0')}`)
  if (frac.length > places) {
    const scale = 10n ** BigInt(frac.length - places)
    const [q, r] = [units / scale, units % scale]
    units = q + (r * 2n > scale || (r * 2n === scale && q % 2n === 1n) ? 1n : 0n)
  }
  const digits = units.toString().padStart(places + 1, '0')
  const text = places > 0 ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits
  return s.startsWith('-') && units !== 0n ? `-${text}` : text
}

/** `HH:MM:SS` with any fraction, as `HH:MM:SS.ffffff`. */
const timeText = (s: string): string => {
  const [hms = '', frac = ''] = s.trim().split('.')
  return `${hms.padStart(8, '0')}.${frac.padEnd(6, '0').slice(0, 6)}`
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** A value read from the database as the contract scalar of its type. */
export function fromDb(type: FieldType, v: unknown, places = 0): Scalar {
  if (v === null || v === undefined) return null
  switch (type) {
    case 'string':
      return String(v)
    case 'integer':
      return Number(v)
    case 'float':
      return Number(v)
    case 'boolean':
      return v === true || v === 1 || v === '1' || v === 't' || v === 'true'
    case 'decimal':
      return decimalText(v, places)
    case 'date':
      if (v instanceof Date) return `${pad(v.getUTCFullYear(), 4)}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`
      return String(v).slice(0, 10)
    case 'time':
      return timeText(String(v))
    case 'datetime': {
      if (v instanceof Date) return `${v.toISOString().slice(0, 23)}000`
      const s = String(v).trim()
      return `${s.slice(0, 10)}T${timeText(s.slice(11))}`
    }
  }
}

class SequelizeAdapter implements Adapter {
  private readonly sequelize: Sequelize
  private readonly infos = new Map<string, ModelInfo>()
  private readonly provider: Provider
  private statements = 0

  constructor(
    private readonly schema: Schema,
    private readonly scratch: Scratch
  ) {
    this.provider = scratch.provider
    // Transaction control is not a statement here, as in Django's connection.queries (contract: queryCount).
    const logging = (sql: string) => {
      if (!/^Executing \([^)]*\): (BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE|SET TRANSACTION)\b/i.test(sql))
        this.statements++
    }
    this.sequelize =
      scratch.provider === 'sqlite'
        ? new Sequelize({ dialect: 'sqlite', storage: scratch.url, logging })
        : scratch.provider === 'postgresql'
          ? new Sequelize(scratch.url, { dialect: 'postgres', logging })
          : new Sequelize(
              scratch.database,
              decodeURIComponent(new URL(scratch.url).username),
              decodeURIComponent(new URL(scratch.url).password),
              {
                dialect: 'mariadb',
                host: new URL(scratch.url).hostname,
                port: Number(new URL(scratch.url).port || 3306),
                logging
              }
            )
    for (const m of schema.models) {
      const pk = m.primaryKey
      const key = {
        type: pk?.type === 'string' ? DataTypes.STRING(pk.maxLength ?? 255) : DataTypes.INTEGER,
        primaryKey: true,
        autoIncrement: pk ? pk.auto && pk.type === 'integer' : true,
        field: pk?.column ?? pk?.name ?? 'id'
      }
      const attributes = {
        id: key,
        ...Object.fromEntries(
          m.fields.map((f) => [
            f.name,
            {
              type: columnType(f, this.provider),
              allowNull: f.nullable,
              field: f.column ?? f.name,
              ...(f.unique ? { unique: true } : {})
            }
          ])
        )
      }
      const model = this.sequelize.define(m.name, attributes, { tableName: m.table ?? m.name, timestamps: false })
      this.infos.set(m.name, {
        schema: m,
        model,
        fields: m.fields,
        columns: new Map([['id', key.field], ...m.fields.map((f) => [f.name, f.column ?? f.name] as const)]),
        types: new Map([['id', pk?.type ?? 'integer'], ...m.fields.map((f) => [f.name, f.type] as const)]),
        autoKey: key.autoIncrement
      })
    }
    schema.relations.forEach((r, i) => {
      const source = this.info(r.source)
      const target = this.info(r.target)
      // Django's names: `<table>_<field>` with `<model>_id` columns; `from_`/`to_` for a model to itself.
      const through = r.table ?? `${source.schema.table ?? r.source}_${r.field}`
      const [fromKey, toKey] =
        r.source === r.target
          ? [`from_${r.source.toLowerCase()}_id`, `to_${r.target.toLowerCase()}_id`]
          : [`${r.source.toLowerCase()}_id`, `${r.target.toLowerCase()}_id`]
      for (let copy = 0; copy < JOINS; copy++) {
        source.model.belongsToMany(target.model, { through, as: alias(i, 'forward', copy), foreignKey: fromKey, otherKey: toKey })
        target.model.belongsToMany(source.model, { through, as: alias(i, 'reverse', copy), foreignKey: toKey, otherKey: fromKey })
      }
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

  private info(name: string): ModelInfo {
    const m = this.infos.get(name)
    if (!m) throw new Error(`no model ${name}`)
    return m
  }

  private model(name: string): AnyModel {
    return this.info(name).model
  }

  private relationIndex(name: string): number {
    const i = this.schema.relations.findIndex((r) => r.name === name)
    if (i < 0) throw new Error(`no relation ${name}`)
    return i
  }

  /** Values of an insert or update as the columns take them. */
  private values(info: ModelInfo, values: Readonly<Record<string, Scalar>>): Record<string, Scalar> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toDb(info.types.get(k), v)]))
  }

  /** The key as the contract carries it (PostgreSQL and MariaDB may answer a string for a number). */
  private keyOut(info: ModelInfo, id: unknown): Key {
    return info.types.get('id') === 'string' ? String(id) : Number(id)
  }

  /** The owner's instance and the plural mixin suffix of its side's association. */
  private async owner(
    relation: string,
    side: Side,
    id: Key
  ): Promise<{
    instance: Model & Record<string, (...args: unknown[]) => Promise<unknown>>
    plural: string
    singular: string
    other: ModelInfo
  }> {
    const r = this.schema.relations[this.relationIndex(relation)]!
    const [own, other] = side === 'forward' ? [r.source, r.target] : [r.target, r.source]
    const instance = await this.model(own).findByPk(id)
    if (!instance) throw new Error(`no ${own} with id ${id}`)
    const a = alias(this.relationIndex(relation), side)
    return { instance: instance as never, plural: cap(a.plural), singular: cap(a.singular), other: this.info(other) }
  }

  async execute(op: Operation): Promise<Result> {
    switch (op.kind) {
      case 'insert': {
        const info = this.info(op.model)
        const values = this.values(info, op.values)
        let created: Model
        if (op.link) {
          const { instance, singular } = await this.owner(op.link.relation, op.link.side, op.link.ownerId)
          created = (await instance[`create${singular}`]!(values)) as Model
        } else {
          created = await info.model.create(values)
        }
        const explicit = op.values['id']
        if (info.autoKey && typeof explicit === 'number') await this.advanceSequence(info, explicit)
        return { kind: 'inserted', id: this.keyOut(info, explicit ?? created.get('id')) }
      }
      case 'update': {
        const info = this.info(op.model)
        const [count] = await info.model.update(this.values(info, op.values), { where: { id: op.id } })
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
      case 'query':
        return { kind: 'table', rows: (await this.aggregate(op.select)) ?? runSelect(this.schema, await this.tables(op.select), op.select) }
    }
  }

  /**
   * Aggregates over a whole model (Django's `aggregate()` without filters) as
   * one `findAll` of `COUNT`/`SUM`/`AVG`/`MIN`/`MAX` attributes; undefined for
   * any other shape.
   */
  private async aggregate(select: Select): Promise<Scalar[][] | undefined> {
    if (select.joins.length || select.where || select.having || select.group?.length !== 0) return undefined
    const info = this.info(select.model)
    const attributes: [Fn | Cast, string][] = []
    const types: (FieldSchema | undefined)[] = []
    for (const [i, c] of select.columns.entries()) {
      if (c.kind !== 'aggregate' || c.filter || c.argument?.kind !== 'field' || c.argument.join !== undefined || c.argument.transform)
        return undefined
      const field = c.argument.field
      const spec = info.fields.find((f) => f.name === field)
      if (field !== 'id' && !spec) return undefined
      const column = Sequelize.col(`${select.model}.${info.columns.get(field)!}`)
      const argument = c.distinct ? Sequelize.fn('DISTINCT', column) : column
      const aggregate = Sequelize.fn(c.fn.toUpperCase(), argument)
      // MariaDB's driver answers a DECIMAL result as a JS number: read it as text (see asText).
      const exact = spec?.type === 'decimal' && this.provider === 'mysql' && c.fn !== 'count' && c.fn !== 'avg'
      attributes.push([exact ? Sequelize.cast(aggregate, 'CHAR') : aggregate, `a${i}`])
      types.push(spec)
    }
    const [row] = (await info.model.findAll({ attributes, raw: true })) as unknown as Record<string, unknown>[]
    return [
      select.columns.map((c, i) => {
        const v = row?.[`a${i}`] ?? null
        const fn = (c as { fn: string }).fn
        if (v === null) return fn === 'count' ? 0 : null
        if (fn === 'count' || fn === 'avg') return Number(v)
        const spec = types[i]
        return spec ? fromDb(spec.type, v, spec.decimalPlaces ?? 0) : Number(v)
      })
    ]
  }

  /**
   * The rows and links a `query` reads, through `findAll` (the links by the
   * association's include); the query is then decided by the contract's
   * reference (`../select.ts`), as Sequelize's grouping cannot say Django's.
   */
  private async tables(select: Select) {
    const scope = selectScope(this.schema, select)
    const rows = new Map<string, Row[]>()
    const links = new Map<string, (readonly [Key, Key])[]>()
    for (const name of scope.models) {
      const info = this.info(name)
      const raw = (await info.model.findAll({ attributes: this.attributes(info), raw: true })) as unknown as Record<string, unknown>[]
      rows.set(
        name,
        raw.map((r) => this.row(info, r))
      )
    }
    for (const name of scope.relations) {
      const i = this.relationIndex(name)
      const r = this.schema.relations[i]!
      const source = this.info(r.source)
      const target = this.info(r.target)
      const as = alias(i, 'forward').plural
      const found = await source.model.findAll({
        attributes: ['id'],
        include: [{ association: as, attributes: ['id'], through: { attributes: [] } }]
      })
      const pairs: (readonly [Key, Key])[] = []
      for (const record of found) {
        const plain = record.get({ plain: true }) as Record<string, unknown>
        for (const t of (plain[as] as Record<string, unknown>[] | undefined) ?? [])
          pairs.push([this.keyOut(source, plain['id']), this.keyOut(target, t['id'])])
      }
      links.set(name, pairs)
    }
    return tablesOf(this.schema, rows, links)
  }

  /**
   * Rule 1 on PostgreSQL: a SERIAL does not move past an explicit id by
   * itself, and Sequelize has no API for sequences, so one raw `setval`: to
   * the explicit id, or where the sequence already is when that is higher.
   */
  private async advanceSequence(info: ModelInfo, id: number): Promise<void> {
    if (this.provider !== 'postgresql' || id < 1) return
    const table = `"${(info.schema.table ?? info.schema.name).replace(/"/g, '""')}"`
    const seq = 'pg_get_serial_sequence(:table, :column)'
    await this.sequelize.query(`SELECT setval(${seq}, GREATEST(:id, nextval(${seq}) - 1))`, {
      replacements: { table, column: info.columns.get('id')!, id }
    })
  }

  /** The find options for a query: where, includes for joins, order, paging. */
  private async options(query: Query): Promise<FindOptions & { include: Includeable[] }> {
    const info = this.info(query.model)
    const and: WhereOptions[] = []
    const include: Includeable[] = []
    const joined = new Set<string>()
    for (const filter of query.filters) {
      const local = filter.conditions.filter((c) => !c.via)
      const via = filter.conditions.filter((c) => c.via)
      if (filter.negated) {
        // exclude(): the ids that match, then NOT IN them (two queries, no raw SQL).
        // Rule 4: each condition across a relation on its own, so each is a filter (a join) of its own.
        const filters = [{ negated: false, conditions: local }, ...via.map((c) => ({ negated: false, conditions: [c] }))]
        const matching = await this.select({ model: query.model, filters, distinct: true, orderBy: [], offset: 0 })
        and.push({ id: { [Op.notIn]: matching.map((r) => r.id) } })
        continue
      }
      and.push(...local.map((c) => this.where(c, info, query.model)))
      if (via.length === 0) continue
      // One join per relation a filter goes across; its conditions share it (rule 3).
      const hops = new Map<string, Condition[]>()
      for (const c of via) hops.set(`${c.via!.relation}|${c.via!.side}`, [...(hops.get(`${c.via!.relation}|${c.via!.side}`) ?? []), c])
      for (const [hop, conditions] of hops) {
        const [relation, side] = hop.split('|') as [string, Side]
        const index = this.relationIndex(relation)
        const r = this.schema.relations[index]!
        const other = this.info(side === 'forward' ? r.target : r.source)
        const copy = Array.from({ length: JOINS }, (_, n) => n).find((n) => !joined.has(alias(index, side, n).plural))
        if (copy === undefined) throw new Error(`sequelize adapter: more than ${JOINS} joins across ${relation} in one query`)
        const as = alias(index, side, copy).plural
        joined.add(as)
        if (conditions.some((c) => c.lookup === 'isnull' && c.value === true)) {
          // isnull=True also holds for an object with no related row (Django's LEFT JOIN gives it a row of
          // NULLs): an outer join, and the conditions on its columns in the query's WHERE, where the NULL
          // row satisfies isnull=True and nothing else (spec/sharp-edges.md, spec/query-rules.md).
          include.push({ association: as, attributes: [], required: false, through: { attributes: [] } })
          and.push(...conditions.map((c) => this.where(c, other, as, true)))
          continue
        }
        include.push({
          association: as,
          attributes: [],
          required: true,
          where: { [Op.and]: conditions.map((c) => this.where(c, other, as)) },
          through: { attributes: [] }
        })
      }
    }
    // Rule 2: None first. PostgreSQL puts NULL last in ascending order unless told.
    const nulls = (descending: boolean) => (this.provider === 'postgresql' ? (descending ? ' NULLS LAST' : ' NULLS FIRST') : '')
    const order: OrderItem[] = [
      ...query.orderBy.map(
        (k) => [k.field, `${k.descending ? 'DESC' : 'ASC'}${k.field === 'id' ? '' : nulls(k.descending)}`] as [string, string]
      ),
      ['id', 'ASC']
    ]
    return {
      where: { [Op.and]: and },
      include,
      order,
      offset: query.offset,
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      subQuery: false
    }
  }

  /** The part of a date or datetime column a transform takes, per dialect (substr on SQLite's fixed-width text). */
  private transformed(column: Col, t: NonNullable<Condition['transform']>): Expr {
    const fn = Sequelize.fn
    switch (this.provider) {
      case 'postgresql':
        return t === 'date' ? Sequelize.cast(column, 'DATE') : fn('date_part', t, column)
      case 'mysql':
        return fn(t === 'year' ? 'YEAR' : t === 'month' ? 'MONTH' : t === 'day' ? 'DAYOFMONTH' : 'DATE', column)
      case 'sqlite': {
        const [start, length] = t === 'year' ? [1, 4] : t === 'month' ? [6, 2] : t === 'day' ? [9, 2] : [1, 10]
        const part = fn('substr', column, start, length)
        return t === 'date' ? part : Sequelize.cast(part, 'INTEGER')
      }
    }
  }

  /**
   * One condition on `info`'s rows, whose table is called `table` in the query;
   * `outside`: written for the query's own WHERE (`$table.column$`), not an include's.
   */
  private where(c: Condition, info: ModelInfo, table: string, outside = false): WhereOptions {
    const type = c.transform && c.lookup !== 'isnull' ? (c.transform === 'date' ? 'date' : 'integer') : info.types.get(c.field)
    const v = Array.isArray(c.value) ? c.value.map((x) => toDb(type, x)) : toDb(type, c.value as Scalar)
    const ops = this.operators(c, v)
    if (c.transform && c.lookup !== 'isnull') {
      const column = info.columns.get(c.field)
      if (!column) throw new Error(`no field ${c.field} on ${info.schema.name}`)
      return Sequelize.where(this.transformed(Sequelize.col(`${table}.${column}`), c.transform), ops)
    }
    return { [outside ? `$${table}.${info.columns.get(c.field)}$` : c.field]: ops }
  }

  private operators(c: Condition, v: Scalar | Scalar[]): WhereOperators {
    switch (c.lookup) {
      case 'exact':
        return { [Op.eq]: v }
      case 'iexact':
        return { [this.iLike()]: v }
      case 'contains':
        return { [Op.substring]: v }
      case 'icontains':
        return { [this.iLike()]: `%${v}%` }
      case 'startswith':
        return { [Op.startsWith]: v }
      case 'istartswith':
        return { [this.iLike()]: `${v}%` }
      case 'endswith':
        return { [Op.endsWith]: v }
      case 'iendswith':
        return { [this.iLike()]: `%${v}` }
      case 'in':
        return { [Op.in]: v as never }
      case 'gt':
        return { [Op.gt]: v }
      case 'gte':
        return { [Op.gte]: v }
      case 'lt':
        return { [Op.lt]: v }
      case 'lte':
        return { [Op.lte]: v }
      case 'isnull':
        return v ? { [Op.is]: null } : { [Op.not]: null }
      case 'range':
        return { [Op.between]: v as never }
    }
  }

  /** ILIKE where the dialect has it; elsewhere LIKE, whose case rules are the database's. */
  private iLike(): symbol {
    return this.provider === 'postgresql' ? Op.iLike : Op.like
  }

  /** Datetimes (and MariaDB's decimals) are read as text, so no driver makes a `Date` or a float of them. */
  private asText(f: FieldSchema): boolean {
    return this.provider !== 'sqlite' && (f.type === 'datetime' || (f.type === 'decimal' && this.provider === 'mysql'))
  }

  /**
   * The selected attributes. A cast gets an alias of its own (`text__name`):
   * Sequelize writes `ORDER BY name` unqualified when an attribute has that
   * alias, and the database would then order by the text.
   */
  private attributes(info: ModelInfo): (string | [Cast, string])[] {
    return [
      'id',
      ...info.fields.map((f) =>
        this.asText(f)
          ? ([
              Sequelize.cast(Sequelize.col(`${info.schema.name}.${f.column ?? f.name}`), this.provider === 'mysql' ? 'CHAR' : 'TEXT'),
              `text__${f.name}`
            ] as [Cast, string])
          : f.name
      )
    ]
  }

  private row(info: ModelInfo, raw: Record<string, unknown>): Row {
    const row: Record<string, Scalar> = { id: this.keyOut(info, raw['id']) }
    for (const f of info.fields) row[f.name] = fromDb(f.type, raw[this.asText(f) ? `text__${f.name}` : f.name], f.decimalPlaces ?? 0)
    return row as Row
  }

  private async select(query: Query): Promise<Row[]> {
    const options = await this.options(query)
    const info = this.info(query.model)
    const rows = (await info.model.findAll({
      ...options,
      attributes: this.attributes(info),
      raw: true,
      ...(query.distinct ? { group: [`${query.model}.${info.columns.get('id')}`] } : {})
    })) as unknown as Record<string, unknown>[]
    return rows.map((r) => this.row(info, r))
  }

  private async count(query: Query): Promise<number> {
    if (query.offset || query.limit !== undefined) return (await this.select(query)).length
    const options = await this.options(query)
    const info = this.info(query.model)
    return info.model.count({ where: options.where!, include: options.include, distinct: query.distinct, col: info.columns.get('id')! })
  }
}
