/**
 * Stable case ids: the section's slug, the slug of the prose before the
 * block, and a short hash of the statement and how many identical statements
 * came before it under the same prose. Editing another part of the document
 * leaves an id unchanged.
 */
import { hash as digest } from 'node:crypto'

/** `Hello, World!` -> `hello-world` (at most `max` characters). */
export function slug(text: string, max = 48): string {
  const s = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return (s.length > max ? s.slice(0, max).replace(/-[^-]*$/, '') : s) || 'document'
}

/** The slugs of the last section and prose: a block's examples share them. */
let last = { section: '', context: '', prefix: `${slug('', 32)}/${slug('', 40)}` }

export function caseId(section: string, context: string, source: string, nth: number): string {
  // One-shot digest: a quarter of createHash's cost, the same SHA-1 (ids in baselines do not move).
  const hash = digest('sha1', `${context}\n${source}\n${nth}`, 'hex').slice(0, 7)
  if (last.section !== section || last.context !== context) last = { section, context, prefix: `${slug(section, 32)}/${slug(context, 40)}` }
  // Flat, not a rope of prefix and hash: ids live as long as the run (String#normalize flattens).
  return `${last.prefix}-${hash}`.normalize()
}
