// sankey-runner.mjs
//
// Copyright 2026 The JourneyMapper authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Lays out one graph with d3-sankey for bench-layout and prints the positions and the time,
// so that the benchmark counts d3-sankey's crossings with the same counter as ours.
//
//   node sankey-runner.mjs PREFIX GRAPH.json WIDTH HEIGHT NODE_WIDTH NODE_PADDING RUNS
//
// PREFIX is the folder whose node_modules holds d3-sankey (npm install --prefix PREFIX).
// GRAPH.json is d3-sankey's shape, {"nodes":[{"name"}],"links":[{"source","target","value"}]}
// with node indices. d3-sankey runs with the "left" alignment (a node's column is its depth,
// as in our layout) and its default 6 relaxation iterations. It mutates its input, so each run
// lays out a fresh copy; the time is the median over RUNS runs of the sankey() call alone.
// Output, one JSON document: {"time_ms","nodes":[{"layer","x0","x1","y0","y1","value"}],
// "links":[{"source","target","value","y0","y1","width"}]}.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [prefix, graphFile, width, height, nodeWidth, nodePadding, runs] = process.argv.slice(2);
if (runs === undefined) {
  process.stderr.write('usage: sankey-runner.mjs PREFIX GRAPH.json WIDTH HEIGHT ' +
                       'NODE_WIDTH NODE_PADDING RUNS\n');
  process.exit(2);
}

const require = createRequire(join(prefix, 'package.json'));
const { sankey, sankeyLeft } = require('d3-sankey');
const graph = JSON.parse(readFileSync(graphFile, 'utf8'));

const layout = sankey()
  .nodeAlign(sankeyLeft)
  .nodeWidth(Number(nodeWidth))
  .nodePadding(Number(nodePadding))
  .extent([[0, 0], [Number(width), Number(height)]]);

const times = [];
let result = null;
for (let i = 0; i < Math.max(1, Number(runs)); i++) {
  const copy = {
    nodes: graph.nodes.map((n) => ({ ...n })),
    links: graph.links.map((l) => ({ ...l })),
  };
  const start = performance.now();
  result = layout(copy);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const mid = times.length >> 1;
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;

process.stdout.write(JSON.stringify({
  time_ms: median,
  nodes: result.nodes.map((n) => ({
    layer: n.layer, x0: n.x0, x1: n.x1, y0: n.y0, y1: n.y1, value: n.value,
  })),
  links: result.links.map((l) => ({
    source: l.source.index, target: l.target.index, value: l.value,
    y0: l.y0, y1: l.y1, width: l.width,
  })),
}));
process.stdout.write('\n');
