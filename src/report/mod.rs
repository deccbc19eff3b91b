//! Presenting results: a [`Format`] chooses between human tables (comfy-table, Markdown)
//! and data rows (JSON, CSV). Commands build a [`Grid`] for people and serializable rows
//! for scripts; the files here turn either into text.

pub mod chart;
pub mod csv;
pub mod json;
pub mod monthly;
pub mod table;
pub mod text;

use serde::Serialize;

use crate::error::Result;

/// Output format (`--output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A table for a terminal.
    #[default]
    Table,
    /// A JSON array of flat rows.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A GitHub-flavoured Markdown table.
    Markdown,
}

/// A human-readable table: headers, rows of cells, and notes printed under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows; each has as many cells as there are headers.
    pub rows: Vec<Vec<String>>,
    /// Columns to right-align (numbers, money).
    pub right_aligned: Vec<usize>,
    /// Sentences printed below the table.
    pub notes: Vec<String>,
    /// Keep rows on one line even past 100 columns (lists people copy ids from).
    pub wide: bool,
}

/// Render rows for a data format, or a grid for a human format.
pub fn render<T: Serialize>(
    format: Format,
    rows: &[T],
    grid: impl FnOnce() -> Grid,
) -> Result<String> {
    match format {
        Format::Json => json::render(rows),
        Format::Csv => csv::render(rows),
        Format::Table => Ok(table::render(&grid(), table::Style::Terminal)),
        Format::Markdown => Ok(table::render(&grid(), table::Style::Markdown)),
    }
}

/// Serde helpers that write decimals as JSON/CSV numbers: whole numbers without a
/// fraction ("16", not "16.0"), others as the shortest float that reads back the same.
/// Callers round first (money to the micro-dollar), so no precision is lost.
pub mod number {
    use rust_decimal::Decimal;
    use rust_decimal::prelude::ToPrimitive;
    use serde::Serializer;

    /// Serialize one decimal.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        let value = value.normalize();
        match value.is_integer().then(|| value.to_i64()).flatten() {
            Some(whole) => serializer.serialize_i64(whole),
            None => serializer.serialize_f64(value.to_f64().unwrap_or(f64::NAN)),
        }
    }

    /// Serialize an optional decimal (`null` / empty cell when absent).
    pub mod option {
        use rust_decimal::Decimal;
        use serde::Serializer;

        /// Serialize.
        pub fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => super::serialize(v, serializer),
                None => serializer.serialize_none(),
            }
        }
    }
}
