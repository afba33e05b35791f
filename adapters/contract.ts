/**
 * The adapter contract: the whole interface between the kit and an ORM.
 *
 * The runner owns everything else — parsing the document, Python semantics
 * (variables, unsaved instances, lazy querysets), Django's reprs and error
 * messages, comparing and reporting. An adapter only stores rows and answers
 * data operations, one `execute(op)` at a time (like sqllogictest's `DB::run`).
 *
 * Data semantics every adapter must honour (the in-memory adapter in
 * `adapters/memory/` is their executable statement):
 *
 * 1. Automatic ids are positive integers assigned in insertion order, per
 *    model, and are never reused, not even after the row with the highest id
 *    is deleted. An insert may give its own id (`Publication(id=10)`); the next
 *    automatic id is then greater than every id the model has had (Django on
 *    SQLite and MySQL; on PostgreSQL an adapter advances the sequence).
 * 2. `select` returns rows ordered by `query.orderBy`, then by `id` ascending
 *    (a total order, so reports are deterministic). Strings compare by Unicode
 *    code point, numbers and decimals by value, dates and times in time order;
 *    None sorts first.
 * 3. A non-negated filter whose conditions go `via` a many-to-many relation is
 *    an SQL inner join: the row comes back once per related row that satisfies
 *    every `via` condition of that filter (they share one join). Separate
 *    filters join separately, so their counts multiply. `distinct` removes the
 *    duplicates. An `isnull: true` condition via a relation matches rows with
 *    no related row at all (a left join), once.
 * 4. A negated filter (Django's `exclude`) keeps a row unless its local
 *    conditions all hold AND each `via` condition is met by some related row
 *    (each `via` condition on its own, as Django documents for `exclude`). It
 *    never produces duplicates.
 * 5. `count` counts exactly the rows `select` would return (duplicates, distinct,
 *    offset and limit included).
 * 6. Lookups keep Django's documented meaning on every database: `exact`,
 *    `contains`, `startswith`, `endswith` are case-sensitive; the `i…` variants
 *    compare case-insensitively. Values are plain strings: `%`, `_` and `\` in a
 *    value are never wildcards. Case folding is promised for ASCII letters
 *    only: beyond them Django itself answers per database (`'ÉCOLE'` with
 *    `icontains='école'` matches on PostgreSQL, not on SQLite), so no
 *    document may depend on it and an adapter follows its database.
 * 7. `add` is idempotent (an existing link is not duplicated). Deleting a row on
 *    either side of a relation removes its links; a bulk `delete` by query does
 *    the same for every row it deletes.
 * 8. Symmetrical relations (`ManyToManyField('self')`) need nothing from the
 *    adapter: the runner sends both links (`a -> b` and `b -> a`), as Django
 *    stores both rows. A relation whose source and target are the same model
 *    is still two sides: `side` says which column the owner id is in.
 *
 * Values travel as `Scalar`s, by field type (`FieldSchema.type`):
 * `string`, `integer`, `boolean` as themselves; `float` a number; `decimal` a
 * string with exactly `decimalPlaces` digits after the point (`'1.50'`);
 * `date` `'YYYY-MM-DD'`; `datetime` `'YYYY-MM-DDTHH:MM:SS.ffffff'` (naive, as
 * Django with `USE_TZ = False`); `time` `'HH:MM:SS.ffffff'`. Fixed widths, so
 * the text of dates and times orders like the values.
 *
 * A `string` field stores any string of up to `maxLength` code points (any
 * length without one). Beyond `maxLength`, and for a NUL character, Django
 * itself answers per database (SQLite stores them; PostgreSQL refuses both;
 * MySQL refuses or truncates): no document may depend on it, and an adapter
 * follows its database.
 *
 * Everything beyond the first contract (string, integer and boolean fields,
 * automatic integer ids, relations between two models, the lookups up to
 * `isnull`) is a `Feature` an adapter declares; the runner refuses a
 * document that needs a feature its adapter does not declare, in one line.
 *
 * @module
 */

