//! The thread of one item drawn as an SVG graph: upstream items in columns
//! to the left, downstream items to the right, one column per step away.
//! Drawn here, with every text escaped; no external service.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;

use crate::graph::{Dir, TraceGraph};
use crate::matrix::format::char_width;
use crate::model::{ItemIdx, Project};
use crate::profile::Profile;
use crate::rules::Finding;

/// Items drawn at most, so that a hub (a customer with thousands of
/// requirements) still gives a readable picture.
const MAX_NODES: usize = 60;
/// Steps away from the item, each way.
const MAX_DEPTH: i32 = 4;
const NODE_W: i32 = 190;
const NODE_H: i32 = 46;
const COL_GAP: i32 = 60;
const ROW_GAP: i32 = 14;
const PAD: i32 = 10;

/// Escapes text for SVG/XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Cuts `s` to at most `max` columns, marking the cut with an ellipsis.
fn truncate(s: &str, max: usize) -> String {
    let width: usize = s.chars().map(char_width).sum();
    if width <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max.saturating_sub(1) {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// The SVG of `root`'s thread. `href` gives each item's link from the page.
pub fn thread(
    project: &Project,
    profile: &Profile,
    graph: &TraceGraph,
    findings: &HashMap<ItemIdx, Vec<&Finding>>,
    root: ItemIdx,
    lang: &str,
    href: &dyn Fn(ItemIdx) -> String,
) -> String {
    // Column of each item: negative upstream, positive downstream.
    let mut column: BTreeMap<ItemIdx, i32> = BTreeMap::from([(root, 0)]);
    let mut edges: Vec<(ItemIdx, ItemIdx)> = Vec::new();
    let mut truncated = false;
    for (dir, step) in [(Dir::Outgoing, -1), (Dir::Incoming, 1)] {
        let mut queue = VecDeque::from([(root, 0i32)]);
        while let Some((at, depth)) = queue.pop_front() {
            if depth.abs() >= MAX_DEPTH {
                continue;
            }
            for (_, next) in graph.sorted(at, dir) {
                let (from, to) = if dir == Dir::Outgoing {
                    (at, next)
                } else {
                    (next, at)
                };
                if !column.contains_key(&next) {
                    if column.len() >= MAX_NODES {
                        truncated = true;
                        continue;
                    }
                    column.insert(next, depth + step);
                    queue.push_back((next, depth + step));
                }
                edges.push((from, to));
            }
        }
    }
    edges.sort();
    edges.dedup();

    let min_col = column.values().copied().min().unwrap_or(0);
    let mut rows: BTreeMap<i32, Vec<ItemIdx>> = BTreeMap::new();
    for (item, col) in &column {
        rows.entry(*col).or_default().push(*item);
    }
    let tallest = rows.values().map(Vec::len).max().unwrap_or(1) as i32;
    let cols = rows.len() as i32;
    let width = PAD * 2 + cols * NODE_W + (cols - 1).max(0) * COL_GAP;
    let height = PAD * 2
        + tallest * NODE_H
        + (tallest - 1).max(0) * ROW_GAP
        + if truncated { 20 } else { 0 };
    let mut pos: HashMap<ItemIdx, (i32, i32)> = HashMap::new();
    for (col, items) in &rows {
        let x = PAD + (col - min_col) * (NODE_W + COL_GAP);
        let block = items.len() as i32 * NODE_H + (items.len() as i32 - 1) * ROW_GAP;
        let top = PAD + (height - PAD * 2 - block) / 2;
        for (n, item) in items.iter().enumerate() {
            pos.insert(*item, (x, top + n as i32 * (NODE_H + ROW_GAP)));
        }
    }

    let mut svg = String::new();
    let title = match lang {
        "zh" => "追溯链",
        _ => "Trace thread",
    };
    let _ = write!(
        svg,
        r#"<svg class="thread" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{title}">"#
    );
    for (from, to) in &edges {
        // `from` links to `to`: from sits right (downstream) of `to`.
        let (Some(a), Some(b)) = (pos.get(from), pos.get(to)) else {
            continue;
        };
        let (x1, y1) = (a.0, a.1 + NODE_H / 2);
        let (x2, y2) = (b.0 + NODE_W, b.1 + NODE_H / 2);
        let mid = (x1 + x2) / 2;
        let _ = write!(
            svg,
            r#"<path class="edge" d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"/>"#
        );
    }
    for (item, (x, y)) in pos.iter().collect::<BTreeMap<_, _>>() {
        let it = project.item(*item);
        let kind = profile.kind(it.kind);
        let broken = findings.get(item).is_some_and(|f| !f.is_empty());
        let class = match (broken, *item == root) {
            (true, true) => "node root broken",
            (true, false) => "node broken",
            (false, true) => "node root",
            (false, false) => "node",
        };
        let mark = if broken { "✗ " } else { "" };
        let kind_label = kind.label.get(lang, &kind.name);
        let label = format!("{} {}", it.id, it.display_title());
        let (kind_shown, label_shown) = (truncate(kind_label, 24), truncate(&label, 26));
        let _ = write!(
            svg,
            r#"<a href="{}"><g class="{class}">"#,
            escape(&href(*item))
        );
        // The full text as a tooltip, where the box had to cut it.
        if kind_shown != kind_label || label_shown != label {
            let _ = write!(
                svg,
                "<title>{}</title>",
                escape(&format!("{kind_label} {} · {}", it.id, it.display_title()))
            );
        }
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6"/><text x="{}" y="{}" class="kind">{}{}</text><text x="{}" y="{}">{}</text></g></a>"#,
            x + 8,
            y + 17,
            mark,
            escape(&kind_shown),
            x + 8,
            y + 36,
            escape(&label_shown),
        );
    }
    if truncated {
        let note = match lang {
            "zh" => "（仅显示部分关联项）",
            _ => "(only part of the thread is drawn)",
        };
        let _ = write!(
            svg,
            r#"<text x="{PAD}" y="{}" class="note">{note}</text>"#,
            height - 6
        );
    }
    svg.push_str("</svg>");
    svg
}

/// An objective's chart: the actual per period as bars, the target as a
/// dashed line, each bar marked ✓ or ✗ (in text, not colour alone).
pub fn objective_chart(r: &crate::objectives::ObjectiveResult, lang: &str) -> String {
    const W: f64 = 560.0;
    const H: f64 = 210.0;
    const LEFT: f64 = 56.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 24.0;
    const BOTTOM: f64 = 34.0;
    let target = crate::objectives::Target::parse(&r.target).ok();
    let values: Vec<f64> = r.periods.iter().filter_map(|p| p.actual).collect();
    let mut top = values.iter().copied().fold(0.0, f64::max);
    if let Some(t) = target {
        top = top.max(t.value);
    }
    if r.unit == crate::objectives::Unit::Percent {
        top = top.max(100.0);
    }
    if top <= 0.0 {
        top = 1.0;
    }
    top *= 1.08;
    let plot_h = H - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h - (v / top) * plot_h;
    let fmt = |v: f64| crate::output::with_unit((v * 100.0).round() / 100.0, r.unit);
    let title = match lang {
        "zh" => format!("{} 各期实际值与目标", r.id),
        _ => format!("{}: actual per period against the target", r.id),
    };
    let mut svg = format!(
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(&title),
        escape(&title)
    );
    // Axis and scale.
    svg.push_str(&format!(
        r#"<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{}"/><line class="axis" x1="{LEFT}" y1="{}" x2="{}" y2="{}"/>"#,
        TOP + plot_h,
        TOP + plot_h,
        W - RIGHT,
        TOP + plot_h
    ));
    for frac in [0.0, 0.5, 1.0] {
        let v = top / 1.08 * frac;
        svg.push_str(&format!(
            r#"<text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 6.0,
            y(v) + 4.0,
            escape(&fmt(v))
        ));
    }
    let n = r.periods.len().max(1) as f64;
    let slot = (W - LEFT - RIGHT) / n;
    let bar = (slot * 0.6).min(60.0);
    for (i, p) in r.periods.iter().enumerate() {
        let cx = LEFT + slot * (i as f64 + 0.5);
        svg.push_str(&format!(
            r#"<text class="period" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            H - 12.0,
            escape(&p.period)
        ));
        match p.actual {
            Some(v) => {
                let (class, mark) = match p.met {
                    Some(true) => ("bar met", "✓"),
                    Some(false) => ("bar missed", "✗"),
                    None => ("bar", ""),
                };
                let top_y = y(v.max(0.0));
                svg.push_str(&format!(
                    r#"<rect class="{class}" x="{:.1}" y="{top_y:.1}" width="{bar:.1}" height="{:.1}"><title>{}</title></rect><text class="value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{} {}</text>"#,
                    cx - bar / 2.0,
                    (TOP + plot_h - top_y).max(0.5),
                    escape(&format!("{}: {}", p.period, fmt(v))),
                    top_y - 5.0,
                    mark,
                    escape(&fmt(v))
                ));
            }
            None => {
                let none = if lang == "zh" { "无数据" } else { "no data" };
                svg.push_str(&format!(
                    r#"<text class="nodata" x="{cx:.1}" y="{:.1}" text-anchor="middle">{none}</text>"#,
                    TOP + plot_h - 6.0
                ));
            }
        }
    }
    if let Some(t) = target {
        let ty = y(t.value);
        let label = match lang {
            "zh" => format!("目标 {}", r.target),
            _ => format!("target {}", r.target),
        };
        svg.push_str(&format!(
            r#"<line class="target" x1="{LEFT}" y1="{ty:.1}" x2="{}" y2="{ty:.1}"/><text class="target-label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            W - RIGHT,
            ty - 4.0,
            escape(&label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("外窗气密性能不低于6级", 9), "外窗气密…");
        assert_eq!(truncate("abcdefghij", 5), "abcd…");
        assert_eq!(truncate("short", 10), "short");
    }
}
