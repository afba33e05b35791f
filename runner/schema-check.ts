/**
 * Does an adapter's fixed schema (e.g. a generated ORM client) store what a
 * document's models need? Each difference is named. Ordering is not
 * compared: every query carries its ordering explicitly.
 */
import type { Feature, Schema } from '../adapters/contract.js'
import type { Place } from './errors.js'
import type { Models } from './parse/models.js'

/** The first thing a document's models need that the adapter does not declare, with where and why. */
export function missingFeatures(
  models: Models,
  features: readonly Feature[]
): { feature: Feature; why: string; place: Place | undefined } | undefined {
  const has = new Set(features)
  for (const m of models.schema.models) {
    const pk = m.primaryKey
    if (pk && !pk.auto && !has.has('primary-keys')) {
      return {
        feature: 'primary-keys',
        why: `${m.name}.${pk.name} is its own primary key (${pk.type})`,
        place: models.places.get(`${m.name}.${pk.name}`)
      }
    }
    for (const f of m.fields) {
      if (['float', 'decimal', 'date', 'datetime', 'time'].includes(f.type) && !has.has('field-types')) {
        return { feature: 'field-types', why: `${m.name}.${f.name} is a ${f.type} field`, place: models.places.get(`${m.name}.${f.name}`) }
      }
    }
  }
  for (const r of models.schema.relations) {
    if (r.source === r.target && !has.has('self-relations')) {
      return { feature: 'self-relations', why: `${r.name} relates ${r.source} to itself`, place: models.places.get(r.name) }
    }
  }
  return undefined
}

/** What the wider QuerySet API looks like in a statement: Django's expression names or its methods. */
const WIDER_API =
  /\bfrom\s+django\.db\.models\s+import\b.*?\b(Q|F|Count|Sum|Avg|Min|Max|Prefetch)\b|\.(annotate|aggregate|prefetch_related)\s*\(/

/**
 * The first example that uses the wider QuerySet API (feature `queries`)
 * when the adapter does not declare it: the document is refused in one line
 * instead of erroring case after case.
 */
export function missingQueries(
  examples: readonly { readonly source: string; readonly place: Place }[],
  features: readonly Feature[]
): { feature: Feature; why: string; place: Place } | undefined {
  if (features.includes('queries')) return undefined
  for (const ex of examples) {
    const m = WIDER_API.exec(ex.source)
    if (m) return { feature: 'queries', why: `it uses ${m[1] ? `${m[1]} from django.db.models` : `${m[2]}()`}`, place: ex.place }
  }
  return undefined
}

export function compareSchemas(doc: Schema, adapter: Schema): string[] {
  const problems: string[] = []
  for (const m of doc.models) {
    const a = adapter.models.find((x) => x.name === m.name)
    if (!a) {
      problems.push(`model ${m.name} is missing from the adapter`)
      continue
    }
    for (const f of m.fields) {
      const af = a.fields.find((x) => x.name === f.name)
      if (!af) problems.push(`field ${m.name}.${f.name} is missing from the adapter`)
      else if (af.type !== f.type) problems.push(`field ${m.name}.${f.name} is ${f.type} in the document but ${af.type} in the adapter`)
    }
  }
  for (const r of doc.relations) {
    const a = adapter.relations.find((x) => x.name === r.name)
    if (!a) problems.push(`relation ${r.name} is missing from the adapter`)
    else if (a.target !== r.target) problems.push(`relation ${r.name} points at ${r.target} in the document but ${a.target} in the adapter`)
  }
  return problems
}
