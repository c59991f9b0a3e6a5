//! The inventory as one self-contained HTML page (`report --format html`):
//! inline CSS, the diagram as inline SVG (categories on the left, AI systems
//! on the right, red dashed edges where no tag declares the flow), and
//! tables a reviewer can sort by clicking a column header (a few lines of
//! inline script; the tables read fine without it). Nothing is loaded from
//! anywhere: no external scripts, styles, fonts or images, so the page works
//! offline and can be attached to a review or an audit.

use std::io::{self, Write};

use super::inventory::{Inventory, kind_label};
use crate::finding::Status;

const STYLE: &str = r#"
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa; --red: #d1242f; --green: #1a7f37; --blue: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.lead { color: var(--muted); margin: 0 0 12px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
.card.bad b { color: var(--red); }
.card.good b { color: var(--green); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
td code { overflow-wrap: break-word; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \2195"; color: var(--muted); font-weight: 400; }
table.sortable th[aria-sort="ascending"]::after { content: " \2191"; }
table.sortable th[aria-sort="descending"]::after { content: " \2193"; }
.status { font-weight: 600; white-space: nowrap; }
.status.undeclared, .status.partially-declared { color: var(--red); }
.status.declared { color: var(--green); }
.diagram { border: 1px solid var(--line); border-radius: 8px; padding: 8px; overflow-x: auto; }
.legend { color: var(--muted); font-size: 12px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"#;

/// Sorts a table by the clicked column: numbers numerically, text
/// alphabetically, toggling the direction.
const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) { var c = row.cells[col]; return c ? (c.getAttribute("data-sort") || c.textContent.trim()) : ""; };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? d : -d;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"#;

/// Writes the page.
pub fn write(out: &mut dyn Write, inventory: &Inventory) -> io::Result<()> {
    let s = &inventory.summary;
    let scope = inventory.scope.join(", ");
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>AI data-flow inventory: {}</title>",
        escape(&scope)
    )?;
    writeln!(out, "<style>{STYLE}</style>")?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    writeln!(out, "<h1>AI data-flow inventory</h1>")?;
    writeln!(
        out,
        "<p class=\"lead\">Where personal data meets AI in <code>{}</code>: privacy-lens {}, {} files, {} lines.</p>",
        escape(&scope),
        escape(inventory.tool.version),
        s.files,
        s.lines
    )?;
    writeln!(out, "<div class=\"cards\">")?;
    let card = |out: &mut dyn Write, class: &str, n: usize, label: &str| {
        writeln!(
            out,
            "<div class=\"card {class}\"><b>{n}</b>{}</div>",
            escape(label)
        )
    };
    card(out, "", s.systems, "AI systems")?;
    card(out, "", s.flows, "flows of personal data")?;
    card(out, "good", s.declared, "declared")?;
    card(
        out,
        if s.undeclared + s.partially_declared > 0 {
            "bad"
        } else {
            ""
        },
        s.undeclared + s.partially_declared,
        "not (fully) declared",
    )?;
    if s.tag_problems > 0 {
        card(out, "bad", s.tag_problems, "tag problems")?;
    }
    writeln!(out, "</div>")?;

    if inventory.flows.is_empty() {
        writeln!(out, "<p>No personal data reaches an AI call.</p>")?;
    } else {
        writeln!(out, "<h2>Flow diagram</h2>")?;
        writeln!(out, "<div class=\"diagram\">")?;
        write_svg(out, inventory)?;
        writeln!(out, "</div>")?;
        writeln!(
            out,
            "<p class=\"legend\">Personal-data categories (left) reach AI systems (right). Green edges are declared by <code>@data-use</code> tags; red dashed edges are not.</p>"
        )?;
        write_systems_table(out, inventory)?;
        write_flows_table(out, inventory)?;
        write_categories_table(out, inventory)?;
    }
    write_other_calls_table(out, inventory)?;
    writeln!(
        out,
        "<footer>Generated by privacy-lens {}. Categories, uses and subjects are fideslang keys (Fides taxonomy, CC BY 4.0, Ethyca).</footer>",
        escape(inventory.tool.version)
    )?;
    writeln!(out, "<script>{SCRIPT}</script>")?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")
}

fn write_systems_table(out: &mut dyn Write, inventory: &Inventory) -> io::Result<()> {
    writeln!(out, "<h2>AI systems</h2>")?;
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"sortable\" id=\"systems\">"
    )?;
    writeln!(
        out,
        "<thead><tr><th>AI system</th><th>Kind</th><th>Third party</th><th>Categories</th><th>Declared uses</th><th>Basis</th><th>Safeguards</th><th>Retention</th><th>Flows</th><th>Undeclared</th></tr></thead>"
    )?;
    writeln!(out, "<tbody>")?;
    for system in &inventory.systems {
        writeln!(
            out,
            "<tr><td>{}<br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&system.provider),
            codes(&system.apis),
            kind_label(system.kind),
            if system.third_party { "yes" } else { "no" },
            codes(&system.categories),
            codes_or(&system.uses),
            codes_or(&system.bases),
            codes_or(&system.safeguards),
            codes_or(&system.retention),
            system.flows.len(),
            system.undeclared_flows,
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn write_flows_table(out: &mut dyn Write, inventory: &Inventory) -> io::Result<()> {
    writeln!(out, "<h2>Flows</h2>")?;
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"sortable\" id=\"flows\">"
    )?;
    writeln!(
        out,
        "<thead><tr><th>Call</th><th>AI system</th><th>Rules</th><th>Categories</th><th>Sources</th><th>Use</th><th>Basis</th><th>Not declared</th><th>Status</th></tr></thead>"
    )?;
    writeln!(out, "<tbody>")?;
    for flow in &inventory.flows {
        let system = inventory
            .system(&flow.system)
            .map_or(flow.system.as_str(), |s| s.name.as_str());
        let sources: Vec<String> = flow
            .sources
            .iter()
            .map(|s| {
                // The file is the call's in most flows: show the line only.
                let at = if s.path == flow.path {
                    format!("line {}", s.line)
                } else {
                    format!("{}:{}", escape(&s.path), s.line)
                };
                format!("<code>{}</code> {at}", breakable(&s.evidence))
            })
            .collect();
        let tag = flow.tag.as_ref();
        writeln!(
            out,
            "<tr><td data-sort=\"{}:{:08}\"><code>{}:{}</code><br><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"status {}\">{}</td></tr>",
            escape(&flow.path),
            flow.line,
            breakable(&flow.path),
            flow.line,
            breakable(&flow.api),
            escape(system),
            flow.codes.join(", "),
            codes(&flow.categories),
            sources.join("<br>"),
            tag.map_or_else(
                || "—".to_string(),
                |t| format!("<code>{}</code>", breakable(&t.data_use))
            ),
            tag.and_then(|t| t.basis.as_deref())
                .map_or_else(|| "—".to_string(), escape),
            codes_or(&flow.undeclared_categories),
            flow.status.as_str(),
            flow.status.as_str(),
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn write_categories_table(out: &mut dyn Write, inventory: &Inventory) -> io::Result<()> {
    writeln!(out, "<h2>Categories</h2>")?;
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"sortable\" id=\"categories\">"
    )?;
    writeln!(
        out,
        "<thead><tr><th>Category</th><th>Name</th><th>AI systems</th><th>Declared</th></tr></thead>"
    )?;
    writeln!(out, "<tbody>")?;
    for category in &inventory.categories {
        let systems: Vec<String> = category
            .systems
            .iter()
            .map(|id| {
                escape(
                    inventory
                        .system(id)
                        .map_or(id.as_str(), |s| s.name.as_str()),
                )
            })
            .collect();
        let status = if category.declared {
            Status::Declared
        } else {
            Status::Undeclared
        };
        writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"status {}\">{}</td></tr>",
            escape(&category.category),
            escape(&category.name),
            systems.join("<br>"),
            status.as_str(),
            if category.declared { "yes" } else { "no" },
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

fn write_other_calls_table(out: &mut dyn Write, inventory: &Inventory) -> io::Result<()> {
    if inventory.other_calls.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2>AI calls without personal data</h2>")?;
    writeln!(
        out,
        "<div class=\"scroll\"><table class=\"sortable\" id=\"other-calls\">"
    )?;
    writeln!(
        out,
        "<thead><tr><th>Call</th><th>Provider</th><th>Kind</th></tr></thead>"
    )?;
    writeln!(out, "<tbody>")?;
    for call in &inventory.other_calls {
        writeln!(
            out,
            "<tr><td data-sort=\"{}:{:08}\"><code>{}:{}</code><br><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&call.path),
            call.line,
            breakable(&call.path),
            call.line,
            breakable(&call.api),
            escape(&call.provider),
            kind_label(call.kind),
        )?;
    }
    writeln!(out, "</tbody></table></div>")
}

/// Geometry of the diagram, in SVG user units: row pitch of categories and
/// of (two-line) AI systems, box heights, a character's width, the gap
/// the edges cross.
const ROW: usize = 34;
const SYS_ROW: usize = 46;
const BOX_H: usize = 26;
const SYS_BOX_H: usize = 36;
const CHAR_W: usize = 7;
const GAP: usize = 220;

/// The categories → AI systems diagram as inline SVG.
pub fn write_svg(out: &mut dyn Write, inventory: &Inventory) -> io::Result<()> {
    let left_w = inventory
        .categories
        .iter()
        .map(|c| c.category.chars().count())
        .max()
        .unwrap_or(10)
        * CHAR_W
        + 24;
    let right_w = inventory
        .systems
        .iter()
        .map(|s| s.provider.chars().count().max(kind_label(s.kind).len() + 2))
        .max()
        .unwrap_or(10)
        * CHAR_W
        + 24;
    let left_h = inventory.categories.len() * ROW;
    let right_h = inventory.systems.len() * SYS_ROW;
    let column_h = left_h.max(right_h);
    let top = 28;
    let height = top + column_h + 12;
    let width = left_w + GAP + right_w + 20;
    let left_x = 10;
    let right_x = left_x + left_w + GAP;
    // Centre the shorter column vertically.
    let cat_y = |i: usize| top + (column_h - left_h) / 2 + i * ROW;
    let sys_y = |i: usize| top + (column_h - right_h) / 2 + i * SYS_ROW;

    writeln!(
        out,
        "<svg role=\"img\" aria-label=\"Personal-data categories flowing into AI systems\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">"
    )?;
    writeln!(
        out,
        "<text x=\"{left_x}\" y=\"16\" font-weight=\"600\" fill=\"#59636e\">Personal data</text>"
    )?;
    writeln!(
        out,
        "<text x=\"{right_x}\" y=\"16\" font-weight=\"600\" fill=\"#59636e\">AI systems</text>"
    )?;
    for (category, system, declared) in inventory.edges() {
        let c = inventory
            .categories
            .iter()
            .position(|x| x.category == category);
        let s = inventory.systems.iter().position(|x| x.id == system);
        let (Some(c), Some(s)) = (c, s) else { continue };
        let (x1, y1) = (left_x + left_w, cat_y(c) + BOX_H / 2);
        let (x2, y2) = (right_x, sys_y(s) + SYS_BOX_H / 2);
        let mid = (x1 + x2) / 2;
        let style = if declared {
            "stroke=\"#1a7f37\" stroke-width=\"1.5\""
        } else {
            "stroke=\"#d1242f\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\""
        };
        writeln!(
            out,
            "<path d=\"M{x1} {y1} C{mid} {y1}, {mid} {y2}, {x2} {y2}\" fill=\"none\" {style}><title>{} → {}{}</title></path>",
            escape(category),
            escape(
                inventory
                    .system(system)
                    .map_or(system, |sys| sys.name.as_str())
            ),
            if declared { "" } else { " (undeclared)" }
        )?;
    }
    for (i, category) in inventory.categories.iter().enumerate() {
        let y = cat_y(i);
        let stroke = if category.declared {
            "#1a7f37"
        } else {
            "#d1242f"
        };
        writeln!(
            out,
            "<g><title>{}</title><rect x=\"{left_x}\" y=\"{y}\" width=\"{left_w}\" height=\"{BOX_H}\" rx=\"5\" fill=\"#f6f8fa\" stroke=\"{stroke}\"/><text x=\"{}\" y=\"{}\" fill=\"#1f2328\">{}</text></g>",
            escape(&category.name),
            left_x + 10,
            y + 17,
            escape(&category.category)
        )?;
    }
    for (i, system) in inventory.systems.iter().enumerate() {
        let y = sys_y(i);
        let stroke = if system.undeclared_flows == 0 {
            "#1a7f37"
        } else {
            "#d1242f"
        };
        writeln!(
            out,
            "<g><title>{}</title><rect x=\"{right_x}\" y=\"{}\" width=\"{right_w}\" height=\"{}\" rx=\"5\" fill=\"#ddf4ff\" stroke=\"{stroke}\"/><text x=\"{}\" y=\"{}\" fill=\"#1f2328\" font-weight=\"600\">{}</text><text x=\"{}\" y=\"{}\" fill=\"#59636e\" font-size=\"10\">{}</text></g>",
            escape(&system.apis.join(", ")),
            y,
            SYS_BOX_H,
            right_x + 10,
            y + 15,
            escape(&system.provider),
            right_x + 10,
            y + 29,
            kind_label(system.kind),
        )?;
    }
    writeln!(out, "</svg>")
}

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escaped text that may wrap after `.`, `/` and `_` (long keys and paths
/// in narrow table cells), and nowhere else.
fn breakable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
        if matches!(c, '.' | '/' | '_') {
            out.push_str("<wbr>");
        }
    }
    out
}

fn codes(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("<code>{}</code>", breakable(i)))
        .collect::<Vec<_>>()
        .join("<br>")
}

fn codes_or(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        codes(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>\"a\" & 'b'"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;"
        );
    }
}
