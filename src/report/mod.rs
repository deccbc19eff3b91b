//! Presenting results: a [`Format`] chooses between human tables (comfy-table, Markdown)
//! and data rows (JSON, CSV). Commands build a [`Grid`] for people and serializable rows
//! for scripts; the files here turn either into text.

pub mod chart;
pub(crate) mod compare;
pub(crate) mod csv;
pub(crate) mod engines;
pub(crate) mod glue;
pub(crate) mod json;
pub mod monthly;
pub(crate) mod price_diff;
pub(crate) mod prices;
pub(crate) mod progress;
pub(crate) mod rows;
pub(crate) mod runs;
pub(crate) mod table;
pub(crate) mod text;
pub(crate) mod tune;

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
pub fn render<T: Serialize + Default + Sync>(
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

/// Serde helpers that write decimals as exact JSON/CSV numbers: whole numbers without a
/// fraction ("16", not "16.0"), others with exactly their digits ("0.000008", never "8e-6"
/// and never through f64). Callers round first (money to the micro-dollar).
pub mod number {
    use rust_decimal::Decimal;
    use serde::Serializer;
    use serde::ser::SerializeStruct;

    /// serde_json writes an exact number (`arbitrary_precision`) as a one-field struct of
    /// this name holding the number's text; the CSV writer takes that text as the cell.
    pub(crate) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

    /// Serialize one decimal as a JSON number with its exact decimal text.
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        // What serde_json::Number serializes as, without parsing the text back (a tenth of
        // `compare --output csv` on 10,000 jobs): a Decimal's text is always a valid JSON
        // number (no exponent, no NaN).
        let mut number = serializer.serialize_struct(NUMBER_TOKEN, 1)?;
        number.serialize_field(NUMBER_TOKEN, &value.normalize().to_string())?;
        number.end()
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

    #[cfg(test)]
    mod tests {
        use rust_decimal_macros::dec;

        #[derive(Default, serde::Serialize)]
        struct Row {
            #[serde(with = "super")]
            usd: rust_decimal::Decimal,
            #[serde(with = "super::option")]
            ratio: Option<rust_decimal::Decimal>,
        }

        /// Regression: `--runs-per-month 0.001` printed money as `8e-6`.
        #[test]
        fn small_and_whole_values_are_written_exactly_without_exponent() {
            let rows = [
                Row {
                    usd: dec!(0.000008),
                    ratio: Some(dec!(16.0)),
                },
                Row {
                    usd: dec!(123456789.123456),
                    ratio: None,
                },
            ];
            let json = crate::report::json::render(&rows).unwrap();
            assert!(json.contains("\"usd\": 0.000008"), "{json}");
            assert!(json.contains("\"ratio\": 16\n"), "{json}");
            assert!(json.contains("\"usd\": 123456789.123456"), "{json}");
            let csv = crate::report::csv::render(&rows).unwrap();
            assert_eq!(csv, "usd,ratio\r\n0.000008,16\r\n123456789.123456,\r\n");
        }
    }
}
