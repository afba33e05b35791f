/**
 * The contract's `Schema` (a document's Django models) -> a Prisma schema and
 * the DDL Prisma would make for it, per provider. Prisma manages every
 * many-to-many implicitly: one list field on each side (`Publication[]` /
 * `Article[]`), a join table `_AToB` (or `_<relation name>` for a named
 * relation) with columns `A` and `B`, never a join model of ours.
 *
 * Names: models and scalar fields keep the document's names (`@@map` /
 * `@map` for `db_table` / `db_column`); the forward relation field is the
 * Django field, the reverse one the Django reverse accessor (`article_set`),
 * or `<field>_rev` for a symmetrical relation, whose accessor is hidden.
 */
import type { FieldSchema, FieldType, ModelSchema, Schema } from '../contract.js'

export type Provider = 'sqlite' | 'postgresql' | 'mysql'

/** How one contract model is stored in Prisma. */
export interface PrismaModel {
  readonly name: string
  /** The client property (`publication`). */
  readonly delegate: string
  /** The Prisma field of the primary key (`id`, or the document's own key name). */
  readonly key: string
  readonly keyType: 'integer' | 'string'
  readonly autoKey: boolean
  readonly fields: readonly FieldSchema[]
  readonly table: string
}

/** How one relation is stored: its Prisma list fields on both sides. */
export interface PrismaRelation {
  readonly name: string
  readonly source: string
  readonly target: string
  /** The list field on the source model (the Django field). */
  readonly forward: string
  /** The list field on the target model. */
  readonly reverse: string
  /** `@relation("…")`, when Prisma needs one (self relations, several relations between two models, `db_table`). */
  readonly relationName: string | undefined
  /** The join table Prisma makes. */
  readonly joinTable: string
  /** The model of column `A` (the name that sorts first). */
  readonly a: string
  readonly b: string
}

