// segment-client.mjs
//
// Copyright 2026 The JourneyMapper authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Sends three messages through the real Segment Node.js SDK (@segment/analytics-node) to a
// JourneyMapper listener, the way an existing Segment integration would once its host is
// pointed there:
//
//   node segment-client.mjs URL WRITE_KEY
//
// The messages (tests/server/test-npm-clients.c checks that exactly these arrive):
//   track     npm-segment-track-1     anonymous npm-segment-anon-1, "Product Viewed"
//   identify  npm-segment-identify-1  user npm-segment-user-1 + anonymous npm-segment-anon-1
//   page      npm-segment-page-1      user npm-segment-user-1, path /pricing
//
// The SDK batches them into one POST /v1/batch with the write key as HTTP Basic user. Exits 0
// when the SDK reports every message delivered, 1 when any delivery failed, 2 on bad usage.
// The packages are found through NODE_PATH (CommonJS resolution, hence createRequire).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const [url, writeKey] = process.argv.slice(2);
if (!url || !writeKey) {
  console.error('usage: node segment-client.mjs URL WRITE_KEY');
  process.exit(2);
}

const { Analytics } = require('@segment/analytics-node');

const analytics = new Analytics({
  writeKey,
  host: url.replace(/\/+$/, ''),
  path: '/v1/batch',
  // All three in one batch: the listener must stitch within one transaction.
  flushAt: 3,
  flushInterval: 10000,
  maxRetries: 2,
  httpRequestTimeout: 10000,
});

const failures = [];
let delivered = 0;

analytics.on('error', (err) => {
  failures.push(`${err.code}: ${err.reason?.message ?? err.reason}`);
});

// Called once per message when the SDK is done with it: with an error when it gave up.
function done(messageId) {
  return (err) => {
    if (err) {
      failures.push(`${messageId}: ${err.message ?? err}`);
    } else {
      delivered++;
    }
  };
}

// The anonymous visit comes first; the identify in the same batch must give it to the user.
analytics.track({
  messageId: 'npm-segment-track-1',
  anonymousId: 'npm-segment-anon-1',
  event: 'Product Viewed',
  properties: { sku: 'SKU-42', price: 19.5 },
  timestamp: new Date('2026-03-01T10:00:00Z'),
}, done('npm-segment-track-1'));

analytics.identify({
  messageId: 'npm-segment-identify-1',
  userId: 'npm-segment-user-1',
  anonymousId: 'npm-segment-anon-1',
  traits: { plan: 'pro', company: 'Example Ltd' },
  timestamp: new Date('2026-03-01T10:00:05Z'),
}, done('npm-segment-identify-1'));

analytics.page({
  messageId: 'npm-segment-page-1',
  userId: 'npm-segment-user-1',
  name: 'Pricing',
  properties: { path: '/pricing', url: 'https://shop.example/pricing' },
  timestamp: new Date('2026-03-01T10:00:10Z'),
}, done('npm-segment-page-1'));

await analytics.closeAndFlush({ timeout: 30000 });

if (failures.length > 0 || delivered !== 3) {
  console.error(`segment-client: ${delivered} of 3 messages delivered`);
  for (const f of failures) {
    console.error(`segment-client: ${f}`);
  }
  process.exit(1);
}
console.log('segment-client: 3 of 3 messages delivered');