/** A value stored in a model field (see "Values travel as Scalars" above). */
export type Scalar = string | number | boolean | null

/** A primary key value: an integer, or a string for a `CharField(primary_key=True)`. */
export type Key = number | string

/**
 * A stored row: its primary key under `id` (whatever the key field is called,
 * see `ModelSchema.primaryKey`) and every scalar field of its model.
 */
export interface Row {
  readonly id: Key
  readonly [field: string]: Scalar
}

/**
 * What a document may need beyond the first contract. An adapter lists what it
 * supports in `AdapterFactory.features`.
 * - `field-types`: `float`, `decimal`, `date`, `datetime`, `time` fields.
 * - `primary-keys`: a model's own primary key (`ModelSchema.primaryKey`): a
 *   string key, or an integer key the document assigns.
 * - `self-relations`: a relation whose source and target are the same model.
 * - `date-lookups`: the `range` lookup and the `year`/`month`/`day` transforms.
 * - `queries`: the `query` operation, for the wider QuerySet API (`Q`, `F`,
 *   `annotate`, `aggregate`, `values` across relations, lookups and ordering
 *   through several relations). See `Select`.
 */
export type Feature = 'field-types' | 'primary-keys' | 'self-relations' | 'date-lookups' | 'queries'

/** Every feature, for adapters that support them all. */
export const ALL_FEATURES: readonly Feature[] = ['field-types', 'primary-keys', 'self-relations', 'date-lookups', 'queries']

/** The models and relations a document defines (from its `python` block). */
export interface Schema {
  readonly models: readonly ModelSchema[]
  readonly relations: readonly RelationSchema[]
}

/** One model: its scalar fields (not the primary key, not relations) and default ordering. */
export interface ModelSchema {
  /** Class name, e.g. `Article`. */
  readonly name: string
  readonly fields: readonly FieldSchema[]
  /** From `Meta.ordering`; empty when the model has none (then rows come by id). */
  readonly ordering: readonly OrderKey[]
  /**
   * The model's own primary key (feature `primary-keys`, or a renamed
   * automatic key). Absent: Django's automatic `id`, an auto-incremented
   * integer. Either way operations and rows carry the key as `id`.
   */
  readonly primaryKey?: PrimaryKeySchema
  /** `Meta.db_table`: the table name to use on a real database. */
  readonly table?: string
}

/** A scalar type (see "Values travel as Scalars" above). */
export type FieldType = 'string' | 'integer' | 'boolean' | 'float' | 'decimal' | 'date' | 'datetime' | 'time'

/** A scalar field. */
export interface FieldSchema {
  readonly name: string
  readonly type: FieldType
  /** `max_length` of a `CharField`, when given. */
  readonly maxLength?: number
  /** `null=True`. */
  readonly nullable: boolean
  /** `max_digits` and `decimal_places` of a `DecimalField`. */
  readonly maxDigits?: number
  readonly decimalPlaces?: number
  /** `unique=True`. */
  readonly unique?: boolean
  /** `db_column`: the column name to use on a real database. */
  readonly column?: string
}

/** A primary key field. */
export interface PrimaryKeySchema {
  /** Field name in the document (`id`, `code`, `article_id`); operations still say `id`. */
  readonly name: string
  readonly type: 'integer' | 'string'
  /** Assigned by the database (`AutoField`, `BigAutoField`). */
  readonly auto: boolean
  readonly maxLength?: number
  /** `db_column`. */
  readonly column?: string
}

/**
 * A many-to-many relation, named after the field that declares it:
 * `Article.publications` for `publications = ManyToManyField(Publication)`
 * on `Article`.
 */
