//! The sign-off sheet laid out as the A4 pages it prints on. A browser's
//! print numbers no pages reliably and repeats nothing of a long table but
//! its head, so each printed page is a block of the sheet's own: a header
//! with the contract, the part and its requirements, the page's share of
//! the sheet, and a footer with the page's requirements and `page x of y`,
//! all written into the HTML. The print style fixes fonts, line height and
//! column widths; the heights here are estimates from the text, on the safe
//! side, so that a block never spills onto a second sheet of paper.
//!
//! Takes a contract's view and the rows of one part; gives the part's pages.

use std::ops::Range;

use serde::Serialize;

use super::view::{ContractRow, ReviewRef, SheetRow};

/// Height a page's content may take between its header and footer, in mm:
/// A4 (297 mm) less the print margins (2 × 14 mm, the style's `@page
/// sheet`), the page's header and footer (2 × 9 mm), and a margin for
/// error.
const BODY_MM: f32 = 232.0;
/// One line of the requirements table (8 pt type, `line-height: 3.8mm`).
const LINE_MM: f32 = 3.8;
/// A cell's padding and border, top and bottom.
const CELL_MM: f32 = 2.4;
/// A table's head row.
const TABLE_HEAD_MM: f32 = 7.5;
/// A heading above a table, with its margins.
const H2_MM: f32 = 10.0;
/// The title of the sheet, with its margins.
const H1_MM: f32 = 14.0;
/// A row of a signature block: room to sign by hand.
const SIGN_ROW_MM: f32 = 11.0;
/// One em of the tables' 8 pt type.
const EM_MM: f32 = 2.822;

/// Widths of the requirements table's columns in print, in mm, as the
/// print style sets them (of 186 mm: A4 less 2 × 12 mm).
const COLUMNS_MM: [f32; 5] = [62.0, 18.0, 32.0, 28.0, 46.0];
/// Width of the sheet's head table's value column and of a signature
/// block's text, in mm.
const WIDE_MM: f32 = 140.0;
/// Widths of the reviews table's columns in print, in mm.
const REVIEW_COLUMNS_MM: [f32; 4] = [56.0, 22.0, 58.0, 50.0];

/// One printed page of a sign-off sheet.
#[derive(Serialize)]
pub struct SheetPage<'r> {
    /// From 1, within the part.
    pub number: usize,
    /// The requirements on the page, counted through the whole sheet from
    /// 1; both 0 when the page holds none.
    pub first_row: usize,
    pub last_row: usize,
    /// The sheet's head (contract, customer, state) opens the page.
    pub head: bool,
    /// The table of reviews follows the head.
    pub reviews: bool,
    /// The requirements on the page (none when the rows are written by code).
    pub rows: &'r [SheetRow],
    /// Whether the page has a requirements table, even one whose rows are
    /// written by code.
    pub table: bool,
    /// The signature blocks on the page, one per review.
    pub blocks: Vec<&'r ReviewRef>,
    /// A block to sign by hand, for a contract that has no review.
    pub blank_block: bool,
}

/// Where the parts of a sheet go: which rows, reviews and blocks each page
/// takes.
pub struct PagePlan {
    rows: Range<usize>,
    head: bool,
    reviews: bool,
    blocks: Range<usize>,
    blank_block: bool,
}

/// How many em of 8 pt type `text` takes: CJK and other wide characters
/// one, capitals and digits about two thirds, spaces a third, other
/// characters a little over half (a generous average of common sans-serif
/// faces).
fn ems(text: &str) -> f32 {
    text.chars()
        .map(|c| {
            if is_wide(c) {
                1.0
            } else if c == ' ' {
                0.32
            } else if c.is_ascii_uppercase() || c.is_ascii_digit() || c == 'm' || c == 'w' {
                0.68
            } else {
                0.56
            }
        })
        .sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF
        | 0x20000..=0x3FFFD)
}

/// Lines `text` wraps to in a column `width` mm wide (0 for no text).
/// Words do not break where the estimate would: a tenth more is allowed
/// for the space a wrapped word leaves at a line's end.
fn lines(text: &str, width: f32) -> f32 {
    let room = ((width - 2.4) / EM_MM).max(1.0);
    text.split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| (ems(l) * 1.1 / room).ceil().max(1.0))
        .sum()
}

