// Usage: node read.mjs RUN_DIR
// Opens every .arrow file of a ServeLab run folder with Apache Arrow JS and prints, as JSON:
//   { "<table>": { "rows": n, "columns": [{ "name", "type", "nullable" }], "first": { column: value } } }
// Types print as Arrow JS names them (Int64, Float64, Utf8, Bool, List<Float64>). 64-bit integers are printed
// as strings, since JSON numbers cannot hold them all exactly.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node read.mjs RUN_DIR');
  process.exit(2);
}

const plain = (value) => {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && typeof value.toArray === 'function') return Array.from(value.toArray(), plain);
  return value;
};

const out = {};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.arrow')).sort()) {
  const table = tableFromIPC(readFileSync(join(dir, file)));
  const first = {};
  if (table.numRows > 0) {
    const row = table.get(0);
    for (const field of table.schema.fields) first[field.name] = plain(row[field.name]);
  }
  out[file.replace(/\.arrow$/, '')] = {
    rows: table.numRows,
    columns: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
    first,
  };
}
console.log(JSON.stringify(out, null, 2));
