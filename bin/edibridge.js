#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` via prepare).
// The process's memory policy comes first (src/cli/memory.ts).
import('../dist/cli/memory.js')
  .then((memory) => memory.capHeapGrowth())
  .then(() => import('../dist/cli/main.js'))
  .then((m) => m.main(process.argv.slice(2)))
  .then(
    (code) => { process.exitCode = code; },
    (err) => { console.error(err); process.exitCode = 2; },
  );