export interface PrismaMapping {
  readonly models: ReadonlyMap<string, PrismaModel>
  readonly relations: ReadonlyMap<string, PrismaRelation>
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/

/** Decide every Prisma name for a schema. */
export function mapSchema(schema: Schema): PrismaMapping {
  const models = new Map<string, PrismaModel>()
  for (const m of schema.models) {
    models.set(m.name, {
      name: m.name,
      delegate: m.name[0]!.toLowerCase() + m.name.slice(1),
      key: m.primaryKey?.name ?? 'id',
      keyType: m.primaryKey?.type ?? 'integer',
      autoKey: m.primaryKey?.auto ?? true,
      fields: m.fields,
      table: m.table ?? m.name
    })
  }
  const pairs = new Map<string, number>()
  for (const r of schema.relations) {
    const pair = [r.source, r.target].sort().join('|')
    pairs.set(pair, (pairs.get(pair) ?? 0) + 1)
  }
  const relations = new Map<string, PrismaRelation>()
  // Field names per model, so a generated reverse name never clashes (two `related_name='+'` to one model).
  const taken = new Map(schema.models.map((m) => [m.name, new Set([m.primaryKey?.name ?? 'id', ...m.fields.map((f) => f.name)])]))
  for (const r of schema.relations) taken.get(r.source)?.add(r.field)
  for (const r of schema.relations) {
    const shared = (pairs.get([r.source, r.target].sort().join('|')) ?? 0) > 1
    const named = r.table !== undefined || r.source === r.target || shared
    const relationName = named ? (r.table ?? `${r.source}_${r.field}`) : undefined
    const [a, b] = [r.source, r.target].sort() as [string, string]
    const names = taken.get(r.target) ?? new Set<string>()
    let reverse = IDENT.test(r.reverseAccessor) ? r.reverseAccessor : `${r.field}_rev`
    for (let i = 2; names.has(reverse); i++) reverse = `${r.field}_rev${i}`
    names.add(reverse)
    relations.set(r.name, {
      name: r.name,
      source: r.source,
      target: r.target,
      forward: r.field,
      reverse,
      relationName,
      joinTable: relationName !== undefined ? `_${relationName}` : `_${a}To${b}`,
      a,
      b
    })
  }
  return { models, relations }
}

const SCALAR: Readonly<Record<FieldType, string>> = {
  string: 'String',
  integer: 'BigInt',
  boolean: 'Boolean',
  float: 'Float',
  decimal: 'Decimal',
  date: 'DateTime',
  datetime: 'DateTime',
  time: 'DateTime'
}

/** Native type attributes: Prisma's defaults where they fit, so the seed's DDL is Prisma's own. */
function nativeType(f: FieldSchema, provider: Provider): string {
  if (provider === 'sqlite') return ''
  switch (f.type) {
    case 'string':
      if (provider !== 'mysql') return ''
      // MySQL cannot index TEXT: a unique text field without max_length keeps VARCHAR(191).
      return f.maxLength === undefined ? (f.unique ? '' : ' @db.Text') : f.maxLength > 191 ? ` @db.VarChar(${f.maxLength})` : ''
    case 'decimal':
      return ` @db.Decimal(${f.maxDigits ?? 65}, ${f.decimalPlaces ?? 30})`
    case 'date':
      return ' @db.Date'
    case 'time':
      return ' @db.Time(3)'
    default:
      return ''
  }
}

const column = (name: string, mapped: string | undefined) => (mapped !== undefined && mapped !== name ? ` @map("${mapped}")` : '')

/** The Prisma schema text (generator `output` as given). */
export function renderPrismaSchema(schema: Schema, provider: Provider, output: string): string {
  const mapping = mapSchema(schema)
  const out = [
    'generator client {',
    '  provider            = "prisma-client"',
    `  output              = ${JSON.stringify(output)}`,
    '  moduleFormat        = "esm"',
    '  importFileExtension = "js"',
    '}',
    '',
    'datasource db {',
    `  provider = "${provider}"`,
    '}'
  ]
  for (const m of schema.models) {
    const pm = mapping.models.get(m.name)!
    const lines: [string, string][] = []
    const pk = m.primaryKey
    if (pm.keyType === 'string') lines.push([pm.key, `String @id${mysqlKey(pk?.maxLength, provider)}${column(pm.key, pk?.column)}`])
    else lines.push([pm.key, `Int @id${pm.autoKey ? ' @default(autoincrement())' : ''}${column(pm.key, pk?.column)}`])
    for (const f of m.fields) {
      lines.push([
        f.name,
        `${SCALAR[f.type]}${f.nullable ? '?' : ''}${f.unique ? ' @unique' : ''}${nativeType(f, provider)}${column(f.name, f.column)}`
      ])
    }
    for (const r of mapping.relations.values()) {
      const rel = r.relationName !== undefined ? ` @relation("${r.relationName}")` : ''
      if (r.source === m.name) lines.push([r.forward, `${r.target}[]${rel}`])
      if (r.target === m.name) lines.push([r.reverse, `${r.source}[]${rel}`])
    }
    const width = Math.max(...lines.map(([n]) => n.length))
    const types = lines.map(([, t]) => t.split(' ')[0]!)
    const typeWidth = Math.max(...types.map((t) => t.length))
    out.push('', `model ${m.name} {`)
    for (const [name, def] of lines) {
      const [type, ...attrs] = def.split(' ')
      out.push(`  ${name.padEnd(width)} ${attrs.length ? type!.padEnd(typeWidth) + ' ' + attrs.join(' ') : type}`.trimEnd())
    }
    if (pm.table !== m.name) out.push('', `  @@map("${pm.table}")`)
    out.push('}')
  }
  return out.join('\n') + '\n'
}

function mysqlKey(maxLength: number | undefined, provider: Provider): string {
  return provider === 'mysql' && maxLength !== undefined && maxLength > 191 ? ` @db.VarChar(${maxLength})` : ''
}

/** Column types of Prisma's migrations, per provider. */
function columnType(f: FieldSchema, provider: Provider): string {
  switch (provider) {
    case 'sqlite':
      return {
        string: 'TEXT',
        integer: 'BIGINT',
        boolean: 'BOOLEAN',
        float: 'REAL',
        decimal: 'DECIMAL',
        date: 'DATETIME',
        datetime: 'DATETIME',
        time: 'DATETIME'
      }[f.type]
    case 'postgresql':
      return {
        string: 'TEXT',
        integer: 'BIGINT',
        boolean: 'BOOLEAN',
        float: 'DOUBLE PRECISION',
        decimal: `DECIMAL(${f.maxDigits ?? 65},${f.decimalPlaces ?? 30})`,
        date: 'DATE',
        datetime: 'TIMESTAMP(3)',
        time: 'TIME(3)'
      }[f.type]
    case 'mysql':
      return {
        string: f.maxLength === undefined ? (f.unique ? 'VARCHAR(191)' : 'TEXT') : `VARCHAR(${Math.max(f.maxLength, 191)})`,
        integer: 'BIGINT',
        boolean: 'BOOLEAN',
        float: 'DOUBLE',
        decimal: `DECIMAL(${f.maxDigits ?? 65}, ${f.decimalPlaces ?? 30})`,
        date: 'DATE',
        datetime: 'DATETIME(3)',
        time: 'TIME(3)'
      }[f.type]
  }
}

function keyType(m: ModelSchema, provider: Provider): string {
  const pk = m.primaryKey
  if (pk?.type === 'string') return provider === 'mysql' ? `VARCHAR(${Math.max(pk.maxLength ?? 191, 191)})` : 'TEXT'
  return 'INTEGER'
}

/**
 * The migration SQL, in Prisma's layout: tables in schema order, then the join
 * tables, then indexes, then foreign keys (PostgreSQL and MySQL). For the
 * seed it is byte for byte the committed `prisma/migrations/<provider>/0001_init`.
 */
export function renderMigration(schema: Schema, provider: Provider): string {
  const mapping = mapSchema(schema)
  const q = (s: string) => (provider === 'mysql' ? `\`${s}\`` : `"${s}"`)
  const tables: string[] = []
  const indexes: string[] = []
  const keys: string[] = []
  const tail = provider === 'mysql' ? ' DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci' : ''
  const keyColumn = (m: ModelSchema) => m.primaryKey?.column ?? m.primaryKey?.name ?? 'id'
  for (const m of schema.models) {
    const pm = mapping.models.get(m.name)!
    const table = pm.table
    const key = keyColumn(m)
    const cols: string[] = []
    const auto = pm.autoKey && pm.keyType === 'integer'
    if (provider === 'sqlite') cols.push(`    ${q(key)} ${keyType(m, provider)} NOT NULL PRIMARY KEY${auto ? ' AUTOINCREMENT' : ''}`)
    else if (provider === 'postgresql') cols.push(`    ${q(key)} ${auto ? 'SERIAL' : keyType(m, provider)} NOT NULL`)
    else cols.push(`    ${q(key)} ${keyType(m, provider)} NOT NULL${auto ? ' AUTO_INCREMENT' : ''}`)
    for (const f of m.fields) cols.push(`    ${q(f.column ?? f.name)} ${columnType(f, provider)}${f.nullable ? '' : ' NOT NULL'}`)
    const uniques = m.fields.filter((f) => f.unique)
    if (provider === 'sqlite') {
      tables.push(`-- CreateTable\nCREATE TABLE ${q(table)} (\n${cols.join(',\n')}\n);`)
      for (const f of uniques)
        indexes.push(
          `-- CreateIndex\nCREATE UNIQUE INDEX ${q(`${table}_${f.column ?? f.name}_key`)} ON ${q(table)}(${q(f.column ?? f.name)});`
        )
    } else if (provider === 'postgresql') {
      tables.push(
        `-- CreateTable\nCREATE TABLE ${q(table)} (\n${cols.join(',\n')},\n\n    CONSTRAINT ${q(`${table}_pkey`)} PRIMARY KEY (${q(key)})\n);`
      )
      for (const f of uniques)
        indexes.push(
          `-- CreateIndex\nCREATE UNIQUE INDEX ${q(`${table}_${f.column ?? f.name}_key`)} ON ${q(table)}(${q(f.column ?? f.name)});`
        )
    } else {
      const unique = uniques.map((f) => `    UNIQUE INDEX ${q(`${table}_${f.column ?? f.name}_key`)}(${q(f.column ?? f.name)}),\n`).join('')
      tables.push(`-- CreateTable\nCREATE TABLE ${q(table)} (\n${cols.join(',\n')},\n\n${unique}    PRIMARY KEY (${q(key)})\n)${tail};`)
    }
  }
  const byName = new Map(schema.models.map((m) => [m.name, m]))
  for (const r of mapping.relations.values()) {
    const j = r.joinTable
    const [ma, mb] = [byName.get(r.a)!, byName.get(r.b)!]
    const ref = (m: ModelSchema) => [mapping.models.get(m.name)!.table, keyColumn(m)] as const
    const cols = `    ${q('A')} ${keyType(ma, provider)} NOT NULL,\n    ${q('B')} ${keyType(mb, provider)} NOT NULL`
    const fk = (col: 'A' | 'B', m: ModelSchema, inline: boolean) => {
      const [table, key] = ref(m)
      return inline
        ? `    CONSTRAINT ${q(`${j}_${col}_fkey`)} FOREIGN KEY (${q(col)}) REFERENCES ${q(table)} (${q(key)}) ON DELETE CASCADE ON UPDATE CASCADE`
        : `-- AddForeignKey\nALTER TABLE ${q(j)} ADD CONSTRAINT ${q(`${j}_${col}_fkey`)} FOREIGN KEY (${q(col)}) REFERENCES ${q(table)}(${q(key)}) ON DELETE CASCADE ON UPDATE CASCADE;`
    }
    if (provider === 'sqlite') {
      tables.push(`-- CreateTable\nCREATE TABLE ${q(j)} (\n${cols},\n${fk('A', ma, true)},\n${fk('B', mb, true)}\n);`)
      indexes.push(`-- CreateIndex\nCREATE UNIQUE INDEX ${q(`${j}_AB_unique`)} ON ${q(j)}(${q('A')}, ${q('B')});`)
      indexes.push(`-- CreateIndex\nCREATE INDEX ${q(`${j}_B_index`)} ON ${q(j)}(${q('B')});`)
    } else if (provider === 'postgresql') {
      tables.push(
        `-- CreateTable\nCREATE TABLE ${q(j)} (\n${cols},\n\n    CONSTRAINT ${q(`${j}_AB_pkey`)} PRIMARY KEY (${q('A')},${q('B')})\n);`
      )
      indexes.push(`-- CreateIndex\nCREATE INDEX ${q(`${j}_B_index`)} ON ${q(j)}(${q('B')});`)
      keys.push(fk('A', ma, false), fk('B', mb, false))
    } else {
      tables.push(
        `-- CreateTable\nCREATE TABLE ${q(j)} (\n${cols},\n\n    UNIQUE INDEX ${q(`${j}_AB_unique`)}(${q('A')}, ${q('B')}),\n    INDEX ${q(`${j}_B_index`)}(${q('B')})\n)${tail};`
      )
      keys.push(fk('A', ma, false), fk('B', mb, false))
    }
  }
  return [...tables, ...indexes, ...keys].join('\n\n') + '\n'
}
