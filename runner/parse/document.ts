/**
 * A Markdown document -> its models and examples. unified + remark-parse give
 * the mdast; `python` code blocks hold the models, `pycon` blocks the examples.
 * Each example gets its section (nearest heading), the prose before its block,
 * and a stable id.
 */
import { readFile } from 'node:fs/promises'
import type { Code, Heading, Nodes, Paragraph, Root } from 'mdast'
import { toString as textOf } from 'mdast-util-to-string'
import remarkParse from 'remark-parse'
import { unified } from 'unified'
import { at } from '../errors.js'
import { parseExamples, type RawExample } from './examples.js'
import { caseId } from './ids.js'
import { type Models, parseModels } from './models.js'

/** One executable case. */
export interface Example extends RawExample {
  /** Stable across edits elsewhere in the document: `section-slug/prose-slug-hash`. */
  readonly id: string
  /** Text of the nearest heading above. */
  readonly section: string
  /** The prose paragraph just before the example's block. */
  readonly context: string
}

export interface Document {
  readonly file: string
  readonly text: string
  readonly heading: string
  readonly models: Models
  readonly examples: readonly Example[]
}

const EXAMPLE_LANGS = new Set(['pycon', 'doctest', 'python-repl'])
const MAX_LINE = 100_000

/** Read and parse a document from disk. */
export async function readDocument(file: string): Promise<Document> {
  let buffer: Buffer
  try {
    buffer = await readFile(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw at(
      'read',
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a document' : `cannot read (${code ?? String(e)})`,
      { file, line: 1, column: 1 }
    )
  }
  if (buffer.includes(0)) throw at('read', 'not a text document (it contains NUL bytes)', { file, line: 1, column: 1 })
  const bad = invalidUtf8(buffer)
  if (bad >= 0) {
    const before = buffer.subarray(0, bad)
    const lineStart = before.lastIndexOf(0x0a) + 1
    const line = before.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 1)
    const column = [...before.subarray(lineStart).toString('utf8')].length + 1
    throw at('read', `invalid UTF-8 (byte offset ${bad})`, { file, line, column })
  }
  return parseDocument(buffer.toString('utf8'), file)
}

/** Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlongs, surrogates or values past U+10FFFF), or -1. */
export function invalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    const [n, lo, hi] =
      b >= 0xc2 && b <= 0xdf
        ? [1, 0x80, 0xbf]
        : b === 0xe0
          ? [2, 0xa0, 0xbf]
          : b === 0xed
            ? [2, 0x80, 0x9f]
            : b >= 0xe1 && b <= 0xef
              ? [2, 0x80, 0xbf]
              : b === 0xf0
                ? [3, 0x90, 0xbf]
                : b === 0xf4
                  ? [3, 0x80, 0x8f]
                  : b >= 0xf1 && b <= 0xf3
                    ? [3, 0x80, 0xbf]
                    : [0, 0, 0]
    if (n === 0) return i
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i
    }
    i += n + 1
  }
  return -1
}

/**
 * Parse a document's text. `file` is used for places and ids only. Line
 * endings are normalised to `\n` first (`\r\n` and a lone `\r`), as
 * Python's doctest reads files with universal newlines.
 */
