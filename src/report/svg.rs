//! The thread of one item drawn as an SVG graph: upstream items in columns
//! to the left, downstream items to the right, one column per step away.
//! Drawn here, with every text escaped; no external service.

use std::collections::VecDeque;
use std::fmt::Write as _;

use rustc_hash::FxHashMap as HashMap;

use crate::graph::{Dir, TraceGraph};
use crate::model::{ItemIdx, Project};
use crate::profile::Profile;
use crate::rules::Finding;
use crate::text::{char_width, escape_xml as escape, escape_xml_into as escape_into};

/// Items drawn at most, so that a hub (a customer with thousands of
/// requirements) still gives a readable picture.
pub const MAX_NODES: usize = 60;
/// Steps away from the item, each way.
const MAX_DEPTH: i32 = 4;
const NODE_W: i32 = 190;
const NODE_H: i32 = 46;
const COL_GAP: i32 = 60;
const ROW_GAP: i32 = 14;
const PAD: i32 = 10;
/// How far right the control points of a bracket between two boxes of one
/// column lie, for each row between them: the curve reaches three quarters
/// of it.
const BRACKET: i32 = 12;
/// Room for a line of text in a box, in tenths of a pixel of 12px text
/// (see [`advance`]): the box's width less 7px each side.
const TEXT_ROOM: u32 = 1760;
/// The same room for the kind's line, whose text is 11px.
const KIND_ROOM: u32 = TEXT_ROOM * 12 / 11;
/// The kind's line of an item with findings, which is bold (about 12 %
/// wider).
const BOLD_KIND_ROOM: u32 = KIND_ROOM * 100 / 112;

/// How far a character moves the pen, in tenths of a pixel of 12px text,
/// as wide as DejaVu Sans sets it (the widest of the usual sans-serif
/// faces) and 1em for CJK and other wide characters, so that a line cut to
/// fit by this measure fits in any of them.
fn advance(c: char) -> u32 {
    match c {
        'i' | 'j' | 'l' | 'I' | 'J' | '\'' | '.' | ',' => 40,
        ':' | ';' | '|' => 42,
        '!' | 'f' | 't' | 'r' | ' ' | '-' | '/' | '(' | ')' | '[' | ']' | '·' => 50,
        '"' | 's' | 'z' | 'c' | '?' | '*' | '_' => 66,
        'w' | '#' | '~' | '&' | '+' | '=' | '<' | '>' | '^' | '±' | '×' | '÷' | '✗' => 101,
        'm' | 'M' | 'W' | '%' | '@' | '…' | '—' | '©' | '®' | '™' => 120,
        'Æ' | 'æ' | 'Œ' | 'œ' => 130,
        'a'..='z' | '0'..='9' => 77,
        '‰' => 165,
        // Emoji and pictographs, often wider than an em.
        '\u{1F000}'..='\u{1FFFF}' => 150,
        // CJK beyond the basic plane.
        '\u{20000}'..='\u{3FFFF}' => 120,
        c if char_width(c) == 2 => 120,
        _ => 95,
    }
}

/// Where `parts`, one after another, must be cut to fit in `room` (see
/// [`advance`]) with an ellipsis after them: the part and the byte in it,
/// or `None` when they fit whole. Reads no further than `room` reaches.
fn cut(parts: &[&str], room: u32) -> Option<(usize, usize)> {
    let before_ellipsis = room.saturating_sub(advance('…'));
    let mut used = 0;
    let mut at = None;
    for (n, p) in parts.iter().enumerate() {
        for (i, c) in p.char_indices() {
            used += advance(c);
            if used > before_ellipsis && at.is_none() {
                at = Some((n, i));
            }
            if used > room {
                return at;
            }
        }
    }
    None
}

/// Appends `parts`, one after another and escaped, up to `cut` (see
/// [`cut`]), the cut marked with an ellipsis.
fn push_cut(out: &mut String, parts: &[&str], cut: Option<(usize, usize)>) {
    let Some((part, byte)) = cut else {
        for p in parts {
            escape_into(out, p);
        }
        return;
    };
    for p in &parts[..part] {
        escape_into(out, p);
    }
    escape_into(out, &parts[part][..byte]);
    out.push('…');
}

