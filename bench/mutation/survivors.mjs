#!/usr/bin/env node
// Mutation-test a few files and print what survives, for working on one file
// at a time: `node bench/mutation/survivors.mjs runner/present/repr.ts [more
// files] [--concurrency N]`. Uses the configuration of `npm run mutation`
// with its own temporary folder and report (reports/survivors-<hash>.json), so
// runs for different files can go side by side; bench/mutation.md is left alone.
// A document that fails without any mutant (a draft being written) is left
// out, with a message, instead of stopping the run.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'

const args = process.argv.slice(2)
const at = args.indexOf('--concurrency')
const concurrency = at >= 0 ? Number(args.splice(at, 2)[1]) : 1
const files = args
if (!files.length) {
  console.error('usage: node bench/mutation/survivors.mjs FILE... [--concurrency N]')
  process.exit(2)
}
const tag = createHash('sha256').update(files.join('\0')).digest('hex').slice(0, 8)
const config = JSON.parse(readFileSync('bench/mutation/stryker.config.json', 'utf8'))
const report = `reports/survivors-${tag}.json`
const own = {
  ...config,
  $schema: undefined,
  mutate: files,
  concurrency,
  reporters: ['json'],
  jsonReporter: { fileName: report },
  tempDirName: `.stryker-tmp-${tag}`
}
const configFile = `reports/survivors-${tag}.config.json`
writeFileSync(configFile, JSON.stringify(own, null, 2))
const check = spawnSync(process.execPath, ['--import', 'tsx', 'bench/mutation/passing-documents.mts'], { encoding: 'utf8' })
if (check.status !== 0) {
  process.stderr.write(check.stderr)
  process.exit(1)
}
const { passing, failing } = JSON.parse(check.stdout)
for (const f of failing) console.log(`left out ${f.file}: ${f.why} (fails without mutants)`)
const run = spawnSync('npx', ['stryker', 'run', configFile, '--logLevel', 'error'], {
  stdio: 'inherit',
  env: { ...process.env, ORMCONF_MUTATION_DOCS: passing.join(',') }
})
if (run.status !== 0) process.exit(run.status ?? 1)

const result = JSON.parse(readFileSync(report, 'utf8'))
for (const [file, data] of Object.entries(result.files)) {
  const lines = data.source.split('\n')
  const count = {}
  for (const m of data.mutants) count[m.status] = (count[m.status] ?? 0) + 1
  const killed = (count.Killed ?? 0) + (count.Timeout ?? 0)
  const valid = killed + (count.Survived ?? 0) + (count.NoCoverage ?? 0)
  console.log(`${file}: ${killed} of ${valid} killed (${((100 * killed) / valid).toFixed(1)} %), ${count.Ignored ?? 0} marked equivalent`)
  for (const m of data.mutants.sort((a, b) => a.location.start.line - b.location.start.line)) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue
    const line = lines[m.location.start.line - 1]?.trim() ?? ''
    const replacement = (m.replacement ?? '').replace(/\n/g, ' ').slice(0, 60)
    console.log(
      `  ${file}:${m.location.start.line}:${m.location.start.column + 1} ${m.status === 'NoCoverage' ? 'unreached' : 'survived'} ${m.mutatorName} -> ${replacement}    | ${line.slice(0, 90)}`
    )
  }
}
