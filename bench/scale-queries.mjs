// The data-scale queries, as contract operations (through the adapter) and as hand-written SQL.
const science = {
  negated: false,
  conditions: [{ via: { relation: 'Article.publications', side: 'forward' }, field: 'title', lookup: 'startswith', value: 'Pub 000' }]
}
const base = { model: 'Article', distinct: false, orderBy: [{ field: 'headline', descending: false }], offset: 0 }

export const QUERIES = {
  duplicates: { kind: 'select', query: { ...base, filters: [science] } },
  distinct: { kind: 'select', query: { ...base, filters: [science], distinct: true } },
  count: { kind: 'count', query: { ...base, filters: [science] } },
  exclude: {
    kind: 'select',
    query: {
      ...base,
      filters: [
        {
          negated: true,
          conditions: [{ via: { relation: 'Article.publications', side: 'forward' }, field: 'id', lookup: 'exact', value: 1 }]
        }
      ]
    }
  }
}

const join = `FROM "Article" a JOIN "_ArticleToPublication" j ON j."A" = a.id JOIN "Publication" p ON p.id = j."B"`
const order = 'ORDER BY a.headline, a.id'
/** `prefix`: the database's case-sensitive prefix match (Django's startswith). */
const make = (prefix) => ({
  duplicates: `SELECT a.id, a.headline ${join} WHERE ${prefix} ${order}`,
  distinct: `SELECT DISTINCT a.id, a.headline ${join} WHERE ${prefix} ${order}`,
  count: `SELECT COUNT(*) AS count ${join} WHERE ${prefix}`,
  exclude: `SELECT a.id, a.headline FROM "Article" a WHERE NOT EXISTS (SELECT 1 FROM "_ArticleToPublication" j WHERE j."A" = a.id AND j."B" = 1) ${order}`
})
export const SQL = { sqlite: make(`p.title GLOB 'Pub 000*'`), postgresql: make(`p.title LIKE 'Pub 000%'`) }
