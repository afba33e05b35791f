// ORM_CONFORMANCE_PRISMA_TRACE: every Prisma call the adapter makes, one JSON line each,
// in order (the benchmark replays them through Prisma alone). Read when the module
// loads, so the adapter runs in a process of its own here.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const script = `
const { default: prisma } = await import('./adapters/prisma/index.ts')
const { schema } = await import('./adapters/contract-suite.ts')
const db = await prisma.open({ schema })
try {
  await db.execute({ kind: 'insert', model: 'Publication', values: { title: 'Science News' } })
  await db.execute({ kind: 'insert', model: 'Article', values: { headline: 'Alpha' } })
  await db.execute({ kind: 'add', relation: 'Article.publications', side: 'forward', id: 1, targets: [1] })
} finally {
  await db.close()
}`

test('each Prisma call is one JSON line, in order; without the variable nothing is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ormconf-trace-'))
  try {
    const file = join(dir, 'calls.jsonl')
    const run = (env: NodeJS.ProcessEnv) =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...env } })
    run({ ORM_CONFORMANCE_PRISMA_TRACE: file })
    const calls = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as [string, string, Record<string, unknown>])
    assert.equal(
      calls.map(([delegate, method]) => `${delegate}.${method}`),
      ['publication.create', 'article.create', 'article.update']
    )
    assert.equal(calls[0]![2]['data'], { title: 'Science News' })
    rmSync(file)
    run({ ORM_CONFORMANCE_PRISMA_TRACE: '' })
    assert.throws(() => readFileSync(file), /ENOENT/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
