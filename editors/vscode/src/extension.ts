// The privacy-lens extension: starts `privacy-lens lsp` with vscode-languageclient,
// shows the number of undeclared flows in the status bar, and adds the commands
// "Restart server", "Show privacy report" and "Explain rule".

import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import { codeOf, countFlows, SOURCE, statusText, statusTooltip } from "./flows";
import { installInstructionsUri, isUnknownSubcommand, resolveServer, run } from "./server";

const SECTION = "privacy-lens";
const LANGUAGES = ["python", "javascript", "javascriptreact", "typescript", "typescriptreact"];
const EXPLAIN_SCHEME = "privacy-lens-explain";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let extensionUri: vscode.Uri;
let missingServer: string | undefined;
const explanations = new Map<string, string>();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionUri = context.extensionUri;
  output = vscode.window.createOutputChannel("privacy-lens", { log: true });
  status = vscode.window.createStatusBarItem("privacy-lens.flows", vscode.StatusBarAlignment.Left, 0);
  status.name = "privacy-lens";
  context.subscriptions.push(output, status);

  const explainChanged = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    explainChanged,
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, {
      onDidChange: explainChanged.event,
      provideTextDocumentContent: (uri) => explanations.get(uri.path) ?? "",
    }),
    vscode.commands.registerCommand("privacy-lens.restartServer", () => restart()),
    vscode.commands.registerCommand("privacy-lens.showReport", () => showReport()),
    vscode.commands.registerCommand("privacy-lens.explainRule", (code?: unknown) =>
      explainRule(typeof code === "string" ? code : undefined, explainChanged),
    ),
    vscode.commands.registerCommand("privacy-lens.showInstallInstructions", () => showInstallInstructions()),
    vscode.languages.registerCodeActionsProvider(
      LANGUAGES.map((language) => ({ language })),
      new ExplainActions(),
      { providedCodeActionKinds: [ExplainActions.kind] },
    ),
    vscode.languages.onDidChangeDiagnostics(() => updateStatus()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration(`${SECTION}.server.path`)) {
        await restart();
      }
    }),
  );

  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** Settings for the server: the `privacy-lens.toml` keys it accepts as JSON, plus `debounceMs`. */
function serverSettings(scope?: vscode.Uri): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const rules: Record<string, unknown> = {};
  const severity = config.get<Record<string, string>>("rules.severity");
  if (severity && Object.keys(severity).length > 0) {
    rules.severity = severity;
  }
  const disable = config.get<string[]>("rules.disable");
  if (Array.isArray(disable) && disable.length > 0) {
    rules.disable = disable;
  }
  const settings: Record<string, unknown> = {};
  if (Object.keys(rules).length > 0) {
    settings.rules = rules;
  }
  const debounce = config.get<number>("debounceMs");
  if (typeof debounce === "number" && debounce >= 0) {
    settings.debounceMs = Math.round(debounce);
  }
  return settings;
}

async function start(): Promise<void> {
  const resolved = resolveServer(vscode.workspace.getConfiguration(SECTION));
  if (!resolved.path) {
    missingServer = resolved.fromSetting
      ? `privacy-lens.server.path is set to ${resolved.wanted}, which is not an executable file.`
      : "the privacy-lens binary was not found on PATH.";
    output.error(`Cannot start the language server: ${missingServer}`);
    updateStatus();
    void reportMissingServer();
    return;
  }
  missingServer = undefined;
  output.info(`Starting ${resolved.path} lsp`);

  const serverOptions: ServerOptions = {
    command: resolved.path,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: serverSettings(),
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        // The server pulls the `privacy-lens` section; send it only the keys it knows
        // (the editor-only ones, `server.path` and `trace.server`, would be warnings).
        configuration: (params, token, next) => {
          if (params.items.every((item) => item.section === SECTION)) {
            return params.items.map((item) =>
              serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined),
            );
          }
          return next(params, token);
        },
      },
    },
  };
  const languageClient = new LanguageClient(SECTION, "privacy-lens", serverOptions, clientOptions);
  client = languageClient;
  try {
    await languageClient.start();
    output.info("Language server started");
  } catch (error) {
    output.error(`The language server failed to start: ${String(error)}`);
    void vscode.window.showErrorMessage(`privacy-lens: the language server failed to start: ${String(error)}`);
  }
  updateStatus();
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (!current) {
    return;
  }
  try {
    await current.stop(5000);
  } catch (error) {
    output.warn(`Stopping the language server: ${String(error)}`);
  }
  await current.dispose().then(undefined, () => undefined);
}

async function restart(): Promise<void> {
  output.info("Restarting the language server");
  await stop();
  await start();
}

async function reportMissingServer(): Promise<void> {
  const install = "Install instructions";
  const settings = "Open settings";
  const choice = await vscode.window.showErrorMessage(
    `privacy-lens: ${missingServer} Install privacy-lens or set "privacy-lens.server.path".`,
    install,
    settings,
  );
  if (choice === install) {
    await showInstallInstructions();
  } else if (choice === settings) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "privacy-lens.server.path");
  }
}

