/**
 * Does an adapter's fixed schema (e.g. a generated ORM client) store what a
 * document's models need? Each difference is named. Ordering is not
 * compared: every query carries its ordering explicitly.
 */
import type { Schema } from '../adapters/contract.js'

export function compareSchemas(doc: Schema, adapter: Schema): string[] {
  const problems: string[] = []
  for (const m of doc.models) {
    const a = adapter.models.find((x) => x.name === m.name)
    if (!a) { problems.push(`model ${m.name} is missing from the adapter`); continue }
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