export interface RelationSchema {
  /** `Model.field`, the key used in every operation. */
  readonly name: string
  /** The model that declares the field (the forward side). */
  readonly source: string
  /** The field name on the source model. */
  readonly field: string
  /** The related model (the reverse side). */
  readonly target: string
  /** Name used in lookups from the target side, e.g. `article`. */
  readonly reverseQueryName: string
  /** Manager attribute on target instances, e.g. `article_set`. Ends with `+` when hidden (symmetrical). */
  readonly reverseAccessor: string
  /** `ManyToManyField('self')` without `symmetrical=False`: the runner keeps both links (rule 8). */
  readonly symmetrical?: boolean
  /** `ManyToManyField(db_table=...)`: the join table's name on a real database. */
  readonly table?: string
}

/**
 * Which end of a relation an instance id belongs to: `forward` for the model
 * that declares the field (`a.publications`), `reverse` for the other one
 * (`p.article_set`).
 */
export type Side = 'forward' | 'reverse'

/** One sort key. */
export interface OrderKey {
  /** A scalar field of the queried model, or `id`. */
  readonly field: string
  readonly descending: boolean
}

/** Field lookups, with Django's meaning (see rule 6 above). `range` needs feature `date-lookups`. */
export type Lookup =
  | 'exact'
  | 'iexact'
  | 'contains'
  | 'icontains'
  | 'startswith'
  | 'istartswith'
  | 'endswith'
  | 'iendswith'
  | 'in'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'isnull'
  | 'range'

/**
 * A part taken of a `date` or `datetime` value before the lookup compares it
 * (`pub_date__year__gte=2005`): an integer; `date` takes a datetime's date
 * (`'YYYY-MM-DD'`). Needs feature `date-lookups`.
 */
export type Transform = 'year' | 'month' | 'day' | 'date'

/**
 * One lookup. Without `via` it tests the queried row's own `field`; with `via`
 * it tests the rows related through that relation (`publications__title__…`).
 * `value` is an array for `in`, `[low, high]` (inclusive) for `range`, a
 * boolean for `isnull`.
 */
export interface Condition {
  readonly via?: Hop
  readonly field: string
  readonly transform?: Transform
  readonly lookup: Lookup
  readonly value: Scalar | readonly Scalar[]
}

/** A step across a relation, from the queried model's side. */
export interface Hop {
  readonly relation: string
  /** `forward` when the queried model declares the relation. */
  readonly side: Side
}

/** One `filter(...)` (or, negated, `exclude(...)`) call: its conditions ANDed. */
export interface Filter {
  readonly negated: boolean
  readonly conditions: readonly Condition[]
}

/** A query over one model. Filters are ANDed. */
export interface Query {
  readonly model: string
  readonly filters: readonly Filter[]
  readonly distinct: boolean
  /** Always explicit: the runner has already resolved `Meta.ordering`. */
  readonly orderBy: readonly OrderKey[]
  /** Applied after ordering and duplicates. */
  readonly offset: number
  readonly limit?: number
}

/**
 * A query in full (feature `queries`), shaped like the SQL Django writes, so
 * that Django's join rules are the runner's business and an adapter only
 * executes: `SELECT columns FROM model LEFT JOIN … WHERE … GROUP BY … HAVING …
 * ORDER BY … LIMIT/OFFSET`. The runner uses it only for what `Query` cannot
 * say. Meaning, for an adapter:
 *
 * 1. Every join is a LEFT OUTER JOIN: the rows related to the row of join
 *    `from` (the queried row when absent) through `relation` from `side`; a
 *    row with none related (or a `from` that is NULL) gets one NULL row. A
 *    query yields one candidate per combination of joined rows.
 * 2. `where` keeps the candidates for which it holds. A lookup on NULL is
 *    false (except `isnull`), also under `not`: two-valued logic, as Django's
 *    added `IS NOT NULL` terms make SQL behave.
 * 3. Without `group`, each kept candidate is one result row. With `group`,
 *    candidates with equal `group` values form one result row (`[]`: all of
 *    them form one, even when there are none); aggregates in `columns`,
 *    `having` and `orderBy` range over a group's candidates, any other
 *    expression takes its value from the group's first candidate.
 * 4. `distinct` removes result rows equal in `columns` and `orderBy` values.
 * 5. Result rows are ordered by `orderBy` (None first ascending, as rule 2),
 *    then by the queried row's id and each join's row id in order (NULL
 *    first), or, grouped, by the `group` values; then `offset` and `limit`.
 *
 * Answer `table`: one array of `columns.length` scalars per result row, with
 * the types of "Values travel as Scalars"; `count` an integer, `avg` a number,
 * `sum` of the field's type.
 */
