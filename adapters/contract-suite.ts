/**
 * Contract tests any adapter can run on every database: join duplicates,
 * distinct, count, exclude, cascades, ids, idempotent add, case and wildcard
 * rules, code-point order, query counting. Known deviations are named per
 * database and skipped with a printed reason (they belong in the adapter's baseline).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Adapter, AdapterFactory, Filter, Key, Operation, Query, Result, Schema } from './contract.js'
import { availableTargets, type Target } from './servers.js'

/** The schema the suite uses (the seed document's models). */
export const schema: Schema = {
  models: [
    { name: 'Publication', fields: [{ name: 'title', type: 'string', maxLength: 30, nullable: false }], ordering: [{ field: 'title', descending: false }] },
    { name: 'Article', fields: [{ name: 'headline', type: 'string', maxLength: 100, nullable: false }], ordering: [{ field: 'headline', descending: false }] }
  ],
  relations: [{ name: 'Article.publications', source: 'Article', field: 'publications', target: 'Publication', reverseQueryName: 'article', reverseAccessor: 'article_set' }]
}

export interface SuiteOptions {
  /** Test names this adapter is known to fail on a database, with the reason. */
  readonly deviations?: (target: Target) => Readonly<Record<string, string>>
}

/** `run` an operation, or ask for just the `ids` a select returns or the `count`, asserting the answer's kind. */
export function asker(adapter: () => Adapter) {
  const run = (op: Operation): Promise<Result> => adapter().execute(op)
  const ids = async (query: Query): Promise<Key[]> => {
    const r = await run({ kind: 'select', query })
    if (r.kind !== 'rows') throw new Error(`select answered '${r.kind}'`)
    return r.rows.map((x) => x.id)
  }
  const count = async (query: Query): Promise<number> => {
    const r = await run({ kind: 'count', query })
    if (r.kind !== 'count') throw new Error(`count answered '${r.kind}'`)
    return r.count
  }
  return { run, ids, count }
}

