#!/usr/bin/env node
// parquet-duckdb.js: DuckDB as the independent Parquet implementation for
// tests/bats/parquet.bats and bench/parquet-*.sh.
//
//   node parquet-duckdb.js read FILE          rows as canonical JSON lines
//   node parquet-duckdb.js copy OUT SQL OPTS  COPY (SQL) TO OUT (FORMAT parquet, OPTS)
//   node parquet-duckdb.js meta FILE          codec/encodings per column chunk
//   node parquet-duckdb.js time FILE COLS N   best of N single-thread scans
//
// The canonical JSON matches pq-tool's: no spaces, fields in order, lists
// as arrays, maps as [{"key","value"}], integers exact, doubles in
// JavaScript's shortest form ("NaN"/"Infinity" as strings), blobs as hex,
// timestamps and dates as their raw integers.
'use strict';
const duckdb = require('@duckdb/node-api');

function canon(v) {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'string': return JSON.stringify(v);
    case 'number':
      if (Number.isNaN(v)) return '"NaN"';
      if (v === Infinity) return '"Infinity"';
      if (v === -Infinity) return '"-Infinity"';
      return Object.is(v, -0) ? '0' : String(v);
  }
  if (v instanceof duckdb.DuckDBListValue || v instanceof duckdb.DuckDBArrayValue)
    return '[' + v.items.map(canon).join(',') + ']';
  if (v instanceof duckdb.DuckDBStructValue)
    return '{' + Object.entries(v.entries).map(([k, x]) => JSON.stringify(k) + ':' + canon(x)).join(',') + '}';
  if (v instanceof duckdb.DuckDBMapValue)
    return '[' + v.entries.map((e) => '{"key":' + canon(e.key) + ',"value":' + canon(e.value) + '}').join(',') + ']';
  if (v instanceof duckdb.DuckDBBlobValue)
    return '"' + Buffer.from(v.bytes).toString('hex') + '"';
  if (v instanceof duckdb.DuckDBTimestampNanosecondsValue) return v.nanos.toString();
  if (v instanceof duckdb.DuckDBTimestampMillisecondsValue) return v.millis.toString();
  if (v instanceof duckdb.DuckDBTimestampValue || v instanceof duckdb.DuckDBTimestampTZValue)
    return v.micros.toString();
  if (v instanceof duckdb.DuckDBDateValue) return String(v.days);
  throw new Error('no canonical form for ' + v.constructor.name);
}

// scanTime sums the timing of the profile's parquet scan operators.
function scanTime(node) {
  let t = 0;
  const name = String(node.operator_name || node.operator_type || '');
  if (/PARQUET|TABLE_SCAN/.test(name)) t += Number(node.operator_timing || 0);
  for (const ch of node.children || []) t += scanTime(ch);
  return t;
}

async function connect() {
  const inst = await duckdb.DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run('SET threads=1');
  return c;
}

function q(s) { return "'" + s.replace(/'/g, "''") + "'"; }

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  const c = await connect();
  if (cmd === 'read') {
    const r = await c.runAndReadAll(`SELECT * FROM read_parquet(${q(args[0])})`);
    const names = r.columnNames();
    const out = [];
    for (const row of r.getRows())
      out.push('{' + row.map((v, i) => JSON.stringify(names[i]) + ':' + canon(v)).join(',') + '}');
    process.stdout.write(out.length ? out.join('\n') + '\n' : '');
  } else if (cmd === 'copy') {
    await c.run(`COPY (${args[1]}) TO ${q(args[0])} (FORMAT parquet${args[2] ? ', ' + args[2] : ''})`);
  } else if (cmd === 'meta') {
    const r = await c.runAndReadAll(`SELECT row_group_id, path_in_schema, compression, encodings
      FROM parquet_metadata(${q(args[0])}) ORDER BY row_group_id, column_id`);
    for (const [rg, path, codec, encs] of r.getRowsJS())
      console.log([rg, path.split(', ').join('.'), codec, encs.split(', ').join(',')].join(' '));
  } else if (cmd === 'time') {
    // Best of N runs of a scan that touches every value of the columns:
    // prints the whole query's seconds and the parquet scan operator's
    // (from DuckDB's JSON profile), best of each.
    const cols = args[1].split(',');
    const sql = `SELECT ${cols.map((x) => `max(${x})`).join(', ')} FROM read_parquet(${q(args[0])})`;
    const prof = require('os').tmpdir() + '/parquet-duckdb-' + process.pid + '.json';
    await c.run(`SET enable_profiling='json'`);
    await c.run(`SET profiling_output=${q(prof)}`);
    let best = Infinity, bestScan = Infinity;
    for (let i = 0; i < Number(args[2] || 3); i++) {
      const t = process.hrtime.bigint();
      await c.runAndReadAll(sql);
      const dt = Number(process.hrtime.bigint() - t) / 1e9;
      const scan = scanTime(JSON.parse(require('fs').readFileSync(prof, 'utf8')));
      if (dt < best) best = dt;
      if (scan < bestScan) bestScan = scan;
    }
    require('fs').unlinkSync(prof);
    console.log(best.toFixed(6) + ' ' + bestScan.toFixed(6));
  } else {
    console.error('usage: parquet-duckdb.js read FILE | copy OUT SQL [OPTS] | meta FILE | time FILE COLS [N]');
    process.exit(2);
  }
}

main().catch((e) => { console.error('parquet-duckdb.js: ' + e.message); process.exit(1); });
