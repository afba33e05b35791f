#!/usr/bin/env node --import tsx
// The worked example beside the generator: renders the seed document's models
// (spec/many-to-many.md) into prisma/<provider>/schema.prisma and the
// migration prisma/migrations/<provider>/0001_init/migration.sql, with the
// same functions the Prisma adapter uses for any document
// (adapters/prisma/schema.ts). `--check` exits 1 when a committed file differs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { type Provider, renderMigration, renderPrismaSchema } from '../adapters/prisma/schema.js'
import { readDocument } from '../runner/parse/document.js'

export const PROVIDERS: readonly Provider[] = ['sqlite', 'postgresql', 'mysql']

/** Every file of the worked example, path -> text. */
export async function seedFiles(): Promise<Map<string, string>> {
  const { schema } = (await readDocument('spec/many-to-many.md')).models
  const files = new Map<string, string>()
  for (const p of PROVIDERS) {
    files.set(`prisma/${p}/schema.prisma`, renderPrismaSchema(schema, p, `../../node_modules/.cache/orm-conformance/seed-${p}`))
    files.set(`prisma/migrations/${p}/0001_init/migration.sql`, renderMigration(schema, p))
  }
  return files
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const [path, text] of await seedFiles()) {
    if (check) {
      let now = ''
      try {
        now = readFileSync(path, 'utf8')
      } catch {
        /* missing */
      }
      if (now !== text) {
        console.log(`stale: ${path}`)
        stale++
      }
      continue
    }
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  }
  if (stale) process.exit(1)
  console.log(check ? 'prisma/: the worked example is current' : 'prisma/: wrote the worked example for spec/many-to-many.md')
}
