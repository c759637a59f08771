// Reads every Parquet table of a ruleatlas output folder with DuckDB (an independent
// Parquet reader) and prints "<table> <rows>" lines, then the column types
// of rules.parquet. Usage: node duckdb-check.mjs OUT_DIR
import { readdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
const dir = process.argv[2];
const names = readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => f.slice(0, -8)).sort();
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
for (const t of names) {
  const r = await c.runAndReadAll(`select count(*) from read_parquet('${dir}/${t}.parquet')`);
  console.log(t, String(r.getRows()[0][0]));
}
const d = await c.runAndReadAll(`describe select * from read_parquet('${dir}/rules.parquet')`);
console.log('rules-types', d.getRows().map((x) => x[0] + ':' + x[1]).join(' '));
