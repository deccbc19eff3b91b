//! Human tables: comfy-table for terminals (fits 100 columns), or a Markdown pipe table.

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use super::Grid;

/// Terminal width the table is fitted to.
pub(crate) const TABLE_WIDTH: u16 = 100;

/// Which kind of table to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Box-drawn, wrapped to [`TABLE_WIDTH`].
    Terminal,
    /// GitHub Markdown.
    Markdown,
}

/// Draw a grid, followed by its notes (one per line).
pub(crate) fn render(grid: &Grid, style: Style) -> String {
    let mut table = Table::new();
    match style {
        Style::Terminal => {
            table.load_style(presets::UTF8_FULL_CONDENSED);
            if !grid.wide {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(TABLE_WIDTH);
            }
        }
        Style::Markdown => {
            table.load_style(presets::ASCII_MARKDOWN);
        }
    }
    table.set_header(grid.headers.clone());
    for row in &grid.rows {
        table.add_row(row.clone());
    }
    for index in &grid.right_aligned {
        if let Some(column) = table.column_mut(*index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    if !grid.notes.is_empty() {
        out.push('\n');
        for note in &grid.notes {
            if style == Style::Markdown {
                out.push_str("- ");
            }
            out.push_str(note);
            out.push('\n');
        }
    }
    out
}
