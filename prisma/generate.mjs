#!/usr/bin/env node
// Renders schema.template.prisma for each provider and generates its client.
// Offline: the CLI looks for its native schema engine first, which cannot be
// downloaded here; generation itself runs on WebAssembly, so any executable
// stands in for the engine (see README, "Prisma offline").
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const PROVIDERS = ['sqlite', 'postgresql', 'mysql']
const here = dirname(fileURLToPath(import.meta.url))

/** The schema text for one provider. */
export function render(provider) {
  return readFileSync(join(here, 'schema.template.prisma'), 'utf8').replaceAll('{{provider}}', provider)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const prisma = join(here, '..', 'node_modules', 'prisma', 'build', 'index.js')
  for (const provider of PROVIDERS) {
    const file = join(here, provider, 'schema.prisma')
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, render(provider))
    execFileSync(process.execPath, [prisma, 'generate', '--schema', file], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' }
    })
  }
  console.log(`generated Prisma clients for ${PROVIDERS.join(', ')}`)
}
