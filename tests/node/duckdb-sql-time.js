#!/usr/bin/env node
// duckdb-sql-time.js: the best wall time of N runs of one SQL query in
// DuckDB with SET threads=1, and the first column of its first row, for
// bench/traceql-search.sh.
//
//   node duckdb-sql-time.js SQL [N]   prints "SECONDS VALUE"
'use strict';
const duckdb = require('@duckdb/node-api');

async function main() {
  const [sql, n = '3'] = process.argv.slice(2);
  if (!sql) {
    console.error('usage: duckdb-sql-time.js SQL [N]');
    process.exit(2);
  }
  const db = await duckdb.DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run('SET threads=1');
  let best = Infinity, value = null;
  for (let i = 0; i < Number(n); i++) {
    const t = process.hrtime.bigint();
    const r = await con.runAndReadAll(sql);
    const dt = Number(process.hrtime.bigint() - t) / 1e9;
    if (dt < best) best = dt;
    value = r.getRows()[0][0];
  }
  console.log(best.toFixed(6), String(value));
}
main().catch((e) => { console.error('duckdb-sql-time: ' + e.message); process.exit(1); });