fn opt_lines(text: &Option<String>, width: f32) -> f32 {
    text.as_deref().map_or(0.0, |t| lines(t, width))
}

/// Height of one requirement's row, its change below it included.
fn row_mm(r: &SheetRow) -> f32 {
    let [req, class, source, verdict, note] = COLUMNS_MM;
    let cells = [
        // The id on a line of its own (bold), then the title (regular).
        1.0 + lines(&r.item.title, req),
        opt_lines(&r.class, class),
        opt_lines(&r.source, source),
        opt_lines(&r.verdict, verdict).max(1.0) + opt_lines(&r.review, verdict),
        opt_lines(&r.note, note),
    ];
    let tallest = cells.into_iter().fold(1.0, f32::max);
    tallest * LINE_MM + CELL_MM + change_mm(r)
}

/// The ids of what changed since `r` was signed, as the sheet lists them.
fn changed_ids(r: &ReviewRef) -> String {
    r.changed
        .iter()
        .map(|x| x.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Height of the line or table below a row that changed since it was signed.
fn change_mm(r: &SheetRow) -> f32 {
    let Some(change) = &r.change else { return 0.0 };
    let full: f32 = COLUMNS_MM.iter().sum();
    // What changed, since which sign-off, and where the signed text is
    // from: two lines at most.
    let mut n = 2.0 + lines(&change.reviews.join(", "), full) - 1.0;
    if !change.fields.is_empty() {
        n += 1.5;
    }
    for f in &change.fields {
        // Label, then old and new side by side.
        let half = (full - 30.0) / 2.0;
        n += opt_lines(&f.old, half)
            .max(opt_lines(&f.new, half))
            .max(lines(&f.label, 30.0))
            .max(1.0)
            + 0.6;
    }
    n * LINE_MM + 2.0 * CELL_MM
}

/// Height of the sheet's head: title, then contract, customer and state.
fn head_mm(k: &ContractRow) -> f32 {
    let contract = lines(&format!("{} {}", k.item.id, k.item.title), WIDE_MM);
    let customer = k
        .customer
        .as_ref()
        .map_or(1.0, |c| lines(&format!("{} {}", c.id, c.title), WIDE_MM));
    let changed: String = k
        .changed_rows
        .iter()
        .map(|l| l.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let state = 2.0 + lines(&changed, WIDE_MM);
    H1_MM + (contract + customer + state) * LINE_MM + 3.0 * CELL_MM + 4.0
}

/// Height of the table of reviews.
fn reviews_mm(k: &ContractRow) -> f32 {
    let [review, _, reviewers, signoff] = REVIEW_COLUMNS_MM;
    let rows: f32 = k
        .reviews
        .iter()
        .map(|r| {
            let cells = [
                lines(&format!("{} {}", r.item.id, r.item.title), review),
                opt_lines(&r.reviewers, reviewers),
                3.0 + lines(&changed_ids(r), signoff),
            ];
            cells.into_iter().fold(1.0, f32::max) * LINE_MM + CELL_MM
        })
        .sum();
    H2_MM
        + if k.reviews.is_empty() {
            LINE_MM * 2.0
        } else {
            TABLE_HEAD_MM + rows
        }
}

/// Height of the signature block of `r`, or of one to fill in by hand.
fn block_mm(r: Option<&ReviewRef>) -> f32 {
    let (rows, heading) = match r {
        Some(r) => (
            block_rows(r),
            lines(&format!("{} {}", r.item.id, r.item.title), WIDE_MM).max(1.0)
                + lines(&changed_ids(r), WIDE_MM),
        ),
        None => (BLANK_SIGNERS + 1, 1.0),
    };
    H2_MM + (heading + 2.0) * LINE_MM + TABLE_HEAD_MM + rows as f32 * SIGN_ROW_MM + 6.0
}

/// Rows of the block of `r`: one per reviewer (at least three to fill in by
/// hand when none is recorded), and the approver.
pub fn block_rows(r: &ReviewRef) -> usize {
    r.signers.len().max(BLANK_SIGNERS) + 1
}

/// Rows to fill in by hand in a block whose review names no reviewer.
pub const BLANK_SIGNERS: usize = 3;

/// The pages of one part of `k`'s sheet, whose rows are `rows`; the
/// first part opens with the reviews. Every part closes with the
/// signature blocks, each whole on one page.
pub fn plan(k: &ContractRow, rows: &[SheetRow], first_part: bool) -> Vec<PagePlan> {
    let mut pages = Vec::new();
    let mut page = PagePlan {
        rows: 0..0,
        head: true,
        reviews: first_part,
        blocks: 0..0,
        blank_block: false,
    };
    let mut used = head_mm(k) + if first_part { reviews_mm(k) } else { 0.0 };
    let fresh = |at_row: usize, at_block: usize| PagePlan {
        rows: at_row..at_row,
        head: false,
        reviews: false,
        blocks: at_block..at_block,
        blank_block: false,
    };
    for (i, r) in rows.iter().enumerate() {
        let h = row_mm(r);
        let opening = if page.rows.is_empty() {
            TABLE_HEAD_MM + if page.head { H2_MM } else { 0.0 }
        } else {
            0.0
        };
        if used + opening + h > BODY_MM && (page.head || !page.rows.is_empty()) {
            pages.push(std::mem::replace(&mut page, fresh(i, 0)));
            used = TABLE_HEAD_MM;
        } else {
            used += opening;
        }
        used += h;
        page.rows.end = i + 1;
    }
    let empty = |p: &PagePlan| !p.head && p.rows.is_empty() && p.blocks.is_empty();
    let sizes: Vec<f32> = if k.reviews.is_empty() {
        vec![block_mm(None)]
    } else {
        k.reviews.iter().map(|r| block_mm(Some(r))).collect()
    };
    for (b, h) in sizes.into_iter().enumerate() {
        if used + h > BODY_MM && !empty(&page) {
            pages.push(std::mem::replace(&mut page, fresh(rows.len(), b)));
            page.blocks = b..b;
            used = 0.0;
        }
        used += h;
        if k.reviews.is_empty() {
            page.blank_block = true;
        } else {
            page.blocks.end = b + 1;
        }
    }
    pages.push(page);
    pages
}

/// The pages of `plans`, with `rows` (the part's rows, the first of which
/// is requirement `start + 1` of the sheet) on them, or none when they are
/// written by code.
pub fn pages<'r>(
    plans: &[PagePlan],
    k: &'r ContractRow,
    rows: &'r [SheetRow],
    start: usize,
    with_rows: bool,
) -> Vec<SheetPage<'r>> {
    plans
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let (first_row, last_row) = if p.rows.is_empty() {
                (0, 0)
            } else {
                (start + p.rows.start + 1, start + p.rows.end)
            };
            SheetPage {
                number: n + 1,
                first_row,
                last_row,
                head: p.head,
                reviews: p.reviews,
                rows: if with_rows {
                    &rows[p.rows.clone()]
                } else {
                    &[]
                },
                table: !p.rows.is_empty(),
                blocks: k.reviews[p.blocks.clone()].iter().collect(),
                blank_block: p.blank_block,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::view::{ItemRef, Signer};

    fn item(id: &str, title: &str) -> ItemRef {
        ItemRef {
            id: id.into(),
            href: String::new(),
            local: String::new(),
            title: title.into(),
            kind: String::new(),
            status: None,
            status_class: None,
        }
    }

    fn row(n: usize, note: &str) -> SheetRow {
        SheetRow {
            item: item(
                &format!("REQ-{n}"),
                "Window unit meets air tightness class 6",
            ),
            class: Some("stated".into()),
            source: Some(format!("Tender clause 4.{n}")),
            verdict: Some("accepted".into()),
            verdict_raw: "accepted".into(),
            clarify: false,
            review: Some("REV-1".into()),
            note: (!note.is_empty()).then(|| note.to_owned()),
            change: None,
        }
    }

    fn review(id: &str, reviewers: usize) -> ReviewRef {
        ReviewRef {
            item: item(id, "Contract review"),
            date: None,
            reviewers: None,
            signers: (0..reviewers)
                .map(|i| Signer::parse(&format!("Function {i}: Name {i}")))
                .collect(),
            signed_by: None,
            signed_on: None,
            signoff: "unsigned",
            changed: Vec::new(),
        }
    }

    fn contract(reviews: Vec<ReviewRef>) -> ContractRow {
        ContractRow {
            item: item("CON-1", "Supply agreement"),
            customer: None,
            stage: None,
            requirements_count: 0,
            decided: 0,
            clarify: 0,
            reviews,
            state: "complete",
            signoff: "unsigned",
            sheet: String::new(),
            changed_rows: Vec::new(),
            requirements: Vec::new(),
        }
    }

    /// The estimated height of each planned page.
    fn heights(k: &ContractRow, rows: &[SheetRow], plans: &[PagePlan]) -> Vec<f32> {
        plans
            .iter()
            .map(|p| {
                let mut h = 0.0;
                if p.head {
                    h += head_mm(k);
                }
                if p.reviews {
                    h += reviews_mm(k);
                }
                if !p.rows.is_empty() {
                    h += TABLE_HEAD_MM + if p.head { H2_MM } else { 0.0 };
                    h += rows[p.rows.clone()].iter().map(row_mm).sum::<f32>();
                }
                h += k.reviews[p.blocks.clone()]
                    .iter()
                    .map(|r| block_mm(Some(r)))
                    .sum::<f32>();
                if p.blank_block {
                    h += block_mm(None);
                }
                h
            })
            .collect()
    }

    #[test]
    fn every_row_and_block_is_on_one_page_and_no_page_overflows() {
        let long = "A deviation agreed with the customer's quality engineer, ".repeat(4);
        let rows: Vec<SheetRow> = (0..300)
            .map(|n| row(n, if n % 7 == 0 { &long } else { "" }))
            .collect();
        let k = contract(vec![review("REV-1", 6), review("REV-2", 2)]);
        for first in [true, false] {
            let plans = plan(&k, &rows, first);
            assert!(plans[0].head && plans[0].reviews == first);
            assert!(plans[1..].iter().all(|p| !p.head && !p.reviews));
            // The rows in order, each once.
            let order: Vec<usize> = plans.iter().flat_map(|p| p.rows.clone()).collect();
            assert_eq!(order, (0..rows.len()).collect::<Vec<_>>());
            // The blocks after every row, each once, each whole.
            let blocks: Vec<usize> = plans.iter().flat_map(|p| p.blocks.clone()).collect();
            assert_eq!(blocks, [0, 1]);
            let first_block = plans.iter().position(|p| !p.blocks.is_empty()).unwrap();
            assert!(plans[first_block + 1..].iter().all(|p| p.rows.is_empty()));
            for (n, h) in heights(&k, &rows, &plans).into_iter().enumerate() {
                assert!(h > 0.0 && h <= BODY_MM, "page {} is {h} mm", n + 1);
            }
            // Pages are filled: fewer than twice as many as the height needs.
            let total: f32 = heights(&k, &rows, &plans).iter().sum();
            assert!((plans.len() as f32) < 2.0 * (total / BODY_MM).ceil());
        }
    }

    #[test]
    fn a_contract_without_reviews_gets_a_block_to_sign_by_hand() {
        let k = contract(Vec::new());
        let plans = plan(&k, &[], true);
        assert_eq!(plans.len(), 1);
        assert!(plans[0].blank_block && plans[0].head && plans[0].rows.is_empty());
        let pages = pages(&plans, &k, &[], 0, true);
        assert_eq!((pages[0].first_row, pages[0].last_row), (0, 0));
        assert!(!pages[0].table);
    }

    #[test]
    fn reviewers_read_as_function_and_name() {
        let read = |s: &str| {
            let x = Signer::parse(s);
            (x.role, x.name)
        };
        assert_eq!(
            read("Sales: Zhou Min"),
            (Some("Sales".into()), "Zhou Min".into())
        );
        assert_eq!(read("工程部 赵刚"), (Some("工程部".into()), "赵刚".into()));
        assert_eq!(read("质量部：张红"), (Some("质量部".into()), "张红".into()));
        assert_eq!(read("Zhou Min"), (None, "Zhou Min".into()));
        assert_eq!(read("王明"), (None, "王明".into()));
        assert_eq!(read("Sales:"), (None, "Sales:".into()));
    }

    #[test]
    fn wide_text_takes_more_lines_than_narrow() {
        assert_eq!(lines("", 40.0), 0.0);
        assert_eq!(lines("short", 40.0), 1.0);
        let latin = "a".repeat(60);
        let chinese = "要".repeat(60);
        assert!(lines(&chinese, 40.0) > lines(&latin, 40.0));
        assert_eq!(lines("one\ntwo", 40.0), 2.0);
    }
}
