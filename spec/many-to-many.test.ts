/**
 * spec/many-to-many.md must carry exactly the examples of Django's
 * "Many-to-many relationships" page (the reStructuredText seed): the same
 * statements, the same expected output, in the same groups, in the same order.
 *
 * Deliberately independent of the project's parser: both sides are read line
 * by line. In the RST, an example block is the indented text after a line
 * ending in `::`; in the Markdown, it is the text between a ```pycon fence and
 * the closing fence. Whitespace is normalised only at the edges of a line
 * (indentation and trailing blanks) and runs of blank lines count as one
 * group separator, so a change of one character in a statement or an expected
 * output line makes the test fail.
 *
 * The seed is read from $ORM_CONFORMANCE_SEED, else from ../shared/seed/
 * beside the repository (where CI puts shared/).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const here = dirname(fileURLToPath(import.meta.url))
const MD = join(here, 'many-to-many.md')
const SEED = process.env['ORM_CONFORMANCE_SEED'] ?? fileURLToPath(new URL('../../shared/seed/many_to_many.txt', import.meta.url))
const FLATTENED = SEED.replace(/\.txt$/, '.flattened.txt')
const EXPECTED_EXAMPLES = 89

/** One line of an example block, classified. */
type Item =
  | { readonly kind: 'block' } // start of a new example block
  | { readonly kind: 'gap' } // blank line(s) inside a block
  | { readonly kind: 'stmt'; readonly text: string } // `>>> ...`
  | { readonly kind: 'cont'; readonly text: string } // `... ` continuation of a statement
  | { readonly kind: 'out'; readonly text: string } // expected output

const render = (item: Item): string =>
  item.kind === 'block' ? '=== block' : item.kind === 'gap' ? '--- gap' : `${item.kind.padEnd(4)} ${item.text}`

/** Classify the (already dedented) lines of one block. */
function classify(lines: readonly string[]): Item[] {
  const items: Item[] = [{ kind: 'block' }]
  let inStatement = false
  let pendingGap = false
  for (const raw of lines) {
    const line = raw.replace(/[ \t\r]+$/, '')
    if (line === '') {
      inStatement = false
      pendingGap = true
      continue
    }
    if (pendingGap && items.length > 1) items.push({ kind: 'gap' })
    pendingGap = false
    if (line.startsWith('>>>')) {
      items.push({ kind: 'stmt', text: line })
      inStatement = true
    } else if (inStatement && (line === '...' || line.startsWith('... '))) {
      items.push({ kind: 'cont', text: line })
    } else {
      items.push({ kind: 'out', text: line })
      inStatement = false
    }
  }
  return items
}

/** Remove the common indentation of the non-blank lines. */
function dedent(lines: readonly string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ ]*/.exec(l)![0].length)
  const cut = indents.length ? Math.min(...indents) : 0
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(cut)))
}

/** RST: every literal block introduced by `::` that holds `>>>` examples. */
function fromRst(text: string): Item[] {
  const lines = text.split('\n')
  const items: Item[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\s+$/, '')
    // `text::` or a lone `::` opens a literal block; directives (`.. x:: arg`) do not end in `::`.
    if (!line.endsWith('::') || line.startsWith('..')) continue
    const block: string[] = []
    let j = i + 1
    while (j < lines.length && (lines[j]!.trim() === '' || /^[ \t]/.test(lines[j]!))) block.push(lines[j++]!)
    while (block.length && block[block.length - 1]!.trim() === '') block.pop()
    const body = dedent(block)
    if (body.some((l) => l.startsWith('>>>'))) items.push(...classify(body))
    i = j - 1
  }
  return items
}

/** Markdown: every ```pycon fenced block. */
function fromMarkdown(text: string): Item[] {
  const lines = text.split('\n')
  const items: Item[] = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^```pycon\s*$/.test(lines[i]!)) continue
    const block: string[] = []
    let j = i + 1
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) block.push(lines[j++]!)
    assert.ok(j < lines.length, `unclosed \`\`\`pycon fence opened at line ${i + 1}`)
    items.push(...classify(dedent(block)))
    i = j
  }
  return items
}

/** The `python` code block of each document. */
function rstPython(text: string): string {
  const lines = text.split('\n')
  const start = lines.findIndex((l) => l.startsWith('.. code-block:: python'))
  assert.ok(start >= 0, 'seed has no python code block')
  const block: string[] = []
  for (let j = start + 1; j < lines.length && (lines[j]!.trim() === '' || lines[j]!.startsWith(' ')); j++) block.push(lines[j]!)
  return dedent(block).join('\n').trim()
}

function mdPython(text: string): string {
  const m = /^```python\n([\s\S]*?)^```$/m.exec(text)
  assert.ok(m, 'document has no ```python block')
  return m[1]!.trim()
}

function seedText(): string {
  assert.ok(existsSync(SEED), `seed not found at ${SEED} (set ORM_CONFORMANCE_SEED to the RST of Django's many-to-many page)`)
  return readFileSync(SEED, 'utf8')
}

const md = readFileSync(MD, 'utf8')

test('the document has exactly 89 examples', () => {
  const statements = fromMarkdown(md).filter((i) => i.kind === 'stmt')
  assert.is(statements.length, EXPECTED_EXAMPLES)
  assert.is(md.split('\n').filter((l) => l.startsWith('>>>')).length, EXPECTED_EXAMPLES, '`>>>` lines outside pycon fences')
})

test('the seed has exactly 89 examples', () => {
  const seed = seedText()
  assert.is(fromRst(seed).filter((i) => i.kind === 'stmt').length, EXPECTED_EXAMPLES)
  assert.is(seed.split('\n').filter((l) => l.trimStart().startsWith('>>>')).length, EXPECTED_EXAMPLES)
})

test('statements, expected output and grouping are identical to the seed', () => {
  const want = fromRst(seedText()).map(render)
  const got = fromMarkdown(md).map(render)
  for (let k = 0; k < Math.max(want.length, got.length); k++) {
    // Report the first difference precisely, then compare the whole sequence.
    if (want[k] !== got[k]) {
      assert.fixture(got.slice(k, k + 3).join('\n'), want.slice(k, k + 3).join('\n'), `first difference at item ${k}`)
    }
  }
  assert.equal(got, want)
})

test('the models are exactly the seed code block', () => {
  assert.fixture(mdPython(md), rstPython(seedText()))
})

test('title and credit line', () => {
  const lines = md.split('\n')
  assert.is(lines[0], '# Many-to-many relationships')
  assert.ok(md.includes('https://docs.djangoproject.com/en/3.2/topics/db/examples/many_to_many/'), 'credit: source URL')
  assert.ok(md.includes('BSD-3-Clause'), 'credit: licence')
  assert.ok(md.includes('Django Software Foundation'), 'credit: copyright holder')
  assert.equal(lines.filter((l) => /^#{1,6} /.test(l)), ['# Many-to-many relationships'], 'the seed has no headings besides the title')
})

test('the seed itself is intact (matches its flattened copy)', () => {
  if (!existsSync(FLATTENED)) return
  const flattened = readFileSync(FLATTENED, 'utf8')
  assert.is(seedText().split('\n').map((l) => l.trim()).join(''), flattened)
})

test.run()
