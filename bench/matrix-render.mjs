// Rendering of the conformance matrix: Markdown for the README, and one
// self-contained XHTML page (inline CSS, no scripts, no network).

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const bad = (s) => s.failed + s.errored + s.unexpectedPasses

export function renderMarkdown(rows, docs) {
  const lines = [
    '# Conformance of known ORMs',
    '',
    `Documents: ${docs.join(', ')}. Expected failures are document errata and the adapter's baseline, each with its reason.`,
    '',
    '| adapter | database | passed | failed | expected failures | notes |',
    '| --- | --- | ---: | ---: | ---: | --- |'
  ]
  for (const r of rows) {
    if (r.skipped) lines.push(`| ${r.adapter} | ${r.database} | – | – | – | skipped: ${r.skipped} |`)
    else
      lines.push(
        `| ${r.adapter} | ${r.database} | ${r.summary.passed} | ${bad(r.summary)} | ${r.summary.expectedFailures} | ${[r.baseline ? `baseline \`${r.baseline}\`` : '', ...(r.notes ?? [])].filter(Boolean).join('; ')} |`
      )
  }
  const failing = rows.filter((r) => r.failing?.length)
  for (const r of failing) {
    lines.push('', `## ${r.adapter} on ${r.database}`, '')
    for (const c of r.failing)
      lines.push(
        `- \`${c.file}:${c.line}\` (${c.status}) \`${c.source.replace(/`/g, "'")}\`: expected \`${c.expected.trim().slice(0, 120).replace(/`/g, "'") || '(nothing)'}\`, got \`${c.actual.trim().slice(0, 120).replace(/`/g, "'") || '(nothing)'}\``
      )
  }
  return lines.join('\n') + '\n'
}

export function renderHtml(rows, docs) {
  const body = rows
    .map((r) =>
      r.skipped
        ? `<tr class="skipped" data-row="${esc(`${r.adapter}|${r.database}`)}"><td>${esc(r.adapter)}</td><td>${esc(r.database)}</td><td colspan="3">skipped</td><td>${esc(r.skipped)}</td></tr>`
        : `<tr class="${bad(r.summary) ? 'red' : 'green'}" data-row="${esc(`${r.adapter}|${r.database}`)}"><td>${esc(r.adapter)}</td><td>${esc(r.database)}</td><td class="passed">${r.summary.passed}</td><td class="failed">${bad(r.summary)}</td><td class="expected">${r.summary.expectedFailures}</td><td>${esc([r.baseline ? `baseline ${r.baseline}` : '', ...(r.notes ?? [])].filter(Boolean).join('; '))}</td></tr>`
    )
    .join('\n')
  const details = rows
    .filter((r) => r.failing?.length)
    .map(
      (r) =>
        `<h2>${esc(r.adapter)} on ${esc(r.database)}</h2>\n<table><tr><th>case</th><th>status</th><th>statement</th><th>expected</th><th>actual</th></tr>\n${r.failing.map((c) => `<tr><td>${esc(c.file)}:${c.line}</td><td>${esc(c.status)}</td><td><code>${esc(c.source)}</code></td><td><pre>${esc(c.expected)}</pre></td><td><pre>${esc(c.actual)}</pre></td></tr>`).join('\n')}</table>`
    )
    .join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/><title>orm-conformance matrix</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}tr.green td{background:#eaf7ea}tr.red td{background:#fbeaea}tr.skipped td{color:#777}pre{margin:0;white-space:pre-wrap;max-width:40em}</style></head>
<body><h1>Conformance of known ORMs</h1><p>Documents: ${esc(docs.join(', '))}.</p>
<table id="matrix"><tr><th>adapter</th><th>database</th><th>passed</th><th>failed</th><th>expected failures</th><th>notes</th></tr>
${body}
</table>
${details}
</body></html>
`
}

/** Counts per row, read back from the HTML (adapter|database -> [passed, failed, expected]). */
export function countsInHtml(html) {
  const out = new Map()
  for (const m of html.matchAll(
    /<tr class="(?:green|red)" data-row="([^"]+)">.*?<td class="passed">(\d+)<\/td><td class="failed">(\d+)<\/td><td class="expected">(\d+)<\/td>/g
  )) {
    out.set(m[1].replace(/&amp;/g, '&'), [Number(m[2]), Number(m[3]), Number(m[4])])
  }
  return out
}
