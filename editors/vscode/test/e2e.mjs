// The real VS Code test: drives code-server (VS Code in a browser) with the
// packaged privacy-lens extension in headless Chromium through playwright-core.
// Started by run-e2e.sh, which installs the .vsix into a throwaway profile and
// starts code-server; this script only talks to the browser.
//
// Scenario on a Python file: the squiggle appears (an error: the settings make
// PL101 one, which shows they reach the server); the status bar
// counts 1 undeclared flow; the hover explains the risk; the Problems panel
// lists the finding; the quick fix "Add data-use tag" applies; the squiggle
// disappears and the count drops to 0; the saved file carries the tag;
// "Explain rule" opens the rule's page; "Show privacy report" shows the report
// or says the binary has none yet; pointing privacy-lens.server.path at a
// missing file restarts the server and shows the error with a link to the
// install instructions; pointing it back and running "Restart server" brings
// the server back. Every step waits on a condition (never a
// fixed sleep) and leaves a screenshot in $E2E_SCREENSHOTS.
//
// Environment: E2E_URL (code-server), E2E_PROJECT (the folder), E2E_FILE
// (file name in it), E2E_SCREENSHOTS (folder), CHROMIUM (the browser),
// E2E_MACHINE_SETTINGS (code-server's machine settings.json), E2E_LOGS
// (code-server's logs folder, where the extension's output channel is written),
// E2E_STEP_TIMEOUT_MS (per step, default 30000).

import * as fs from "node:fs";
import * as path from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const url = env("E2E_URL");
const project = env("E2E_PROJECT");
const fileName = env("E2E_FILE");
const shots = env("E2E_SCREENSHOTS");
const browserPath = env("CHROMIUM");
const machineSettings = env("E2E_MACHINE_SETTINGS");
const logsDir = env("E2E_LOGS");
const stepTimeout = Number(process.env.E2E_STEP_TIMEOUT_MS || 30000);
const filePath = path.join(project, fileName);
const started = Date.now();

const log = (...parts) => {
  const ms = String(Date.now() - started).padStart(6);
  console.error(`[${ms} ms]`, ...parts);
};

let shot = 0;
let currentPage;
async function screenshot(page, name) {
  shot += 1;
  const file = path.join(shots, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  log("screenshot", file);
  return file;
}

/** Polls `condition` (async, truthy = done) until it holds or the step times out. */
async function until(what, condition, timeout = stepTimeout) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await condition();
      if (last) {
        return last;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const problemSquiggles = ".monaco-editor .squiggly-warning, .monaco-editor .squiggly-error";

async function statusText(page) {
  const item = page.locator(".statusbar-item", { hasText: "undeclared" }).first();
  return (await item.count()) > 0 ? (await item.innerText()).trim() : "";
}

/** The extension's output channel, as code-server writes it to its logs. */
function extensionLog() {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name === "privacy-lens.log" && full.includes("privacy-lens.privacy-lens")) {
        found.push(full);
      }
    }
  };
  walk(logsDir);
  return found.map((file) => fs.readFileSync(file, "utf8")).join("\n");
}

/** The text of the first webview frame (not the workbench) that contains `needle`. */
async function frameWithText(page, needle) {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) {
      continue;
    }
    const text = await frame.evaluate(() => document.body?.innerText ?? "").catch(() => "");
    if (text.includes(needle)) {
      return text;
    }
  }
  return undefined;
}

/** Types `text` into the quick input opened by `key` and picks the row
 * `row` (a locator). A key press that lands while the workbench moves focus
 * can close the quick input again: retry until it stays. */
async function quickPick(page, key, text, row, what) {
  const input = page.locator(".quick-input-widget input");
  await until(what, async () => {
    if (!(await input.isVisible())) {
      await page.keyboard.press(key);
      await input.waitFor({ state: "visible", timeout: 2000 });
    }
    await input.fill(text, { timeout: 2000 });
    await row.waitFor({ state: "visible", timeout: 2000 });
    return true;
  });
  await page.keyboard.press("Enter");
}

/** Runs a command from the palette (F1). */
async function runCommand(page, title) {
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await quickPick(page, "F1", `>${title}`, row, `the command palette to offer "${title}"`);
}

