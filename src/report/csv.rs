//! CSV output (RFC 4180: comma-separated, CRLF line ends, quotes where needed), with a
//! header row taken from the row type's fields. Rows go through `serde_json::Value` first,
//! so a number is written with the exact text [`super::number`] gave it. An empty set of
//! rows still writes the header, so scripts always see the columns.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

fn output_error(e: impl std::fmt::Display) -> Error {
    Error::Output(std::io::Error::other(e.to_string()))
}

/// One cell: strings as they are, numbers with their exact text, null as empty.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// Render rows as CSV with a header row from the row type's fields (a default row's, when
/// there are no rows).
pub(crate) fn render<T: Serialize + Default>(rows: &[T]) -> Result<String> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if rows.is_empty() {
        let Value::Object(fields) = serde_json::to_value(T::default()).map_err(output_error)?
        else {
            return Err(output_error("a CSV row must be a flat record"));
        };
        writer.write_record(fields.keys()).map_err(output_error)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let Value::Object(fields) = serde_json::to_value(row).map_err(output_error)? else {
            return Err(output_error("a CSV row must be a flat record"));
        };
        if index == 0 {
            writer.write_record(fields.keys()).map_err(output_error)?;
        }
        writer
            .write_record(fields.values().map(cell))
            .map_err(output_error)?;
    }
    let bytes = writer.into_inner().map_err(output_error)?;
    String::from_utf8(bytes).map_err(output_error)
}

#[cfg(test)]
mod tests {
    #[derive(Default, serde::Serialize)]
    struct Row {
        job: String,
        usd: f64,
    }

    #[test]
    fn no_rows_is_still_the_header() {
        assert_eq!(super::render::<Row>(&[]).unwrap(), "job,usd\r\n");
        let one = [Row {
            job: "a,b".into(),
            usd: 1.5,
        }];
        assert_eq!(super::render(&one).unwrap(), "job,usd\r\n\"a,b\",1.5\r\n");
    }
}
