/**
 * One error type for every problem with the kit's input: a document that
 * cannot be parsed, an unknown adapter, a schema mismatch. It always carries
 * a place, so the CLI can print `file:line:column: reason` and exit 2.
 */

/** Where something is in a document. Lines and columns are 1-based. */
export interface Place {
  readonly file: string
  readonly line: number
  readonly column: number
}

/** The pipeline stage that found the problem. */
export type Stage = 'read' | 'parse' | 'language' | 'schema' | 'adapter' | 'options'

export class KitError extends Error {
  readonly stage: Stage
  readonly place: Place | undefined

  constructor(stage: Stage, reason: string, place?: Place) {
    super(reason)
    this.name = 'KitError'
    this.stage = stage
    this.place = place
  }

  /** `file:line:column: reason`, the one line the CLI prints. */
  format(): string {
    const p = this.place
    return p ? `${p.file}:${p.line}:${p.column}: ${this.message}` : this.message
  }
}

/** Build a `KitError` at a place (mirrors sqllogictest's `kind.at(loc)`). */
export function at(stage: Stage, reason: string, place?: Place): KitError {
  return new KitError(stage, reason, place)
}

/** A thrown value as text, whatever it is (a getter that throws, an object without a prototype). */
export function thrownMessage(e: unknown): string {
  try {
    const m = e !== null && typeof e === 'object' ? (e as { message?: unknown }).message : undefined
    if (typeof m === 'string') return m
    if (e !== null && typeof e === 'object')
      return `a thrown ${Object.prototype.toString.call(e).slice(8, -1)} without a message: ${safeJson(e)}`
    return String(e)
  } catch {
    return 'a thrown value whose message cannot be read'
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? 'undefined'
  } catch {
    return '(not printable)'
  }
}
