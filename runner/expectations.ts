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
  const entries = list(readJson(file), 'errata', 'errata file must be {"errata": [{"id", "says", "correct", "why"}]}', file)
  return new Map(entries.map((e, i) => [text(e, 'id', file, i), `document erratum: ${text(e, 'why', file, i)}`]))
}

/** One entry of a baseline: the case, why it fails, and (optionally) its document. */
export interface BaselineEntry {
  readonly id: string
  readonly reason: string
  /** The document the case is in, as the run names it: only then can a stale entry be told apart from one of a document not run. */
  readonly document?: string
}

/** Baseline file: `{"expectedFailures": [{"id", "reason", "document"?}]}`. Every entry needs its reason. */
export function loadBaselineEntries(file: string): BaselineEntry[] {
  const entries = list(readJson(file), 'expectedFailures', 'baseline must be {"expectedFailures": [{"id", "reason"}]}', file)
  return entries.map((e, i) => {
    const document = (e as { document?: unknown }).document
    if (document !== undefined && typeof document !== 'string')
      throw at('options', `baseline entry ${i + 1}: "document" must be a string`, { file, line: 1, column: 1 })
    return { id: text(e, 'id', file, i), reason: text(e, 'reason', file, i), ...(document !== undefined ? { document } : {}) }
  })
}

export function loadBaseline(file: string): Expectations {
  return new Map(loadBaselineEntries(file).map((e) => [e.id, e.reason]))
}

function list(data: unknown, key: string, shape: string, file: string): object[] {
  const items = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined
  if (!Array.isArray(items)) throw at('options', shape, { file, line: 1, column: 1 })
  items.forEach((e, i) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e))
      throw at('options', `entry ${i + 1} of "${key}" is not an object (${JSON.stringify(e)})`, { file, line: 1, column: 1 })
  })
  return items as object[]
}

function text(entry: object, key: string, file: string, i: number): string {
  const v = (entry as Record<string, unknown>)[key]
  if (typeof v !== 'string' || v.trim() === '')
    throw at('options', `entry ${i + 1} needs a non-empty "${key}" string`, { file, line: 1, column: 1 })
  return v
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