export interface Select {
  readonly model: string
  readonly joins: readonly Join[]
  readonly where?: Predicate
  readonly group?: readonly Expression[]
  readonly having?: Predicate
  readonly columns: readonly Expression[]
  readonly distinct: boolean
  /** `nulls` overrides rule 2's "None first ascending" (Django's `nulls_first`/`nulls_last`). */
  readonly orderBy: readonly { readonly expression: Expression; readonly descending: boolean; readonly nulls?: 'first' | 'last' }[]
  readonly offset: number
  readonly limit?: number
}

/** One LEFT JOIN of a `Select`; joins are numbered by their place in `joins`. */
export interface Join {
  /** The join this one starts from; absent: the queried row. Always an earlier join. */
  readonly from?: number
  readonly relation: string
  /** Side of the `from` row in the relation. */
  readonly side: Side
}

/** `Count`, `Sum`, `Avg`, `Min`, `Max`. NULLs are skipped; `sum`/`avg`/`min`/`max` of nothing is NULL, `count` 0. */
export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max'

/** A value computed for a candidate (or a group, for aggregates). */
export type Expression =
  /** A field (or `id`) of the queried row, or of join `join`'s row (NULL when that row is NULL). */
  | { readonly kind: 'field'; readonly join?: number; readonly field: string; readonly transform?: Transform }
  /** `float`: a float whose value is integral (`4.0`), which a JS number cannot tell from the integer 4. */
  | { readonly kind: 'value'; readonly value: Scalar; readonly float?: true }
  /**
   * NULL when either side is NULL. Integers stay integers (`/` truncates
   * toward zero, as SQL divides integers); a float side makes a float, else a
   * decimal side a decimal.
   */
  | { readonly kind: 'arithmetic'; readonly op: '+' | '-' | '*' | '/'; readonly left: Expression; readonly right: Expression }
  /** Over a group's candidates for which `filter` holds; `argument` absent: count candidates (`COUNT(*)`). */
  | {
      readonly kind: 'aggregate'
      readonly fn: AggregateFunction
      readonly argument?: Expression
      readonly distinct: boolean
      readonly filter?: Predicate
    }

/** A boolean test of a candidate (or of a group, in `having`). */
export type Predicate =
  /** `left` compared by `lookup` (rule 6) with `right`: a list for `in` and `range`, a boolean value for `isnull`. */
  | { readonly kind: 'lookup'; readonly left: Expression; readonly lookup: Lookup; readonly right: Expression | readonly Scalar[] }
  | { readonly kind: 'and'; readonly items: readonly Predicate[] }
  | { readonly kind: 'or'; readonly items: readonly Predicate[] }
  | { readonly kind: 'not'; readonly item: Predicate }
  /**
   * Some row reached from the queried row along `path` satisfies `condition`
   * (its `field` is of the path's last model; absent: any row). With `join`,
   * the path's first step is the row of that join, not any related row
   * (Django ties an exclusion to a join the same `filter()` made).
   */
  | {
      readonly kind: 'exists'
      readonly path: readonly Hop[]
      readonly join?: number
      readonly condition?: Omit<Condition, 'via'>
    }

/** Where a newly inserted row is linked, for a related manager's `create()`. */
export interface Link {
  readonly relation: string
  /** Side of `ownerId`; the new row is on the other side. */
  readonly side: Side
  readonly ownerId: Key
}

