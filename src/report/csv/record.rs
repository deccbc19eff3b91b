//! A serde serializer that turns one flat row into its field names and cell texts directly.
//! Going through `serde_json::Value` allocated a map and a key per cell; on `compare` over
//! 10,000 jobs that was a quarter of the command's time.

use serde::ser::{self, Impossible, Serialize};

use crate::report::number::NUMBER_TOKEN;

/// Why a row cannot be a CSV record.
#[derive(Debug)]
pub(super) struct NotFlat(String);

impl std::fmt::Display for NotFlat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotFlat {}

impl ser::Error for NotFlat {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NotFlat(msg.to_string())
    }
}

fn not_flat<T>(what: &str) -> Result<T, NotFlat> {
    Err(NotFlat(format!(
        "a CSV row must be a flat record (found {what})"
    )))
}

/// One row's field names and cells, in field order.
#[derive(Default)]
pub(super) struct Record {
    pub(super) names: Vec<&'static str>,
    pub(super) cells: Vec<String>,
}

/// Serialize a row (a struct of scalars, options and lists) into a [`Record`].
pub(super) fn record<T: Serialize>(row: &T) -> Result<Record, NotFlat> {
    let mut record = Record::default();
    row.serialize(RowSerializer(&mut record))?;
    Ok(record)
}

struct RowSerializer<'a>(&'a mut Record);

impl<'a> ser::SerializeStruct for RowSerializer<'a> {
    type Ok = ();
    type Error = NotFlat;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotFlat> {
        self.0.names.push(key);
        self.0.cells.push(value.serialize(Cell)?);
        Ok(())
    }

    fn end(self) -> Result<(), NotFlat> {
        Ok(())
    }
}

/// Only `serialize_struct` is a row; every other shape is refused.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $ok:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$ok, NotFlat> {
            not_flat(stringify!($method))
        })*
    };
}

impl<'a> ser::Serializer for RowSerializer<'a> {
    type Ok = ();
    type Error = NotFlat;
    type SerializeSeq = Impossible<(), NotFlat>;
    type SerializeTuple = Impossible<(), NotFlat>;
    type SerializeTupleStruct = Impossible<(), NotFlat>;
    type SerializeTupleVariant = Impossible<(), NotFlat>;
    type SerializeMap = Impossible<(), NotFlat>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), NotFlat>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotFlat> {
        Ok(self)
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), NotFlat> {
        not_flat("an option")
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotFlat> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotFlat> {
        not_flat("an enum")
    }

    refuse! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> (); serialize_i16(i16) -> (); serialize_i32(i32) -> ();
        serialize_i64(i64) -> (); serialize_u8(u8) -> (); serialize_u16(u16) -> ();
        serialize_u32(u32) -> (); serialize_u64(u64) -> (); serialize_f32(f32) -> ();
        serialize_f64(f64) -> (); serialize_char(char) -> (); serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> (); serialize_none() -> (); serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

/// One cell: text as it is, numbers with their exact text, absent values empty, lists
/// joined with `;`.
struct Cell;

/// The items of a list cell.
struct List(Vec<String>);

impl ser::SerializeSeq for List {
    type Ok = String;
    type Error = NotFlat;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NotFlat> {
        self.0.push(value.serialize(Cell)?);
        Ok(())
    }

    fn end(self) -> Result<String, NotFlat> {
        Ok(self.0.join(";"))
    }
}

impl ser::SerializeTuple for List {
    type Ok = String;
    type Error = NotFlat;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NotFlat> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<String, NotFlat> {
        ser::SerializeSeq::end(self)
    }
}

/// The exact-number struct's one field, its text.
struct Number(String);

impl ser::SerializeStruct for Number {
    type Ok = String;
    type Error = NotFlat;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotFlat> {
        self.0 = value.serialize(Cell)?;
        Ok(())
    }

    fn end(self) -> Result<String, NotFlat> {
        Ok(self.0)
    }
}

macro_rules! display {
    ($($method:ident($ty:ty);)*) => {
        $(fn $method(self, value: $ty) -> Result<String, NotFlat> {
            Ok(value.to_string())
        })*
    };
}

impl ser::Serializer for Cell {
    type Ok = String;
    type Error = NotFlat;
    type SerializeSeq = List;
    type SerializeTuple = List;
    type SerializeTupleStruct = Impossible<String, NotFlat>;
    type SerializeTupleVariant = Impossible<String, NotFlat>;
    type SerializeMap = Impossible<String, NotFlat>;
    type SerializeStruct = Number;
    type SerializeStructVariant = Impossible<String, NotFlat>;

    display! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_char(char); serialize_str(&str);
    }

    fn serialize_f32(self, value: f32) -> Result<String, NotFlat> {
        self.serialize_f64(f64::from(value))
    }

    /// As JSON writes it (shortest round-trip text); NaN and infinities, which JSON has
    /// no number for, are empty.
    fn serialize_f64(self, value: f64) -> Result<String, NotFlat> {
        Ok(serde_json::Number::from_f64(value).map_or_else(String::new, |n| n.to_string()))
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<String, NotFlat> {
        not_flat("bytes")
    }

    fn serialize_none(self) -> Result<String, NotFlat> {
        Ok(String::new())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<String, NotFlat> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<String, NotFlat> {
        Ok(String::new())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<String, NotFlat> {
        Ok(String::new())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, NotFlat> {
        Ok(variant.to_string())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, NotFlat> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, NotFlat> {
        not_flat("an enum with data")
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<List, NotFlat> {
        Ok(List(Vec::with_capacity(len.unwrap_or(0))))
    }

    fn serialize_tuple(self, len: usize) -> Result<List, NotFlat> {
        Ok(List(Vec::with_capacity(len)))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotFlat> {
        not_flat("a tuple struct")
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotFlat> {
        not_flat("an enum with data")
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotFlat> {
        not_flat("a map")
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Number, NotFlat> {
        match name {
            NUMBER_TOKEN => Ok(Number(String::new())),
            _ => not_flat(&format!("a nested struct `{name}`")),
        }
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotFlat> {
        not_flat("an enum with data")
    }
}
