//! CSV output (RFC 4180: comma-separated, CRLF-free lines are accepted by every reader we
//! target, quotes where needed), with a header row taken from the row type's fields. An
//! empty set of rows still writes the header, so scripts always see the columns.

use serde::Serialize;

use crate::error::{Error, Result};

/// Render rows as CSV with a header; `headers` is used when `rows` is empty.
pub fn render<T: Serialize>(rows: &[T]) -> Result<String> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .serialize(row)
            .map_err(|e| Error::Output(std::io::Error::other(e)))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Output(std::io::Error::other(e.to_string())))?;
    String::from_utf8(bytes).map_err(|e| Error::Output(std::io::Error::other(e)))
}

/// Render a header-only CSV from column names.
pub fn header_only(columns: &[&str]) -> String {
    let mut line = columns.join(",");
    line.push_str("\r\n");
    line
}
