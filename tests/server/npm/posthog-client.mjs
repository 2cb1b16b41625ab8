// posthog-client.mjs
//
// Copyright 2026 The JourneyMapper authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Sends three messages through the real PostHog Node.js SDK (posthog-node) to a JourneyMapper
// listener, the way an existing PostHog integration would once its host is pointed there:
//
//   node posthog-client.mjs URL API_KEY
//
// The messages (tests/server/test-npm-clients.c checks that exactly these arrive):
//   capture  uuid 018f2a4e-5c1d-7a00-8000-00000000c001, npm-posthog-user-1, "Plan Selected"
//   identify npm-posthog-user-1 with person properties name and plan
//   alias    npm-posthog-anon-1 becomes npm-posthog-user-1
//
// The SDK posts them as one POST /batch/ with the key as `api_key` in the body. Exits 0 when
// the SDK reports every message sent, 1 when any delivery failed, 2 on bad usage. The
// package is found through NODE_PATH (CommonJS resolution, hence createRequire).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const [url, apiKey] = process.argv.slice(2);
if (!url || !apiKey) {
  console.error('usage: node posthog-client.mjs URL API_KEY');
  process.exit(2);
}

const { PostHog } = require('posthog-node');

const client = new PostHog(apiKey, {
  host: url.replace(/\/+$/, ''),
  flushAt: 3,
  flushInterval: 10000,
  fetchRetryCount: 2,
  fetchRetryDelay: 200,
  requestTimeout: 10000,
});

const failures = [];
let sent = 0;

client.on('error', (err) => {
  failures.push(err?.message ?? String(err));
});
// Emitted with the messages of each batch the listener acknowledged.
client.on('flush', (messages) => {
  sent += messages.length;
});

client.capture({
  distinctId: 'npm-posthog-user-1',
  event: 'Plan Selected',
  properties: { plan: 'team', seats: 5 },
  uuid: '018f2a4e-5c1d-7a00-8000-00000000c001',
  timestamp: new Date('2026-03-02T09:00:00Z'),
});

client.identify({
  distinctId: 'npm-posthog-user-1',
  properties: { name: 'Grace', plan: 'team' },
});

client.alias({
  distinctId: 'npm-posthog-user-1',
  alias: 'npm-posthog-anon-1',
});

await client.shutdown(30000);

if (failures.length > 0 || sent !== 3) {
  console.error(`posthog-client: ${sent} of 3 messages sent`);
  for (const f of failures) {
    console.error(`posthog-client: ${f}`);
  }
  process.exit(1);
}
console.log('posthog-client: 3 of 3 messages sent');
