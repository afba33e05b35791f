#!/usr/bin/env node
// node bench/prisma-floor.mjs <client.mjs> <migration.sql> <trace.jsonl>
// Prisma alone, no kit: a fresh SQLite file with the document's tables, the
// cached client, and the Prisma calls the adapter made for the document
// (ORM_CONFORMANCE_PRISMA_TRACE) replayed in order. Process start to exit,
// this is the least any Prisma-backed run of the document can take here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--liftoff-only') // as bin/cli.js
const [module, migration, trace] = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'ormconf-floor-'))
try {
  const file = join(dir, 'db.sqlite')
  const [{ PrismaClient }, { PrismaBetterSqlite3 }, { default: Database }] = await Promise.all([
    import(pathToFileURL(module).href),
    import('@prisma/adapter-better-sqlite3'),
    import('better-sqlite3')
  ])
  const db = new Database(file)
  db.exec(readFileSync(migration, 'utf8'))
  db.close()
  const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) })
  let failed = 0
  for (const line of readFileSync(trace, 'utf8').trim().split('\n')) {
    const [delegate, method, args] = JSON.parse(line)
    // Some calls fail by design (a document's expected errors); they cost what they cost.
    await client[delegate][method](args).catch(() => failed++)
  }
  await client.$disconnect()
  if (process.env.FLOOR_VERBOSE) console.error(`${failed} calls failed`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
