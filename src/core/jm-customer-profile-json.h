/* jm-customer-profile-json.h
 *
 * Copyright 2026 The JourneyMapper authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "jm-store.h"
#include "jm-table.h"

G_BEGIN_DECLS

/* One customer's profile as `customers show --format json` and GET /api/v1/customers/{id}
 * give it (DESIGN §12): {"customer_id","first_seen","last_seen","traits","anonymous_ids",
 * "sessions","events":[{"ts","type","name","session","touch"}]}. Times are ISO-8601 UTC;
 * `traits` is {} when the customer has none; `name` and `session` are null for events that
 * are not journey steps.
 */
JsonNode *jm_customer_profile_to_json  (const JmCustomerProfile *profile);

/* A list of customers (JmCustomer*) as `customers list --format json` gives it:
 * {"customers":[{"customer_id","first_seen","last_seen","events","traits"}]}.
 */
JsonNode *jm_customers_to_json         (GPtrArray               *customers);

/* The timeline as a table (`--format csv`): ts, type, name, session, touch. */
JmTable  *jm_customer_profile_to_table (const JmCustomerProfile *profile);

G_END_DECLS