/// Appends `parts`, one after another and escaped, cut to fit in `room`,
/// the cut marked with an ellipsis.
#[cfg(test)]
fn fit_into(out: &mut String, parts: &[&str], room: u32) {
    push_cut(out, parts, cut(parts, room));
}

/// Appends `n` in decimal.
fn push_int(out: &mut String, n: i32) {
    if n < 0 {
        out.push('-');
    }
    crate::text::decimal_into(out, u64::from(n.unsigned_abs()));
}

/// Appends a point of a path, `x,y`.
fn push_point(out: &mut String, (x, y): (i32, i32)) {
    push_int(out, x);
    out.push(',');
    push_int(out, y);
}

/// Appends a cubic curve of a path to `to`, by two control points.
fn push_curve(out: &mut String, c1: (i32, i32), c2: (i32, i32), to: (i32, i32)) {
    out.push('C');
    push_point(out, c1);
    out.push(' ');
    push_point(out, c2);
    out.push(' ');
    push_point(out, to);
}

/// The items of `root`'s thread as drawn: each with its column (negative
/// upstream, positive downstream, one per step away), the links between
/// them, and whether items were left out (more than a picture holds).
pub struct Walk {
    pub column: Vec<(ItemIdx, i32)>,
    pub edges: Vec<(ItemIdx, ItemIdx)>,
    pub truncated: bool,
}

/// Walks `root`'s thread up to [`MAX_DEPTH`] steps each way and at most
/// [`MAX_NODES`] items: what [`thread`] draws.
pub fn walk(graph: &TraceGraph, root: ItemIdx) -> Walk {
    // Threads are small (at most MAX_NODES items), so lists beat maps here.
    let mut column: Vec<(ItemIdx, i32)> = vec![(root, 0)];
    let mut edges: Vec<(ItemIdx, ItemIdx)> = Vec::new();
    let mut truncated = false;
    let mut queue = VecDeque::new();
    for (dir, step) in [(Dir::Outgoing, -1), (Dir::Incoming, 1)] {
        queue.clear();
        queue.push_back((root, 0i32));
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
                if !column.iter().any(|(i, _)| *i == next) {
                    if column.len() >= MAX_NODES {
                        truncated = true;
                        continue;
                    }
                    column.push((next, depth + step));
                    queue.push_back((next, depth + step));
                }
                edges.push((from, to));
            }
        }
    }
    edges.sort();
    edges.dedup();
    Walk {
        column,
        edges,
        truncated,
    }
}

