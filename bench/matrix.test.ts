// The matrix is CI's real-database gate: it must not go green on a database it
// could not reach (under CI=true) or on documents an adapter could not run.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { availableTargets } from '../adapters/servers.js'

const matrix = (args: string[], env: Record<string, string | undefined>) => {
  const out = mkdtempSync(join(tmpdir(), 'ormconf-matrix-'))
  try {
    const r = spawnSync(process.execPath, ['bench/matrix.mjs', '--doc', 'spec/many-to-many.md', '--out', out, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env }
    })
    return { status: r.status, text: r.stdout + r.stderr }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

test('a row that ran: exit 0 and its totals', () => {
  const r = matrix(['--only', 'memory'], {})
  assert.is(r.status, 0, r.text)
  assert.match(r.text, /^matrix totals: 89 passed, 0 failed$/m)
})

test('under CI=true an unreachable database fails the matrix; elsewhere it is a skipped row', () => {
  const gone = { PG_URL: 'postgresql://postgres@127.0.0.1:1' }
  const ci = matrix(['--only', 'prisma:postgresql'], { ...gone, CI: 'true' })
  assert.is(ci.status, 1, ci.text)
  assert.match(ci.text, /CI=true requires every database: prisma on postgresql/)
  const local = matrix(['--only', 'prisma:postgresql'], { ...gone, CI: undefined })
  assert.is(local.status, 0, local.text)
  assert.match(local.text, /skipped: no server at postgresql:\/\/postgres@127\.0\.0\.1:1/)
})

test('a server that answers but where the adapter cannot open counts as a failure, not a note', async () => {
  const pg = (await availableTargets()).find((t) => t.name === 'postgresql')
  if (!pg?.url) return console.log('  (skipped: no PostgreSQL server)')
  const url = new URL(pg.url)
  url.username = 'ormconf_no_such_role'
  const r = matrix(['--only', 'prisma:postgresql'], { PG_URL: url.href, CI: undefined })
  assert.is(r.status, 1, r.text)
  assert.match(r.text, /could not run: prisma on postgresql: spec\/many-to-many\.md: .*could not open/)
  assert.match(r.text, /^matrix totals: 0 passed, 1 failed$/m)
})

test.run()
