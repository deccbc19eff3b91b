//! JSON output: an array of flat row objects, pretty-printed.

use serde::Serialize;

use crate::error::{Error, Result};

/// Render rows as a JSON array.
pub(crate) fn render<T: Serialize>(rows: &[T]) -> Result<String> {
    let mut text =
        serde_json::to_string_pretty(rows).map_err(|e| Error::Output(std::io::Error::other(e)))?;
    text.push('\n');
    Ok(text)
}