/// The SVG of `root`'s thread, as [`walk`] found it. `href` appends each
/// item's link from the page.
pub fn thread(
    project: &Project,
    profile: &Profile,
    walked: &Walk,
    findings: &HashMap<ItemIdx, Vec<&Finding>>,
    root: ItemIdx,
    lang: &str,
    href: &dyn Fn(ItemIdx, &mut String),
) -> String {
    let Walk {
        column,
        edges,
        truncated,
    } = walked;
    let truncated = *truncated;

    // Columns left to right, each top to bottom in item order.
    let mut nodes: Vec<(i32, ItemIdx)> = column.iter().map(|(i, c)| (*c, *i)).collect();
    nodes.sort();
    let min_col = nodes.first().map_or(0, |n| n.0);
    let mut cols = 0;
    let mut tallest = 1;
    for run in nodes.chunk_by(|a, b| a.0 == b.0) {
        cols += 1;
        tallest = tallest.max(run.len() as i32);
    }
    let mut width = PAD * 2 + cols * NODE_W + (cols - 1).max(0) * COL_GAP;
    let note_room = if truncated { 20 } else { 0 };
    let mut height = PAD * 2 + tallest * NODE_H + (tallest - 1).max(0) * ROW_GAP + note_room;
    // Place of each item, in item order, and the left, top and bottom of
    // each column's block of boxes, left to right.
    let mut pos: Vec<(ItemIdx, (i32, i32))> = Vec::with_capacity(nodes.len());
    let mut blocks: Vec<(i32, i32, i32)> = Vec::new();
    for run in nodes.chunk_by(|a, b| a.0 == b.0) {
        let x = PAD + (run[0].0 - min_col) * (NODE_W + COL_GAP);
        let block = run.len() as i32 * NODE_H + (run.len() as i32 - 1) * ROW_GAP;
        let top = PAD + (height - PAD * 2 - block) / 2;
        blocks.push((x, top, top + block));
        for (n, (_, item)) in run.iter().enumerate() {
            pos.push((*item, (x, top + n as i32 * (NODE_H + ROW_GAP))));
        }
    }
    pos.sort_by_key(|p| p.0);
    let place = |i: &ItemIdx| {
        pos.binary_search_by_key(i, |p| p.0)
            .ok()
            .map(|at| pos[at].1)
    };

    // Every edge in one path, between the facing sides of its two boxes.
    // Two boxes in one column are joined by a bracket on their right. An
    // edge that skips columns runs along a lane below the boxes of the
    // columns it passes, so that it crosses none.
    let mut path = String::new();
    let mut lowest_lane = 0;
    let mut rightmost = 0;
    for (from, to) in edges {
        let (Some(a), Some(b)) = (place(from), place(to)) else {
            continue;
        };
        let (l, r) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        let (yl, yr) = (l.1 + NODE_H / 2, r.1 + NODE_H / 2);
        path.push('M');
        if l.0 == r.0 {
            // The further apart the boxes, the wider the bracket, so that
            // brackets from one box stay apart.
            let x = l.0 + NODE_W;
            let rows = ((yl - yr).abs() / (NODE_H + ROW_GAP)).max(1);
            let bulge = (BRACKET * rows).min(COL_GAP - BRACKET);
            rightmost = rightmost.max(x + bulge * 3 / 4);
            push_point(&mut path, (x, yl));
            push_curve(&mut path, (x + bulge, yl), (x + bulge, yr), (x, yr));
            continue;
        }
        let (xl, xr) = (l.0 + NODE_W, r.0);
        push_point(&mut path, (xl, yl));
        let lane = blocks
            .iter()
            .filter(|(x, _, _)| *x > l.0 && *x < r.0)
            .map(|(_, _, bottom)| bottom + ROW_GAP / 2)
            .max();
        match lane {
            None => {
                let mid = (xl + xr) / 2;
                push_curve(&mut path, (mid, yl), (mid, yr), (xr, yr));
            }
            Some(lane) => {
                lowest_lane = lowest_lane.max(lane);
                let g = COL_GAP / 2;
                push_curve(
                    &mut path,
                    (xl + g / 2, yl),
                    (xl + g / 2, lane),
                    (xl + g, lane),
                );
                path.push('L');
                push_point(&mut path, (xr - g, lane));
                push_curve(&mut path, (xr - g / 2, lane), (xr - g / 2, yr), (xr, yr));
            }
        }
    }
    // Room for the lowest lane above the note on a cut thread, and for the
    // widest bracket of the last column.
    height = height.max(lowest_lane + PAD + note_room);
    width = width.max(rightmost + PAD);

    let mut svg = String::with_capacity(2048);
    let words = crate::lang::Lang::parse(lang).unwrap_or_default();
    let title = words.t("svg_thread");
    svg.push_str("<svg class=\"thread\" viewBox=\"0 0 ");
    push_int(&mut svg, width);
    svg.push(' ');
    push_int(&mut svg, height);
    svg.push_str("\" width=\"");
    push_int(&mut svg, width);
    svg.push_str("\" height=\"");
    push_int(&mut svg, height);
    svg.push_str("\" role=\"img\" aria-label=\"");
    svg.push_str(title);
    svg.push_str("\">");
    if !path.is_empty() {
        svg.push_str("<path class=\"edge\" d=\"");
        svg.push_str(&path);
        svg.push_str("\"/>");
    }
    // Each box is placed by its group; the box's size and the places of its
    // two lines are the same for every box, and set in the style sheet.
    for (item, (x, y)) in &pos {
        let it = project.item(*item);
        let kind = profile.kind(it.kind);
        let broken = findings.get(item).is_some_and(|f| !f.is_empty());
        let class = match (broken, *item == root) {
            (true, true) => "node root broken",
            (true, false) => "node broken",
            (false, true) => "node root",
            (false, false) => "node",
        };
        let kind_label = kind.label.get(lang, &kind.name);
        let label = [it.id.as_str(), " ", it.display_title()];
        svg.push_str("<a href=\"");
        let start = svg.len();
        href(*item, &mut svg);
        if svg[start..].bytes().any(|b| b"&<>\"'".contains(&b)) {
            let link = svg.split_off(start);
            escape_into(&mut svg, &link);
        }
        svg.push_str("\"><g class=\"");
        svg.push_str(class);
        svg.push_str("\" transform=\"translate(");
        push_int(&mut svg, *x);
        svg.push(',');
        push_int(&mut svg, *y);
        svg.push_str(")\">");
        // The full text as a tooltip, where the box had to cut it.
        // A broken item's kind is marked, the mark on the same line.
        let kind_line = [if broken { "✗ " } else { "" }, kind_label];
        let kind_cut = cut(&kind_line, if broken { BOLD_KIND_ROOM } else { KIND_ROOM });
        let label_cut = cut(&label, TEXT_ROOM);
        if kind_cut.is_some() || label_cut.is_some() {
            svg.push_str("<title>");
            for part in [kind_label, " ", &it.id, " · ", it.display_title()] {
                escape_into(&mut svg, part);
            }
            svg.push_str("</title>");
        }
        svg.push_str("<rect/><text class=\"kind\">");
        push_cut(&mut svg, &kind_line, kind_cut);
        svg.push_str("</text><text>");
        push_cut(&mut svg, &label, label_cut);
        svg.push_str("</text></g></a>");
    }
    if truncated {
        let note = words.t("svg_thread_cut");
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
/// dashed line, each bar marked ✓ or ✗ (in text, not colour alone). With
/// `overall`, the objective's headline value (its actual over all its
/// records, which no period shows) is a last bar under that label, so
/// that the chart shows the number the page states. The target's label
/// stands above the plot, where no bar's value can run into it.
pub fn objective_chart(
    r: &crate::objectives::ObjectiveResult,
    lang: &str,
    overall: Option<&str>,
) -> String {
    const W: f64 = 560.0;
    const H: f64 = 210.0;
    const LEFT: f64 = 56.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 24.0;
    const BOTTOM: f64 = 34.0;
    let target = crate::objectives::Target::parse(&r.target).ok();
    let overall = overall.and_then(|label| Some((label, r.actual?)));
    let values: Vec<f64> = r
        .periods
        .iter()
        .filter_map(|p| p.actual)
        .chain(overall.map(|(_, v)| v))
        .collect();
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
    let fmt = |v: f64| crate::objectives::with_unit((v * 100.0).round() / 100.0, r.unit);
    let words = crate::lang::Lang::parse(lang).unwrap_or_default();
    let title = words.f("svg_chart_title", &[("id", &r.id)]);
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
    // The periods, then the overall value if it has a bar of its own.
    let slots: Vec<(&str, Option<f64>, Option<bool>, bool)> = r
        .periods
        .iter()
        .map(|p| (p.period.as_str(), p.actual, p.met, false))
        .chain(overall.map(|(label, v)| (label, Some(v), r.met, true)))
        .collect();
    let n = slots.len().max(1) as f64;
    let slot = (W - LEFT - RIGHT) / n;
    let bar = (slot * 0.6).min(60.0);
    for (i, &(period, actual, met, is_overall)) in slots.iter().enumerate() {
        let cx = LEFT + slot * (i as f64 + 0.5);
        svg.push_str(&format!(
            r#"<text class="{}" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            if is_overall {
                "period overall"
            } else {
                "period"
            },
            H - 12.0,
            escape(period)
        ));
        match actual {
            Some(v) => {
                let (class, mark) = match met {
                    Some(true) => ("bar met", "✓"),
                    Some(false) => ("bar missed", "✗"),
                    None => ("bar", ""),
                };
                let class = if is_overall {
                    format!("{class} overall")
                } else {
                    class.to_owned()
                };
                let top_y = y(v.max(0.0));
                svg.push_str(&format!(
                    r#"<rect class="{class}" x="{:.1}" y="{top_y:.1}" width="{bar:.1}" height="{:.1}"><title>{}</title></rect><text class="value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{} {}</text>"#,
                    cx - bar / 2.0,
                    (TOP + plot_h - top_y).max(0.5),
                    escape(&format!("{period}: {}", fmt(v))),
                    top_y - 5.0,
                    mark,
                    escape(&fmt(v))
                ));
            }
            None => {
                let none = words.t("no_data");
                svg.push_str(&format!(
                    r#"<text class="nodata" x="{cx:.1}" y="{:.1}" text-anchor="middle">{none}</text>"#,
                    TOP + plot_h - 6.0
                ));
            }
        }
    }
    if let Some(t) = target {
        // The target's label stands above the plot, after a piece of the
        // dashed line: a bar's value, written above the bar, never reaches
        // up there.
        let ly = TOP - 12.0;
        let ty = y(t.value);
        let label = words.f("svg_target", &[("target", &r.target)]);
        svg.push_str(&format!(
            r#"<line class="target" x1="{LEFT}" y1="{ty:.1}" x2="{}" y2="{ty:.1}"/><line class="target" x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/><text class="target-label" x="{:.1}" y="{ly:.1}" text-anchor="start">{}</text>"#,
            W - RIGHT,
            ly - 4.0,
            LEFT + 24.0,
            ly - 4.0,
            LEFT + 30.0,
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
    fn fitting_measures_across_parts_and_escapes() {
        let fit = |parts: &[&str], room| {
            let mut out = String::new();
            fit_into(&mut out, parts, room);
            out
        };
        // Text that fits exactly is not cut.
        assert_eq!(fit(&["abdeg"], 5 * 77), "abdeg");
        assert_eq!(fit(&["ab", "deg"], 5 * 77), "abdeg");
        // One pixel less: as much as fits before the ellipsis.
        assert_eq!(fit(&["abdeg"], 5 * 77 - 10), "abd…");
        // Wide characters take a whole em.
        assert_eq!(fit(&["外窗气密性能不低于6级"], 600), "外窗气密…");
        assert_eq!(fit(&["外窗气密性"], 600), "外窗气密性");
        // The cut may fall in any part.
        assert_eq!(fit(&["DI-1", " ", "abcdef"], 520), "DI-1 a…");
        assert_eq!(fit(&["abcdefgh", " ", "x"], 500), "abcde…");
        // Narrow and wide letters differ.
        assert_eq!(fit(&["iiiiiiiiii"], 500), "iiiiiiiiii");
        assert_eq!(fit(&["MMMMMMMMMM"], 500), "MMM…");
        // Markup is escaped, and only what is kept.
        assert_eq!(
            fit(&["<&>", "\"'x"], TEXT_ROOM),
            "&lt;&amp;&gt;&quot;&#39;x"
        );
        assert_eq!(fit(&["<<<<<<<<<<", "&"], 500), "&lt;&lt;&lt;…");
        assert_eq!(fit(&[], 3), "");
        // A box's line: a long title is cut, the ellipsis inside the room.
        let title = "Window unit 1 meets air tightness class 6 / 外窗气密性能不低于6级";
        let line = fit(&["REQ-0000001", " ", title], TEXT_ROOM);
        assert!(line.ends_with('…') && line.starts_with("REQ-0000001 Window"));
        let width: u32 = line.chars().map(advance).sum();
        assert!(width <= TEXT_ROOM, "{line}: {width}");
        // A kind's line in bold has less room than in regular type.
        let kind = ["", "Outbound shipping document"];
        assert_eq!(cut(&kind, KIND_ROOM), None);
        assert!(cut(&kind, BOLD_KIND_ROOM).is_some());
        // Em dashes, emoji and CJK beyond the basic plane are wide.
        assert_eq!(fit(&["——————"], 600), "————…");
        assert_eq!(fit(&["🔧🔧🔧🔧🔧"], 600), "🔧🔧🔧…");
        assert_eq!(fit(&["𠀀𠀀𠀀𠀀𠀀𠀀"], 600), "𠀀𠀀𠀀𠀀…");
    }

    #[test]
    fn integers_print_as_decimal() {
        for n in [0, 7, 10, 99, 960, -5, -120, i32::MAX, i32::MIN] {
            let mut out = String::new();
            push_int(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }
}