export function parseDocument(source: string, file: string): Document {
  const text = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source
  const lines = text.split('\n')
  const long = lines.findIndex((l) => l.length > MAX_LINE)
  if (long >= 0) throw at('read', `line longer than ${MAX_LINE} characters`, { file, line: long + 1, column: MAX_LINE + 1 })
  if (text.trim() === '') throw at('read', 'the document is empty', { file, line: 1, column: 1 })

  // Example blocks are most of a document's lines; remark need not read them (see fastFences).
  const fast = fastFences(lines)
  const { masked, origin } = withoutFast(lines, fast)
  /** A line number of the text remark read -> the document's. */
  const real = (line: number): number => (origin[line - 1] ?? line - 1) + 1
  const tree = unified()
    .use(remarkParse)
    .parse(fast.length ? masked : text) as Root
  let heading = ''
  let section = ''
  let context = ''
  let models: Models | undefined
  const examples: Example[] = []
  const seen = new Map<string, Map<string, number>>()

  const visit = (node: Nodes): void => {
    if (node.type === 'heading') {
      section = textOf(node as Heading)
      if (!heading) heading = section
      context = ''
      return
    }
    if (node.type === 'paragraph') {
      context = textOf(node as Paragraph)
        .replace(/\s+/g, ' ')
        .trim()
      return
    }
    if (node.type === 'code') {
      code(node)
      return
    }
    if ('children' in node) for (const child of node.children) visit(child as Nodes)
  }

  const code = (node: Code): void => {
    const start = { line: real(node.position!.start.line), column: node.position!.start.column }
    const endLine = real(node.position!.end.line)
    const fenced = /^(?:\s*>)*\s*(`{3,}|~{3,})/.exec(lines[start.line - 1] ?? '') // `> ` of block quotes too
    if (fenced) checkClosed(start, endLine, fenced[1]!, lines, file)
    const firstLine = fenced ? start.line + 1 : start.line
    const lang = (node.lang ?? '').toLowerCase()
    if (lang === 'python' || lang === 'py') {
      if (!/^\s*class\s/m.test(node.value)) return
      if (models)
        throw at('schema', 'a second models block; put every model in one python block', { file, line: start.line, column: start.column })
      models = parseModels(node.value, file, firstLine)
      return
    }
    if (!EXAMPLE_LANGS.has(lang)) return
    const column = fenced ? start.column : start.column + 4
    add(parseExamples(node.value, file, firstLine, column))
  }

  /** Identical statements under the same section and prose are told apart by how many came before. */
  let counted = { section: '', context: '', seen: new Map<string, number>() }
  const add = (raws: ReturnType<typeof parseExamples>): void => {
    if (counted.section !== section || counted.context !== context) {
      const key = `${section}\0${context}`
      counted = { section, context, seen: seen.get(key) ?? new Map() }
      seen.set(key, counted.seen)
    }
    for (const raw of raws) {
      const nth = counted.seen.get(raw.source) ?? 0
      counted.seen.set(raw.source, nth + 1)
      // Written out, not spread: every example then shares one hidden class (a spread gave each its own, 30 % of the heap).
      const { source, want, excMsg, flags, place, wantLines, indent } = raw
      examples.push({ source, want, excMsg, flags, place, wantLines, indent, id: caseId(section, context, source, nth), section, context })
    }
  }
  const fastBlock = (f: FastFence): void => add(parseExamples(f.value, file, f.start + 2, 1))
  let next = 0
  for (const child of tree.children) {
    const line = real(child.position?.start.line ?? 1) - 1
    while (next < fast.length && fast[next]!.start < line) fastBlock(fast[next++]!)
    visit(child)
  }
  while (next < fast.length) fastBlock(fast[next++]!)
  if (examples.length === 0) {
    throw at('parse', "no examples: write them in ```pycon blocks, each statement after a '>>> ' prompt", { file, line: 1, column: 1 })
  }
  if (!models) {
    throw at('schema', 'no models block: define the models in a ```python block (class Name(models.Model): …)', examples[0]!.place)
  }
  return { file, text, heading, models, examples }
}

/** An example block remark need not read: found by `fastFences`, read here. */
interface FastFence {
  /** 0-based line of the opening fence; the closing fence is at `end`. */
  readonly start: number
  readonly end: number
  readonly lang: string
  readonly value: string
}

/**
 * The example blocks (```pycon …```) whose meaning no Markdown around them
 * can change: the fence at column 0 after a blank line or a heading, outside
 * any HTML block or other fence, and closed. Anything less plain is left to
 * remark. Only their lines are skipped: parsing stays CommonMark's.
 */
function fastFences(lines: readonly string[]): FastFence[] {
  const out: FastFence[] = []
  let fence: { char: string; length: number } | undefined
  let htmlEnd: RegExp | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line)
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined
      continue
    }
    if (htmlEnd) {
      if (htmlEnd.test(line)) htmlEnd = undefined
      continue
    }
    const html = /^ {0,3}<(!--|\?|![A-Za-z]|!\[CDATA\[|(?:script|pre|style|textarea)(?:\s|>|$))/i.exec(line)
    if (html) {
      const kind = html[1]!.toLowerCase()
      const end =
        kind === '!--'
          ? /-->/
          : kind === '?'
            ? /\?>/
            : kind.startsWith('![cdata[')
              ? /]]>/
              : kind.startsWith('!')
                ? />/
                : /<\/(script|pre|style|textarea)>/i
      if (!end.test(line.slice(html[0].length))) htmlEnd = end
      continue
    }
    const open = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line)
    if (!open) continue
    const [, indent, marks, info] = open
    if (marks![0] === '`' && info!.includes('`')) continue
    const lang = info!.trim().split(/\s+/)[0] ?? ''
    const plainBefore = i === 0 || lines[i - 1]!.trim() === '' || /^ {0,3}#{1,6}(\s|$)/.test(lines[i - 1]!)
    let end = -1
    for (let j = i + 1; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!)
      if (close && close[1]![0] === marks![0] && close[1]!.length >= marks!.length) {
        end = j
        break
      }
    }
    if (end < 0) {
      fence = { char: marks![0]!, length: marks!.length }
      continue
    }
    if (indent === '' && plainBefore && EXAMPLE_LANGS.has(lang.toLowerCase())) {
      out.push({ start: i, end, lang, value: lines.slice(i + 1, end).join('\n') })
    }
    i = end
  }
  return out
}

/** The document without the fast blocks (each one blank line), and each remaining line's index in the document. */
function withoutFast(lines: readonly string[], fast: readonly FastFence[]): { masked: string; origin: number[] } {
  const kept: string[] = []
  const origin: number[] = []
  let from = 0
  for (const f of fast) {
    for (let i = from; i < f.start; i++) {
      kept.push(lines[i]!)
      origin.push(i)
    }
    kept.push('')
    origin.push(f.start)
    from = f.end + 1
  }
  for (let i = from; i < lines.length; i++) {
    kept.push(lines[i]!)
    origin.push(i)
  }
  return { masked: kept.join('\n'), origin }
}

/** CommonMark lets a fence run to the end of the document; for a spec that is always a mistake. */
function checkClosed(
  start: { line: number; column: number },
  endLine: number,
  fence: string,
  lines: readonly string[],
  file: string
): void {
  const last = (lines[endLine - 1] ?? '').replace(/^(?:\s*>)*/, '').trim()
  const closes = last.startsWith(fence[0]!.repeat(fence.length)) && /^(`+|~+)$/.test(last)
  if (endLine === start.line || !closes) {
    throw at('parse', `unterminated code fence (opened here with ${fence}, never closed)`, { file, line: start.line, column: start.column })
  }
}
