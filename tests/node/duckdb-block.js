// duckdb-block.js SRC_BLOCK_DIR DST_BLOCK_DIR [v1|v2|v1-nostats|v1-empty]: rewrites a block's
// data.parquet with DuckDB (snappy pages, its own dictionary and, with v2,
// delta encodings and version 2 pages; every field OPTIONAL, lists in
// DuckDB's convention, small row groups) and writes the block's other
// objects to match, by Tempo's rules: the bloom shards are copied (same
// trace IDs), the index holds each new row group's last trace ID, and
// meta.json gets the new size, footer size and row-group count (and no
// values filter, which Tempo does not write).  So
// tempo-get meets a block whose Parquet file it did not write.
"use strict";
const fs = require("fs");
const path = require("path");
const { DuckDBInstance } = require(path.join(__dirname, "node_modules/@duckdb/node-api"));

(async () => {
	const [src, dst, version = "v1"] = process.argv.slice(2);
	fs.mkdirSync(dst, { recursive: true });
	const out = path.join(dst, "data.parquet");
	const db = await DuckDBInstance.create(":memory:");
	const c = await db.connect();
	const v2 = version === "v2" ? ", PARQUET_VERSION V2" : "";
	// v1-nostats: without the trace-level ServiceStats, which other
	// writers may leave out.  v1-empty: every resource gets one more
	// scope, without spans (entries of the span columns that are no
	// span), which other writers may keep.
	const cols = version === "v1-nostats" ? "* EXCLUDE (ServiceStats)" :
	    version === "v1-empty" ? `* REPLACE (list_transform(rs, r ->
	    struct_update(r, ss := list_append(r.ss, struct_update(r.ss[1],
	    Spans := [][1:0])))) AS rs)` : "*";
	await c.run(`COPY (SELECT ${cols} FROM read_parquet('${path.join(src, "data.parquet")}')
	    ORDER BY TraceID) TO '${out}' (FORMAT parquet, COMPRESSION snappy,
	    ROW_GROUP_SIZE 2048${v2})`);
	// The last (largest) trace ID of each row group, in row-group order.
	const r = await c.runAndReadAll(`SELECT row_group_id, stats_max_value
	    FROM parquet_metadata('${out}') WHERE path_in_schema = 'TraceID'
	    ORDER BY row_group_id`);
	const rows = r.getRows();
	const ids = [];
	for (const [, max] of rows) {
		// DuckDB prints BLOB statistics with \xNN escapes for non-ASCII.
		const bytes = [];
		for (let i = 0; i < max.length; ) {
			if (max[i] === "\\" && max[i + 1] === "x") {
				bytes.push(parseInt(max.substr(i + 2, 2), 16));
				i += 4;
			} else {
				bytes.push(max.charCodeAt(i));
				i += 1;
			}
		}
		if (bytes.length !== 16)
			throw new Error(`row group max of ${bytes.length} bytes`);
		ids.push(Buffer.from(bytes).toString("base64"));
	}
	fs.writeFileSync(path.join(dst, "index"), JSON.stringify({ rowGroups: ids }));
	for (const f of fs.readdirSync(src))
		if (f.startsWith("bloom-"))
			fs.copyFileSync(path.join(src, f), path.join(dst, f));
	const data = fs.readFileSync(out);
	const meta = JSON.parse(fs.readFileSync(path.join(src, "meta.json")));
	meta.size = data.length;
	meta.footerSize = data.readUInt32LE(data.length - 8);
	meta.totalRecords = rows.length;
	delete meta.valuesSize;		// Tempo writes no values filter
	fs.writeFileSync(path.join(dst, "meta.json"), JSON.stringify(meta));
	console.log(rows.length);
})().catch((e) => { console.error(`duckdb-block.js: ${e.message}`); process.exit(1); });
