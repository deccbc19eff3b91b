//! CSV output (RFC 4180: comma-separated, CRLF line ends, quotes where needed), with a
//! header row taken from the row type's fields. A number is written with the exact text
//! [`super::number`] gave it. An empty set of rows still writes the header, so scripts
//! always see the columns.

mod record;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

fn output_error(e: impl std::fmt::Display) -> Error {
    Error::Output(std::io::Error::other(e.to_string()))
}

/// Render rows as CSV with a header row from the row type's fields (a default row's, when
/// there are no rows).
pub(crate) fn render<T: Serialize + Default + Sync>(rows: &[T]) -> Result<String> {
    if rows.is_empty() {
        let header = record::record(&T::default()).map_err(output_error)?;
        return write(&[], Some(&header.names));
    }
    // Rows are written side by side, a chunk each (10,000 `compare` rows), and the chunks
    // joined in order: every chunk's writer quotes alike, so the text is one writer's.
    let chunks: Vec<Result<String>> = rows
        .par_chunks(ROWS_PER_CHUNK)
        .enumerate()
        .map(|(index, chunk)| {
            let records = chunk
                .iter()
                .map(record::record)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(output_error)?;
            let header = (index == 0).then(|| records[0].names.clone());
            write(&records, header.as_deref())
        })
        .collect();
    chunks.into_iter().collect()
}

/// Rows a CSV writer takes at a time when rows are written in parallel.
const ROWS_PER_CHUNK: usize = 512;

/// The CSV text of these records, after a header row when there is one.
fn write(records: &[record::Record], header: Option<&[&str]>) -> Result<String> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    if let Some(names) = header {
        writer.write_record(names).map_err(output_error)?;
    }
    for record in records {
        writer.write_record(&record.cells).map_err(output_error)?;
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

    /// Rows written a chunk at a time in parallel read as one writer's text: one header,
    /// rows in order, the same quoting.
    #[test]
    fn rows_of_many_chunks_are_one_csv() {
        let rows: Vec<Row> = (0..super::ROWS_PER_CHUNK * 3 + 7)
            .map(|i| Row {
                job: format!("job \"{i}\", nightly"),
                usd: i as f64 / 4.0,
            })
            .collect();
        let mut writer = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_record(["job", "usd"]).unwrap();
        for row in &rows {
            writer
                .write_record([row.job.clone(), serde_json::json!(row.usd).to_string()])
                .unwrap();
        }
        let expected = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(super::render(&rows).unwrap(), expected);
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

    #[derive(Default, serde::Serialize)]
    struct Kinds {
        list: Vec<String>,
        none: Option<u32>,
        some: Option<u32>,
        flag: bool,
        nan: f64,
        kind: Kind,
        #[serde(with = "crate::report::number")]
        usd: rust_decimal::Decimal,
    }

    #[derive(Default, serde::Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Kind {
        #[default]
        OnDemand,
    }

    /// Each kind of cell is written as the JSON output writes the value (lists joined
    /// with `;`, absent and non-finite values empty, enums by their name).
    #[test]
    fn cells_of_every_kind() {
        let row = Kinds {
            list: vec!["a".into(), "b c".into()],
            none: None,
            some: Some(7),
            flag: true,
            nan: f64::NAN,
            kind: Kind::OnDemand,
            usd: rust_decimal_macros::dec!(0.000008),
        };
        assert_eq!(
            super::render(&[row]).unwrap(),
            "list,none,some,flag,nan,kind,usd\r\na;b c,,7,true,,on-demand,0.000008\r\n"
        );
    }

    #[derive(Default, serde::Serialize)]
    struct Nested {
        inner: Row,
    }

    #[test]
    fn a_nested_record_is_refused_not_flattened() {
        let error = super::render(&[Nested::default()]).unwrap_err();
        let cause = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(
            cause.as_deref(),
            Some("a CSV row must be a flat record (found a nested struct `Row`)")
        );
    }
}