export async function contractSuite(factory: AdapterFactory, options: SuiteOptions = {}): Promise<void> {
  for (const target of await availableTargets()) {
    const test = suite(`${factory.name} adapter on ${target.name}`)
    const known = options.deviations?.(target) ?? {}
    const it = (name: string, fn: () => Promise<void>) => {
      if (known[name]) {
        console.log(`  (${factory.name} on ${target.name}: skipping "${name}": ${known[name]})`)
        return
      }
      test(name, fn)
    }
    let db: Adapter
    const { run, ids, count } = asker(() => db)

    test.before.each(async () => {
      db = await factory.open({ schema, ...(target.url ? { db: target.url } : {}) })
      for (const title of ['Science News', 'Science Weekly', 'The Journal']) await run({ kind: 'insert', model: 'Publication', values: { title } })
      for (const headline of ['Alpha', 'Beta']) await run({ kind: 'insert', model: 'Article', values: { headline } })
      await run({ kind: 'add', relation: 'Article.publications', side: 'forward', id: 1, targets: [1, 2, 3] })
      await run({ kind: 'add', relation: 'Article.publications', side: 'reverse', id: 1, targets: [2] })
    })
    test.after.each(async () => {
      await db.close?.()
    })
    it('join duplicates, distinct, count, offset and limit after duplicates', async () => {
      const science = [f([{ via: viaPublications, field: 'title', lookup: 'startswith', value: 'Science' }])]
      assert.equal(await ids(q('Article', science)), [1, 1, 2])
      assert.equal(await ids(q('Article', science, { distinct: true })), [1, 2])
      assert.is(await count(q('Article', science)), 3)
      assert.is(await count(q('Article', science, { distinct: true })), 2)
      assert.equal(await ids(q('Article', science, { offset: 1, limit: 2 })), [1, 2])
    })

    it('exclude across the relation, from both sides', async () => {
      assert.equal(await ids(q('Article', [f([{ via: viaPublications, field: 'id', lookup: 'exact', value: 3 }], true)])), [2])
      assert.equal(await ids(q('Publication', [f([{ via: viaArticles, field: 'headline', lookup: 'exact', value: 'Beta' }], true)])), [2, 3])
    })

    it('cascade on delete from both sides and on bulk delete', async () => {
      await run({ kind: 'delete', query: q('Publication', [f([{ field: 'id', lookup: 'exact', value: 1 }])]) })
      assert.equal(await ids(q('Publication', [f([{ via: viaArticles, field: 'id', lookup: 'exact', value: 1 }])])), [2, 3])
      await run({ kind: 'delete', query: q('Article', [f([{ field: 'headline', lookup: 'startswith', value: 'B' }])]) })
      assert.equal(await ids(q('Publication', [f([{ via: viaArticles, field: 'id', lookup: 'isnull', value: true }])])), [])
      assert.equal(await ids(q('Article')), [1])
      await run({ kind: 'delete', query: q('Publication', [f([{ field: 'title', lookup: 'startswith', value: 'Science' }])]) })
      assert.equal(await ids(q('Article', [f([{ via: viaPublications, field: 'id', lookup: 'gt', value: 0 }])])), [1])
    })

    it('ids are never reused; add is idempotent; set, remove, clear', async () => {
      await run({ kind: 'delete', query: q('Publication', [f([{ field: 'id', lookup: 'exact', value: 3 }])]) })
      const r = await run({ kind: 'insert', model: 'Publication', values: { title: 'Again' } })
      assert.equal(r, { kind: 'inserted', id: 4 })
      await run({ kind: 'add', relation: 'Article.publications', side: 'forward', id: 2, targets: [1, 2] })
      assert.is(await count(q('Publication', [f([{ via: viaArticles, field: 'id', lookup: 'exact', value: 2 }])])), 2)
      await run({ kind: 'set', relation: 'Article.publications', side: 'forward', id: 1, targets: [4] })
      assert.equal(await ids(q('Publication', [f([{ via: viaArticles, field: 'id', lookup: 'exact', value: 1 }])])), [4])
      await run({ kind: 'clear', relation: 'Article.publications', side: 'reverse', id: 4 })
      assert.equal(await ids(q('Publication', [f([{ via: viaArticles, field: 'id', lookup: 'exact', value: 1 }])])), [])
    })

    it("case rules and literal wildcards, whatever the database's collation", async () => {
      for (const title of ['science lower', '50%_off', 'C:\\temp', 'École', "O'Brien \"x\""]) await run({ kind: 'insert', model: 'Publication', values: { title } })
      const by = (lookup: 'exact' | 'iexact' | 'startswith' | 'istartswith' | 'contains' | 'icontains' | 'endswith', value: string) =>
        ids(q('Publication', [f([{ field: 'title', lookup, value }])], { orderBy: [] }))
      assert.equal(await by('startswith', 'science'), [4])
      assert.equal(await by('istartswith', 'SCIENCE'), [1, 2, 4])
      assert.equal(await by('exact', 'science news'), [])
      assert.equal(await by('iexact', 'science news'), [1])
      assert.equal(await by('contains', '%_'), [5])
      assert.equal(await by('contains', 'n%'), [])
      assert.equal(await by('contains', '_'), [5])
      assert.equal(await by('contains', 'C:\\t'), [6])
      assert.equal(await by('istartswith', 'éCOLE'), [7])
      assert.equal(await by('startswith', 'école'), [])
      assert.equal(await by('endswith', '"x"'), [8])
    })

    it('strings order by code point', async () => {
      await run({ kind: 'insert', model: 'Publication', values: { title: 'apple' } })
      await run({ kind: 'insert', model: 'Publication', values: { title: 'Zebra' } })
      const r = await run({ kind: 'select', query: q('Publication') })
      assert.equal(r.kind === 'rows' && r.rows.map((x) => x.title), ['Science News', 'Science Weekly', 'The Journal', 'Zebra', 'apple'])
    })

    it('counts the SQL statements it issues', async () => {
      const before = db.queryCount!()
      await count(q('Article'))
      assert.ok(db.queryCount!() > before)
    })

    test.run()
  }
}

const q = (model: string, filters: Filter[] = [], extra: Partial<Query> = {}): Query => ({
  model, filters, distinct: false, orderBy: schema.models.find((m) => m.name === model)!.ordering, offset: 0, ...extra
})
const viaPublications = { relation: 'Article.publications', side: 'forward' as const }
const viaArticles = { relation: 'Article.publications', side: 'reverse' as const }
const f = (conditions: Filter['conditions'], negated = false): Filter => ({ negated, conditions })