async function main() {
  fs.mkdirSync(shots, { recursive: true });
  const original = fs.readFileSync(filePath, "utf8");

  const browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    currentPage = page;
    page.setDefaultTimeout(stepTimeout);

    // 1. The workbench, connected to its extension host (the explorer lists the file).
    await page.goto(`${url}/?folder=${encodeURIComponent(project)}`);
    await page.locator(".monaco-workbench").waitFor({ timeout: stepTimeout * 2 });
    await page
      .locator(".explorer-folders-view .monaco-list-row", { hasText: fileName })
      .first()
      .waitFor({ timeout: stepTimeout * 2 });
    log("workbench ready");

    // 2. Open the file.
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
    const fileRow = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${fileName}"]`).first();
    await quickPick(page, "Control+P", fileName, fileRow, `quick open to offer ${fileName}`);
    await page.locator(`.tab[aria-label*="${fileName}"]`).first().waitFor();
    log("opened", fileName);

    // 3. The squiggle (an error, per the settings), and the status bar's count.
    const squiggle = page.locator(".monaco-editor .squiggly-error").first();
    await squiggle.waitFor({ state: "attached" });
    log("squiggle", await page.locator(problemSquiggles).count());
    const status = await until('the status bar to count "1 undeclared"', async () =>
      /\b1 undeclared\b/.test(await statusText(page)) && (await statusText(page)),
    );
    log("status bar:", status);
    await screenshot(page, "squiggle");

    // 4. The hover explains the risk.
    const box = await until("the squiggle's position", () => squiggle.boundingBox());
    const hover = page.locator(".monaco-hover:visible", { hasText: "reaches an LLM inference call" }).first();
    // Move onto the squiggle (again, from outside, until the hover shows).
    await until("the hover", async () => {
      await page.mouse.move(5, 5);
      await page.mouse.move(box.x + Math.min(box.width / 2, 60), box.y + box.height / 2, { steps: 4 });
      await hover.waitFor({ state: "visible", timeout: 3000 });
      return true;
    });
    const hoverText = await hover.innerText();
    for (const expected of ["user.contact.email", "openai.chat.completions.create", "Data-use tag"]) {
      if (!hoverText.includes(expected)) {
        throw new Error(`the hover lacks "${expected}":\n${hoverText}`);
      }
    }
    log("hover:", hoverText.split("\n").slice(0, 2).join(" | "));
    await screenshot(page, "hover");
    await page.mouse.move(5, 5);
    await page.keyboard.press("Escape");

    // 5. The Problems panel lists the finding.
    await page.keyboard.press("Control+Shift+M");
    const problem = page.locator(".markers-panel .monaco-list-row", { hasText: "PL101" }).first();
    await problem.waitFor({ state: "visible" });
    const problemText = (await problem.innerText()).replace(/\s+/g, " ");
    if (!problemText.includes("privacy-lens") || !problemText.includes("user.contact.email")) {
      throw new Error(`unexpected Problems row: ${problemText}`);
    }
    log("problems:", problemText);
    await screenshot(page, "problems");

    // 6. The quick fix "Add data-use tag".
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("F8"); // go to the problem
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+.");
    const fix = page.locator(".action-widget .monaco-list-row", { hasText: "Add data-use tag" }).first();
    await fix.waitFor({ state: "visible" });
    const fixTitle = (await fix.innerText()).trim();
    await screenshot(page, "quick-fix-menu");
    await fix.click();
    log("applied:", fixTitle);
    await until("the tag in the editor", async () =>
      (await page.locator(".monaco-editor .view-lines").first().innerText()).includes("@data-use"),
    );

    // 7. The squiggle disappears, the count drops to 0.
    await until("the squiggle to disappear", async () => (await page.locator(problemSquiggles).count()) === 0);
    await until('the status bar to count "0 undeclared"', async () => /\b0 undeclared\b/.test(await statusText(page)));
    log("squiggle gone; status bar:", await statusText(page));
    await screenshot(page, "fixed");

    // 8. Save: the file on disk carries the tag above the call.
    await page.keyboard.press("Control+S");
    const saved = await until("the saved file to carry the tag", () => {
      const text = fs.readFileSync(filePath, "utf8");
      return text !== original && text.includes("@data-use") && text;
    });
    const lines = saved.split("\n");
    const call = lines.findIndex((line) => line.includes("client.chat.completions.create"));
    if (call < 1 || !/^\s*# @data-use [a-z_.]+ data=user\.contact\.email/.test(lines[call - 1])) {
      throw new Error(`the saved file has no tag above the call:\n${saved}`);
    }
    log("saved:", lines[call - 1].trim());

    // 9. "Explain rule" on the (now declared) finding under the cursor.
    await runCommand(page, "privacy-lens: Explain rule");
    const preview = page.locator(".tab", { hasText: "PL101" }).first();
    await preview.waitFor({ state: "visible" });
    log("explain: opened", (await preview.innerText()).trim());
    // The page is rendered in a webview (nested iframes): wait for its text.
    const page101 = await until("the rule's page in the preview", () => frameWithText(page, "personal-data-to-llm"));
    log("explain:", page101.split("\n")[0]);
    await screenshot(page, "explain");

    // 10. "Show privacy report": the report, or a clear message that the binary has none.
    await runCommand(page, "privacy-lens: Show privacy report");
    const outcome = await until("the report or a message about it", async () => {
      if ((await page.locator(".notifications-toasts", { hasText: "cannot build reports yet" }).count()) > 0) {
        return "unsupported";
      }
      if ((await page.locator(".tab", { hasText: "Privacy report" }).count()) > 0) {
        return "shown";
      }
      if ((await page.locator(".notifications-toasts", { hasText: "the report failed" }).count()) > 0) {
        throw new Error("the report failed");
      }
      return false;
    });
    if (outcome === "shown") {
      // The report names the file whose flow it lists.
      const report = await until("the report's text in its webview", () => frameWithText(page, "app.py"));
      log("report: shown in a webview:", report.split("\n")[0]);
    } else {
      log("report: this binary has no report command; the extension said so");
    }
    await screenshot(page, "report");

    // 11. A missing binary: the setting points nowhere; the server restarts
    // and the user gets the error and a link to the install instructions.
    const settings = JSON.parse(fs.readFileSync(machineSettings, "utf8"));
    const originalServerPath = settings["privacy-lens.server.path"];
    settings["privacy-lens.server.path"] = path.join(project, "no-such-privacy-lens");
    fs.writeFileSync(machineSettings, JSON.stringify(settings, null, 2));
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "not an executable file" }).first();
    await toast.waitFor({ state: "visible" });
    await until('the status bar to show the warning', async () =>
      (await page.locator(".statusbar-item", { hasText: "privacy-lens" }).count()) > 0,
    );
    await screenshot(page, "missing-binary");
    // Toasts move while older ones fade out: click again until the page opens.
    const button = toast.locator(".monaco-button", { hasText: "Install instructions" }).first();
    const instructions = await until("the install instructions", async () => {
      const text = await frameWithText(page, "Installing the server");
      if (!text && (await button.isVisible())) {
        await button.click({ timeout: 2000 }).catch(() => undefined);
      }
      return text;
    });
    if (!instructions.includes("cargo install")) {
      throw new Error(`the install instructions lack the install command:\n${instructions}`);
    }
    log("missing binary: error shown, install instructions opened");
    await screenshot(page, "install-instructions");

    // 12. The binary back, then "Restart server": the output channel logs
    // each start, and the status bar counts flows again.
    const starts = () => (extensionLog().match(/Language server started/g) ?? []).length;
    const before = starts();
    settings["privacy-lens.server.path"] = originalServerPath;
    fs.writeFileSync(machineSettings, JSON.stringify(settings, null, 2));
    await until("the server to start again with the binary back", async () => starts() > before);
    await runCommand(page, "privacy-lens: Restart server");
    await until("the restart", async () => starts() > before + 1 && /Restarting the language server/.test(extensionLog()));
    await until('the status bar to count "0 undeclared" again', async () => /\b0 undeclared\b/.test(await statusText(page)));
    log("restart: the server is back;", await statusText(page));
    await screenshot(page, "restarted");
  } catch (error) {
    if (currentPage) {
      await screenshot(currentPage, "failure").catch(() => undefined);
    }
    throw error;
  } finally {
    await browser.close();
  }
}

main().then(
  () => {
    log(`ok; screenshots in ${shots}`);
  },
  (error) => {
    console.error(`FAIL: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
