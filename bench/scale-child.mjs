// One data-scale query in its own process (peak memory per query).
// usage: node bench/scale-child.mjs <sqlite|postgresql> <db url or file> <prisma|sql> <query name>

import { schema } from '../dist/adapters/contract-suite.js'
import prisma from '../dist/adapters/prisma/index.js'
import { QUERIES, SQL } from './scale-queries.mjs'

const [provider, url, via, name] = process.argv.slice(2)
const times = []
let rows = 0
if (via === 'prisma') {
  const db = await prisma.open({ schema, db: url, reuseDatabase: true })
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    const r = await db.execute(QUERIES[name])
    times.push(performance.now() - t)
    rows = r.kind === 'rows' ? r.rows.length : r.count
  }
  await db.close()
} else if (provider === 'sqlite') {
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(url.slice('file:'.length), { readonly: true })
  const stmt = db.prepare(SQL.sqlite[name])
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    const r = name === 'count' ? [stmt.get()] : stmt.all()
    times.push(performance.now() - t)
    rows = name === 'count' ? Object.values(r[0])[0] : r.length
  }
  db.close()
} else {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    const r = await client.query(SQL.postgresql[name])
    times.push(performance.now() - t)
    rows = name === 'count' ? Number(r.rows[0].count) : r.rows.length
  }
  await client.end()
}
times.sort((a, b) => a - b)
console.log(JSON.stringify({ ms: times[1], rows, maxRssMB: process.resourceUsage().maxRSS / 1024 }))
