// Counting undeclared flows among diagnostics (no `vscode` import: unit-testable).

/** The `source` of every privacy-lens diagnostic. */
export const SOURCE = "privacy-lens";

/** The server's message suffix for flows whose data-use tag declares them (`src/server/convert.rs`). */
export const DECLARED_SUFFIX = "(declared by its data-use tag)";

/** The rule reporting a flow whose tag misses some of its categories. */
export const STALE_TAG_CODE = "PL201";

export interface DiagnosticLike {
  source?: string;
  code?: string | number | { value: string | number };
  message: string;
}

export function codeOf(d: DiagnosticLike): string | undefined {
  const code = d.code;
  if (code === undefined) {
    return undefined;
  }
  return String(typeof code === "object" ? code.value : code);
}

/** A flow rule (PL1xx): personal data reaching an AI call. */
export function isFlowCode(code: string | undefined): boolean {
  return code !== undefined && /^PL1\d\d$/.test(code);
}

export interface FlowCounts {
  /** Flows into AI calls without a data-use tag. */
  undeclared: number;
  /** Flows whose tag does not declare every category (PL201). */
  partiallyDeclared: number;
  /** Files with at least one of the above. */
  files: number;
}

export function countFlows(perFile: Iterable<readonly DiagnosticLike[]>): FlowCounts {
  const counts: FlowCounts = { undeclared: 0, partiallyDeclared: 0, files: 0 };
  for (const diagnostics of perFile) {
    let inFile = 0;
    for (const d of diagnostics) {
      if (d.source !== SOURCE) {
        continue;
      }
      const code = codeOf(d);
      if (code === STALE_TAG_CODE) {
        counts.partiallyDeclared++;
        inFile++;
      } else if (isFlowCode(code) && !d.message.endsWith(DECLARED_SUFFIX)) {
        counts.undeclared++;
        inFile++;
      }
    }
    if (inFile > 0) {
      counts.files++;
    }
  }
  return counts;
}

export function statusText(counts: FlowCounts): string {
  const n = counts.undeclared;
  return `$(shield) ${n} undeclared`;
}

export function statusTooltip(counts: FlowCounts): string {
  const flows = (n: number) => `${n} flow${n === 1 ? "" : "s"}`;
  const lines = [
    `privacy-lens: ${flows(counts.undeclared)} of personal data into AI calls without a data-use tag` +
      (counts.files > 0 ? ` (in ${counts.files} file${counts.files === 1 ? "" : "s"})` : ""),
  ];
  if (counts.partiallyDeclared > 0) {
    lines.push(`${flows(counts.partiallyDeclared)} whose tag misses categories (PL201)`);
  }
  lines.push("Click to open the Problems panel.");
  return lines.join("\n");
}
