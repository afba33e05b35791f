#!/usr/bin/env node
// reports/mutation.json (Stryker) -> bench/mutation.md: the score the
// documents reach over the contract's rules and the interpreter's Django
// rules, and every surviving mutant. An equivalent mutant is marked where it
// lives, `// Stryker disable next-line <Mutator>: <reason>`, so the mark
// moves with the code; Stryker reports it as ignored, with the reason, and it
// is listed but not counted. `--check` exits 1 when bench/mutation.md was
// made from other sources than the ones in the tree (a stale score).
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'

const config = JSON.parse(readFileSync('bench/mutation/stryker.config.json', 'utf8'))

/** What the score depends on besides the mutated files and the documents: the suite that kills the rest. */
const SUITE = 'adapters/contract-suite.ts'

/** One hash over what the score depends on: the mutated files, the spec documents and the contract suite. */
export function sourcesHash() {
  const hash = createHash('sha256')
  const files = [...config.mutate, ...readdirSpec(), ...(existsSync(SUITE) ? [SUITE] : [])].sort()
  for (const f of files) hash.update(f).update('\0').update(readFileSync(f)).update('\0')
  return hash.digest('hex').slice(0, 16)
}

function readdirSpec() {
  return readdirSync('spec')
    .filter((f) => f.endsWith('.md') || f.endsWith('.errata.json'))
    .map((f) => `spec/${f}`)
}

if (process.argv.includes('--check')) {
  const text = readFileSync('bench/mutation.md', 'utf8')
  const recorded = /sources ([0-9a-f]{16})/.exec(text)?.[1]
  const now = sourcesHash()
  if (recorded !== now) {
    console.log(`bench/mutation.md is stale (made from sources ${recorded}, the tree has ${now}): run npm run mutation`)
    process.exit(1)
  }
  console.log(`bench/mutation.md is current (sources ${now})`)
  process.exit(0)
}

const report = JSON.parse(readFileSync('reports/mutation.json', 'utf8'))
// Mutants the documents let through (documents.mts records them): killed only by the contract suite, if at all.
const passedDocuments = new Set(
  existsSync('reports/mutation-killers.tsv')
    ? readFileSync('reports/mutation-killers.tsv', 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0])
    : []
)
const measuredSuite = existsSync('reports/mutation-killers.tsv')
let suiteKilled = 0
const note = process.argv.find((a) => a.startsWith('--note='))?.slice('--note='.length)
const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, Equivalent: 0 }
const survivors = []
const equivalent = []
/** A Markdown table cell holding code. */
const cell = (text, width) => `\`${(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, width)}\``
const perFile = []
for (const [file, data] of Object.entries(report.files).sort()) {
  const f = { file, killed: 0, total: 0 }
  for (const m of data.mutants) {
    let status = m.status
    // Killed after the documents passed: the contract suite's kill, not the documents'.
    const bySuite = (status === 'Killed' || status === 'Timeout') && passedDocuments.has(String(m.id))
    if (bySuite) {
      status = 'Survived'
      suiteKilled++
    }
    if (status === 'Ignored') {
      status = 'Equivalent'
      equivalent.push(
        `| ${file}:${m.location.start.line} | ${m.mutatorName} | ${cell(m.replacement, 40)} | ${(m.statusReason ?? '').replace(/\|/g, '\\|')} |`
      )
    }
    counts[status] = (counts[status] ?? 0) + 1
    if (status === 'Killed' || status === 'Timeout') f.killed++
    if (status === 'Killed' || status === 'Timeout' || status === 'Survived' || status === 'NoCoverage') f.total++
    if (status === 'Survived' || status === 'NoCoverage') {
      const line = data.source.split('\n')[m.location.start.line - 1]?.trim() ?? ''
      survivors.push(
        `| ${file}:${m.location.start.line} | ${bySuite ? 'yes' : measuredSuite ? 'no' : '?'} | ${m.status === 'NoCoverage' ? 'no' : 'yes'} | ${m.mutatorName} | ${cell(m.replacement, 60)} | ${cell(line, 70)} |`
      )
    }
  }
  perFile.push(f)
}
const detected = counts.Killed + counts.Timeout
const valid = detected + counts.Survived + counts.NoCoverage
const pct = (n, d) => (d ? ((100 * n) / d).toFixed(1) : '0.0')
const lines = [
  '# Mutation score of the documents',
  '',
  `Made by \`npm run mutation\` (StrykerJS; \`bench/mutation/documents-runner.mjs\` runs every spec document through the memory adapter in one process, a document per test) from sources ${sourcesHash()}, ${new Date().toISOString().slice(0, 10)}.`,
  '`node bench/mutation/report.mjs --check` tells whether it was made from the sources in the tree (CI runs the check; the run itself takes about 8 minutes on two cores).',
  ...(note ? ['', note] : []),
  '',
  `**Score: ${pct(detected, valid)} %** — ${detected} of ${valid} mutants killed by the documents alone` +
    ` (${counts.Equivalent} marked equivalent in the sources, not counted; ${counts.CompileError} compile errors, ${counts.RuntimeError} runtime errors).`,
  '',
  measuredSuite
    ? `**With the contract suite added: ${pct(detected + suiteKilled, valid)} %** — ${suiteKilled} more killed by \`adapters/contract-suite.ts\` on the memory adapter.`
    : 'With the contract suite added: not measured (reports/mutation-killers.tsv missing).',
  '',
  '| file | killed | of | score |',
  '| --- | ---: | ---: | ---: |',
  ...perFile.map((f) => `| ${f.file} | ${f.killed} | ${f.total} | ${pct(f.killed, f.total)} % |`),
  '',
  `## Survivors (${survivors.length})`,
  '',
  'Column "suite": whether the contract suite (memory adapter) kills it; "reached": whether any document or the suite runs its code.',
  '',
  '| where | suite | reached | mutator | replacement | line |',
  '| --- | --- | --- | --- | --- | --- |',
  ...survivors,
  '',
  `## Equivalent (${equivalent.length})`,
  '',
  'Marked in the sources with `// Stryker disable next-line <Mutator>: <reason>`.',
  '',
  '| where | mutator | replacement | reason |',
  '| --- | --- | --- | --- |',
  ...equivalent,
  ''
]
writeFileSync('bench/mutation.md', lines.join('\n'))
console.log(
  `mutation score ${pct(detected, valid)} % (${detected}/${valid}), with the contract suite ${pct(detected + suiteKilled, valid)} %, ${survivors.length} survivors -> bench/mutation.md`
)
