/**
 * Known failures: document errata shipped beside a spec
 * (`spec/name.errata.json`) and an adapter's baseline (`--baseline file`).
 * Both map case ids to a reason; a listed case that fails is an
 * `expected-failure`, one that passes is an `unexpected-pass` (the run fails,
 * so lists stay tight).
 */
import { existsSync, readFileSync } from 'node:fs'
import { at } from './errors.js'

/** id -> reason. */
export type Expectations = ReadonlyMap<string, string>

/** An erratum: the document says one thing, correct semantics give another. */
export interface Erratum {
  readonly id: string
  readonly says: string
  readonly correct: string
  readonly why: string
}

/** `spec/x.md` -> `spec/x.errata.json`. */
export function errataPath(documentPath: string): string {
  return documentPath.replace(/\.(md|markdown)$/i, '') + '.errata.json'
}

export function loadErrata(documentPath: string): Expectations {
  const file = errataPath(documentPath)
  if (!existsSync(file)) return new Map()
  const data = readJson(file) as { errata?: Erratum[] }
  if (!Array.isArray(data.errata)) throw at('options', 'errata file must be {"errata": [{"id", "says", "correct", "why"}]}', { file, line: 1, column: 1 })
  return new Map(data.errata.map((e) => [e.id, `document erratum: ${e.why}`]))
}

/** Baseline file: `{"expectedFailures": [{"id", "reason"}]}`. */
export function loadBaseline(file: string): Expectations {
  const data = readJson(file) as { expectedFailures?: { id: string; reason: string }[] }
  if (!Array.isArray(data.expectedFailures)) throw at('options', 'baseline must be {"expectedFailures": [{"id", "reason"}]}', { file, line: 1, column: 1 })
  return new Map(data.expectedFailures.map((e) => [e.id, e.reason]))
}

function readJson(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw at('options', 'no such file', { file, line: 1, column: 1 })
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw at('options', `not valid JSON (${(e as Error).message})`, { file, line: 1, column: 1 })
  }
}

export function merge(...lists: Expectations[]): Expectations {
  return new Map(lists.flatMap((l) => [...l]))
}
