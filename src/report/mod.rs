//! Presenting results: a [`Format`] chooses between human tables (comfy-table, Markdown)
//! and data rows (JSON, CSV). Commands build a [`Grid`] for people and serializable rows
//! for scripts; the files here turn either into text.

pub mod csv;
pub mod json;
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
