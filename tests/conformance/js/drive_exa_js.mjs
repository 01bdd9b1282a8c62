// Drives every Websets endpoint through the official exa-js SDK against a served emulator.
// Usage: EMULATOR_URL=http://127.0.0.1:PORT EXA_API_KEY=test RECEIVER_URL=http://… node drive_exa_js.mjs
// Prints one JSON line {"calls": N, "operations": [...]} and exits 0, or throws (exit 1).
import assert from "node:assert/strict";
import Exa from "exa-js";

const base = process.env.EMULATOR_URL;
const exa = new Exa(process.env.EXA_API_KEY, base);
const operations = [];

async function call(name, promise) {
  const result = await promise;
  operations.push(name);
  return result;
}

async function advance(seconds) {
  const response = await fetch(`${base}/__emulator/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advance: seconds }),
  });
  assert.equal(response.status, 200);
}

const ws = exa.websets;

// Preview, with and without sample items.
const preview = await call("websets.preview", ws.preview({ search: { query: "Founders of fintechs" } }));
assert.equal(preview.search.entity.type, "person");
const sampled = await call(
  "websets.preview(search)",
  ws.preview({ search: { query: "Robotics startups" } }, { search: true }),
);
assert.ok(sampled.items.length > 0 && sampled.items.every((i) => i.id && i.createdAt));

// Webhooks first, so the lifecycle below is delivered to the receiver.
const hook = await call(
  "webhooks.create",
  ws.webhooks.create({ url: process.env.RECEIVER_URL, events: ["webset.created", "webset.idle"] }),
);
assert.ok(hook.secret);
assert.equal((await call("webhooks.get", ws.webhooks.get(hook.id))).secret, null);
assert.equal((await call("webhooks.list", ws.webhooks.list())).data.length, 1);

// Websets, searches, items, enrichments.
const webset = await call(
  "websets.create",
  ws.create(
    {
      externalId: "js-leads",
      search: { query: "AI startups in Berlin", count: 3 },
      enrichments: [{ description: "Name of the CEO" }],
      metadata: { owner: "js" },
    },
    { headers: { "x-exa-websets-priority": "high" } },
  ),
);
assert.equal(webset.status, "running");
assert.equal((await call("websets.get", ws.get("js-leads"))).id, webset.id);
await advance(30);
const expanded = await call("websets.get(expand)", ws.get(webset.id, ["items"]));
assert.equal(expanded.status, "idle");
assert.equal(expanded.items.length, 3);
assert.ok((await call("websets.list", ws.list({ limit: 10 }))).data.some((w) => w.id === webset.id));
const renamed = await call("websets.update", ws.update(webset.id, { title: "Berlin AI" }));
assert.equal(renamed.title, "Berlin AI");

const search = await call(
  "searches.create",
  ws.searches.create(
    webset.id,
    { query: "Robotics startups in Munich", count: 2, behavior: "append" },
    { headers: { "x-exa-websets-priority": "low" } },
  ),
);
assert.equal((await call("searches.get", ws.searches.get(webset.id, search.id))).id, search.id);
const canceledSearch = await call("searches.cancel", ws.searches.cancel(webset.id, search.id));
assert.equal(canceledSearch.status, "canceled");

const items = await call("items.list", ws.items.list(webset.id, { limit: 50 }));
assert.equal(items.data.length, 3);
assert.equal((await call("items.get", ws.items.get(webset.id, items.data[0].id))).id, items.data[0].id);
assert.equal(
  (await call("items.delete", ws.items.delete(webset.id, items.data[0].id))).id,
  items.data[0].id,
);

const enrichment = await call(
  "enrichments.create",
  ws.enrichments.create(webset.id, {
    description: "Funding stage",
    format: "options",
    options: [{ label: "Seed" }, { label: "Series A" }],
  }),
);
assert.equal((await call("enrichments.get", ws.enrichments.get(webset.id, enrichment.id))).id, enrichment.id);
await call(
  "enrichments.update",
  ws.enrichments.update(webset.id, enrichment.id, { description: "Latest funding stage" }),
);
assert.equal(
  (await ws.enrichments.get(webset.id, enrichment.id)).description,
  "Latest funding stage",
);
operations.push("enrichments.get");
assert.equal(
  (await call("enrichments.cancel", ws.enrichments.cancel(webset.id, enrichment.id))).status,
  "canceled",
);
await call("enrichments.delete", ws.enrichments.delete(webset.id, enrichment.id));

// Monitors and their runs.
const monitor = await call(
  "monitors.create",
  ws.monitors.create({
    websetId: webset.id,
    cadence: { cron: "0 9 * * *", timezone: "Etc/UTC" },
    behavior: { type: "search", config: { count: 1 } },
  }),
);
assert.equal((await call("monitors.get", ws.monitors.get(monitor.id))).id, monitor.id);
assert.equal((await call("monitors.list", ws.monitors.list({ websetId: webset.id }))).data.length, 1);
await advance(24 * 3600);
await advance(60); // the run started when the clock jumped; its search takes a moment
const runs = await call("monitors.runs.list", ws.monitors.runs.list(monitor.id));
assert.equal(runs.data.length, 1);
const run = await call("monitors.runs.get", ws.monitors.runs.get(monitor.id, runs.data[0].id));
assert.equal(run.status, "completed");
const paused = await call("monitors.update", ws.monitors.update(monitor.id, { status: "disabled" }));
assert.equal(paused.nextRunAt, null);
await call("monitors.delete", ws.monitors.delete(monitor.id));

// Imports, the two-step way and with the CSV handed to the SDK.
const pending = await call(
  "imports.create",
  ws.imports.create({ format: "csv", entity: { type: "company" }, title: "Accounts", size: 20, count: 1 }),
);
assert.ok(pending.uploadUrl);
const uploaded = await call(
  "imports.create(csv)",
  ws.imports.create(
    { title: "CRM", entity: { type: "company" } },
    "url\nhttps://a.example.com\nhttps://b.example.com\n",
  ),
);
assert.equal(uploaded.count, 2);
await advance(5);
assert.equal((await call("imports.get", ws.imports.get(uploaded.id))).status, "completed");
assert.equal((await call("imports.list", ws.imports.list())).data.length, 2);
const retitled = await call("imports.update", ws.imports.update(uploaded.id, { title: "CRM 2" }));
assert.equal(retitled.title, "CRM 2");
await call("imports.delete", ws.imports.delete(pending.id));

// Events and the webhook's attempts.
const events = await call("events.list", ws.events.list({ types: ["webset.created", "webset.idle"] }));
// Idle each time its work ended: after the first search, the enrichment, the monitor's run.
assert.deepEqual([...new Set(events.data.map((e) => e.type))].sort(), ["webset.created", "webset.idle"]);
assert.equal((await call("events.get", ws.events.get(events.data[0].id))).id, events.data[0].id);
const attempts = await call("webhooks.listAttempts", ws.webhooks.listAttempts(hook.id));
assert.equal(attempts.data.length, events.data.length);
assert.ok(attempts.data.every((a) => a.successful));
const retargeted = await call(
  "webhooks.update",
  ws.webhooks.update(hook.id, { metadata: { team: "js" } }),
);
assert.deepEqual(retargeted.metadata, { team: "js" });
await call("webhooks.delete", ws.webhooks.delete(hook.id));

// Cancel and delete last.
assert.equal((await call("websets.cancel", ws.cancel(webset.id))).id, webset.id);
assert.equal((await call("websets.delete", ws.delete(webset.id))).id, webset.id);
await assert.rejects(ws.get(webset.id), (error) => error.statusCode === 404);
operations.push("websets.get(404)");

console.log(JSON.stringify({ calls: operations.length, operations }));
