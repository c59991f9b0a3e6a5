// Unit tests of the status bar count (Node 22.6+ strips the types: `npm run test:unit`).
import assert from "node:assert/strict";
import { test } from "node:test";

import { countFlows, type DiagnosticLike, statusText, statusTooltip } from "../../src/flows.ts";

const flow = (code: string, message = "Personal data is sent to a hosted LLM"): DiagnosticLike => ({
  source: "privacy-lens",
  code,
  message,
});

test("counts undeclared flows across files, not declared ones or other sources", () => {
  const counts = countFlows([
    [flow("PL101"), flow("PL105", "Personal data trains a model (declared by its data-use tag)")],
    [{ ...flow("PL103"), code: { value: "PL103" } }, { source: "pylint", code: "PL101", message: "x" }],
    [flow("PL202", "unknown tag key"), flow("PL203", "orphaned tag")],
    [],
  ]);
  assert.deepEqual(counts, { undeclared: 2, partiallyDeclared: 0, files: 2 });
});

test("stale tags (PL201) are counted apart", () => {
  const counts = countFlows([[flow("PL201", "the tag does not declare user.name"), flow("PL130")]]);
  assert.deepEqual(counts, { undeclared: 1, partiallyDeclared: 1, files: 1 });
  assert.match(statusTooltip(counts), /1 flow whose tag misses categories/);
});

test("status text and tooltip", () => {
  assert.equal(statusText({ undeclared: 0, partiallyDeclared: 0, files: 0 }), "$(shield) 0 undeclared");
  assert.equal(statusText({ undeclared: 3, partiallyDeclared: 0, files: 2 }), "$(shield) 3 undeclared");
  assert.match(statusTooltip({ undeclared: 3, partiallyDeclared: 0, files: 2 }), /3 flows .* \(in 2 files\)/);
});