async function showInstallInstructions(): Promise<void> {
  await vscode.commands.executeCommand("markdown.showPreview", installInstructionsUri(extensionUri));
}

function updateStatus(): void {
  if (missingServer) {
    status.text = "$(warning) privacy-lens";
    status.tooltip = `privacy-lens: ${missingServer} Click for install instructions.`;
    status.command = "privacy-lens.showInstallInstructions";
    status.show();
    return;
  }
  const counts = countFlows(vscode.languages.getDiagnostics().map(([, diagnostics]) => diagnostics));
  status.text = statusText(counts);
  status.tooltip = statusTooltip(counts);
  status.command = "workbench.actions.view.problems";
  status.show();
}

/** The binary for one-shot commands, or undefined after telling the user why not. */
function binaryForCommand(): string | undefined {
  const resolved = resolveServer(vscode.workspace.getConfiguration(SECTION));
  if (!resolved.path) {
    missingServer = resolved.fromSetting
      ? `privacy-lens.server.path is set to ${resolved.wanted}, which is not an executable file.`
      : "the privacy-lens binary was not found on PATH.";
    void reportMissingServer();
    return undefined;
  }
  return resolved.path;
}

async function showReport(): Promise<void> {
  const binary = binaryForCommand();
  if (!binary) {
    return;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  const folder =
    folders.length > 1
      ? await vscode.window.showWorkspaceFolderPick({ placeHolder: "Folder to report on" })
      : folders[0];
  if (!folder) {
    if (folders.length === 0) {
      void vscode.window.showWarningMessage("privacy-lens: open a folder to build its privacy report.");
    }
    return;
  }
  const root = folder.uri.fsPath;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "privacy-lens: building the privacy report…" },
    () => run(binary, ["report", root, "--format", "html"], root),
  );
  if (isUnknownSubcommand(result)) {
    output.warn(`${binary} report: ${result.stderr.trim()}`);
    void vscode.window.showWarningMessage(
      `privacy-lens: this privacy-lens binary (${binary}) cannot build reports yet: it has no "report" command. ` +
        "Update privacy-lens to a version with `privacy-lens report`.",
    );
    return;
  }
  // `report` may exit with 1 when there are findings, like `check`.
  if ((result.code !== 0 && result.code !== 1) || !result.stdout.trim()) {
    output.error(`${binary} report exited with status ${result.code}: ${result.stderr.trim()}`);
    void vscode.window.showErrorMessage(
      `privacy-lens: the report failed (status ${result.code}): ${firstLine(result.stderr) || "no output"}`,
    );
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    "privacy-lens.report",
    `Privacy report: ${folder.name}`,
    vscode.ViewColumn.Active,
    { enableScripts: false, enableFindWidget: true },
  );
  panel.webview.html = result.stdout;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

/** The code of a privacy-lens diagnostic under the cursor, if any. */
function codeAtCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return undefined;
  }
  const position = editor.selection.active;
  const diagnostics = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.source === SOURCE && d.range.contains(position));
  return diagnostics.length > 0 ? codeOf(diagnostics[0]) : undefined;
}

async function pickRule(binary: string): Promise<string | undefined> {
  const result = await run(binary, ["rules"]);
  const items: vscode.QuickPickItem[] = result.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/))
    .filter((fields) => fields.length >= 4 && /^PL\d+$/.test(fields[0]))
    .map(([code, name, severity, ...summary]) => ({
      label: code,
      description: `${name} (${severity})`,
      detail: summary.join("  "),
    }));
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: "Rule to explain",
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.label;
}

async function explainRule(code: string | undefined, changed: vscode.EventEmitter<vscode.Uri>): Promise<void> {
  const binary = binaryForCommand();
  if (!binary) {
    return;
  }
  const rule = code ?? codeAtCursor() ?? (await pickRule(binary));
  if (!rule) {
    return;
  }
  const result = await run(binary, ["explain", rule]);
  if (result.code !== 0 || !result.stdout.trim()) {
    void vscode.window.showErrorMessage(
      `privacy-lens: cannot explain ${rule}: ${firstLine(result.stderr) || `status ${result.code}`}`,
    );
    return;
  }
  const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${rule}.md` });
  explanations.set(uri.path, result.stdout);
  changed.fire(uri);
  await vscode.commands.executeCommand("markdown.showPreview", uri);
}

/** "Explain PL101" next to the server's quick fixes on each privacy-lens diagnostic. */
class ExplainActions implements vscode.CodeActionProvider {
  static readonly kind = vscode.CodeActionKind.QuickFix.append("privacy-lens.explain");

  provideCodeActions(
    _document: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const codes = new Set<string>();
    for (const d of context.diagnostics) {
      const code = d.source === SOURCE ? codeOf(d) : undefined;
      if (code) {
        codes.add(code);
      }
    }
    return [...codes].map((code) => {
      const action = new vscode.CodeAction(`Explain ${code}`, ExplainActions.kind);
      action.command = { command: "privacy-lens.explainRule", title: `Explain ${code}`, arguments: [code] };
      return action;
    });
  }
}