/** Everything an adapter is asked to do. */
export type Operation =
  /** Insert one row; answer `inserted`. With `link`, also link it (nested create). */
  | { readonly kind: 'insert'; readonly model: string; readonly values: Readonly<Record<string, Scalar>>; readonly link?: Link }
  /** Update one row by id; answer `affected` (0 when it does not exist). */
  | { readonly kind: 'update'; readonly model: string; readonly id: Key; readonly values: Readonly<Record<string, Scalar>> }
  /** Answer `rows`. */
  | { readonly kind: 'select'; readonly query: Query }
  /** Answer `count`. */
  | { readonly kind: 'count'; readonly query: Query }
  /** Delete every distinct row the query matches, with their links; answer `affected` (rows of the model). */
  | { readonly kind: 'delete'; readonly query: Query }
  /** Link `id` (on `side`) with each of `targets` (distinct ids); existing links stay single. Answer `affected`. */
  | { readonly kind: 'add'; readonly relation: string; readonly side: Side; readonly id: Key; readonly targets: readonly Key[] }
  /** Unlink `id` from each of `targets`. Answer `affected`. */
  | { readonly kind: 'remove'; readonly relation: string; readonly side: Side; readonly id: Key; readonly targets: readonly Key[] }
  /** Make `targets` exactly the related set of `id`. Answer `affected`. */
  | { readonly kind: 'set'; readonly relation: string; readonly side: Side; readonly id: Key; readonly targets: readonly Key[] }
  /** Unlink everything from `id`. Answer `affected`. */
  | { readonly kind: 'clear'; readonly relation: string; readonly side: Side; readonly id: Key }
  /** Feature `queries`: answer `table`. */
  | { readonly kind: 'query'; readonly select: Select }

/** What `execute` answers; which kind belongs to which operation is listed on `Operation`. */
export type Result =
  | { readonly kind: 'inserted'; readonly id: Key }
  | { readonly kind: 'rows'; readonly rows: readonly Row[] }
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'affected'; readonly count: number }
  | { readonly kind: 'table'; readonly rows: readonly (readonly Scalar[])[] }

/** An open connection to one scratch database. */
export interface Adapter {
  /** Run one operation. Throwing, or answering the wrong kind, fails the case (`errored`). */
  execute(op: Operation): Promise<Result>
  /**
   * SQL statements issued so far (monotonic); the runner reports the difference per case.
   * Transaction control (BEGIN, COMMIT, SAVEPOINT…) is not counted, as Django's
   * `connection.queries` does not log it, so the counts compare with Django's.
   */
  queryCount?(): number
  /** Release everything, and drop the scratch database the adapter created. */
  close?(): Promise<void>
}

/** Options the runner passes to `open`. */
export interface OpenOptions {
  /** The document's models and relations. */
  readonly schema: Schema
  /**
   * Server URL from `--db` (`postgresql://…`, `mysql://…`), or undefined for
   * the adapter's embedded default. The adapter creates its own scratch
   * database there and must never write to one it did not create.
   */
  readonly db?: string
  /** Allow `db` to name a database that already exists (`--reuse-database`). */
  readonly reuseDatabase?: boolean
}

/** What an adapter module exports (as `default`). */
export interface AdapterFactory {
  /** Shown in reports, e.g. `prisma`. */
  readonly name: string
  /** What the adapter supports beyond the first contract. @default [] */
  readonly features?: readonly Feature[]
  /**
   * The schema this adapter can store, when fixed (a generated ORM client);
   * the runner compares it with the document's before opening and stops with
   * the difference. Omit it to accept any document (like the memory adapter).
   */
  readonly schema?: Schema
  /** Connect, create a scratch database, and return the adapter. */
  open(options: OpenOptions): Promise<Adapter>
}

/** Identity function that gives an adapter module its types. */
export function defineAdapter<T extends AdapterFactory>(factory: T): T {
  return factory
}
