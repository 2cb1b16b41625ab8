// directly-follows.mjs
//
// Copyright 2026 The JourneyMapper authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The reference point of bench-analysis: DuckDB computing the directly-follows counts of
// the journey graph (DESIGN §5: each pair of consecutive events of a unit, self-loops
// included, plus the virtual START→first and last→END edges) with LEAD and GROUP BY.
//
//   node directly-follows.mjs load EVENTS.csv DB   load (unit, seq, name) into a database file
//   node directly-follows.mjs cold DB              open the file in this fresh process, query once
//   node directly-follows.mjs hot DB               open it, query 5 times, report the best
//
// Prints one JSON line: {"ms":…,"edges":…,"transitions":…} (load: {"ms":…,"rows":…}).
// The package is found in the node_modules folder named by JM_BENCH_NODE_MODULES (build-aux/bench
// installs it into the build folder), else the usual way.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.JM_BENCH_NODE_MODULES;
const entry = modules
  ? createRequire (join (modules, 'resolve.js')).resolve ('@duckdb/node-api')
  : '@duckdb/node-api';
const { DuckDBInstance } = await import (modules ? pathToFileURL (entry).href : entry);

const QUERY = `
  WITH t AS (
    SELECT name,
           lead(name) OVER (PARTITION BY unit ORDER BY seq) AS next,
           lag(name) OVER (PARTITION BY unit ORDER BY seq) AS previous
    FROM events)
  SELECT source, target, count(*) AS n FROM (
    SELECT name AS source, coalesce(next, 'END') AS target FROM t
    UNION ALL
    SELECT 'START' AS source, name AS target FROM t WHERE previous IS NULL)
  GROUP BY source, target`;

async function query (connection) {
  const began = performance.now ();
  const reader = await connection.runAndReadAll (QUERY);
  const rows = reader.getRows ();
  const ms = performance.now () - began;
  let transitions = 0n;

  for (const row of rows)
    transitions += BigInt (row[2]);
  return { ms, edges: rows.length, transitions: Number (transitions) };
}

const [mode, ...args] = process.argv.slice (2);

if (mode === 'load' && args.length === 2) {
  const [csv, file] = args;
  const began = performance.now ();
  const instance = await DuckDBInstance.create (file);
  const connection = await instance.connect ();
  const quoted = csv.replaceAll ("'", "''");

  await connection.run (`CREATE OR REPLACE TABLE events AS SELECT * FROM read_csv('${quoted}', ` +
                        `header = true, columns = {'unit': 'UINTEGER', 'seq': 'UINTEGER', ` +
                        `'name': 'VARCHAR'})`);
  const count = await connection.runAndReadAll ('SELECT count(*) FROM events');
  console.log (JSON.stringify ({ ms: performance.now () - began,
                                 rows: Number (count.getRows ()[0][0]) }));
} else if ((mode === 'cold' || mode === 'hot') && args.length === 1) {
  const began = performance.now ();
  const instance = await DuckDBInstance.create (args[0]);
  const connection = await instance.connect ();
  let result = await query (connection);

  if (mode === 'cold')
    result.ms = performance.now () - began;
  else
    for (let i = 0; i < 4; i++) {
      const again = await query (connection);
      if (again.ms < result.ms)
        result = again;
    }
  console.log (JSON.stringify (result));
} else {
  console.error ('usage: directly-follows.mjs load EVENTS.csv DB | cold DB | hot DB');
  process.exit (2);
}
