//! The one Markdown renderer for rule tables: the README's tables, `netlens rules --markdown`
//! and `netlens dnssd rules` all come from [`markdown_table`], so they cannot drift apart.

use crate::{CatalogRule, RuleId};

/// One column of a rule table: its heading and how to fill a cell from a rule.
pub struct Column<R> {
    /// The heading.
    pub heading: &'static str,
    /// The cell's Markdown (a `|` in it is escaped by the renderer).
    pub cell: fn(&R) -> String,
}

impl<R> Column<R> {
    /// A column with a heading and a cell function.
    pub const fn new(heading: &'static str, cell: fn(&R) -> String) -> Self {
        Column { heading, cell }
    }
}

impl<R: CatalogRule> Column<R> {
    /// `Rule`: the id, as code.
    pub fn id() -> Self {
        Column::new("Rule", |r| format!("`{}`", r.header().id.as_str()))
    }

    /// `Severity`.
    pub fn severity() -> Self {
        Column::new("Severity", |r| r.header().severity.name().to_owned())
    }

    /// The title, under `heading`.
    pub fn title(heading: &'static str) -> Self {
        Column::new(heading, |r| r.header().title.to_owned())
    }

    /// `Source`.
    pub fn source() -> Self {
        Column::new("Source", |r| r.header().source.to_owned())
    }

    /// `Effective`: the first day the rule applies and its dated limits, `—` when always.
    pub fn effective() -> Self {
        Column::new("Effective", |r| r.header().effective.describe())
    }
}

/// `rows` as a Markdown table with `columns`, one line per row.
pub fn markdown_table<R>(rows: &[R], columns: &[Column<R>]) -> String {
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells.collect();
        format!("| {} |\n", cells.join(" | "))
    };
    out.push_str(&line(&mut columns.iter().map(|c| c.heading.to_owned())));
    out.push_str(&format!("|{}\n", "---|".repeat(columns.len())));
    for row in rows {
        out.push_str(&line(
            &mut columns.iter().map(|c| (c.cell)(row).replace('|', "\\|")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Effective, RuleHeader, Severity};

    crate::rule_ids! {
        enum DemoRule {
            DemoPipe = "demo.pipe",
        }
    }

    struct DemoRow(RuleHeader<DemoRule>);

    impl CatalogRule for DemoRow {
        type Id = DemoRule;
        fn header(&self) -> &RuleHeader<DemoRule> {
            &self.0
        }
    }

    #[test]
    fn renders_heading_separator_and_escaped_cells() {
        let rows = [DemoRow(RuleHeader {
            id: DemoRule::DemoPipe,
            severity: Severity::Error,
            title: "A | B",
            source: "RFC 1",
            fix: "",
            effective: Effective::ALWAYS,
        })];
        let table = markdown_table(
            &rows,
            &[
                Column::id(),
                Column::severity(),
                Column::new("Extra", |_| "x".to_owned()),
                Column::title("What"),
                Column::source(),
                Column::effective(),
            ],
        );
        assert_eq!(
            table,
            "| Rule | Severity | Extra | What | Source | Effective |\n|---|---|---|---|---|---|\n\
             | `demo.pipe` | error | x | A \\| B | RFC 1 | — |\n"
        );
    }
}
