/**
 * Text from an adapter, made safe for a report: clipped to a size a report
 * can carry, and (for terminals) with control characters made visible.
 */

/** Longest `expected`, `actual` or `reason` a report carries. */
export const MAX_REPORTED_CHARS = 64 * 1024

/** `text` cut at 64 KiB (UTF-16 code units), with a visible `…[truncated N chars]` marker. */
export function clip(text: string, max = MAX_REPORTED_CHARS): string {
  if (text.length <= max) return text
  let end = max
  // Do not split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--
  return `${text.slice(0, end)}…[truncated ${text.length - end} chars]`
}

/**
 * Control characters (ANSI escape sequences from an adapter's message or
 * output) as `\x1b`-style escapes, so they cannot recolour, move the cursor
 * or clear a terminal. Newlines and tabs stay.
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
