//! A record's fields as table cells, straight from its `Serialize` (field names are the keys of
//! `schemas/fields.csv`), without building a JSON tree for every row: the workbook and the CSV of a
//! round of 100,000 initiatives read about 2.5 million fields.
//!
//! Texts and dates become [`Cell::Text`] (dates as ISO text, which the table parses for date columns),
//! numbers [`Cell::Number`], none and empty text [`Cell::Empty`], a list of texts one text joined with
//! [`LIST_SEPARATOR`], and a nested struct (`source`) [`Cell::Empty`]: the table writes it in its own
//! columns.

use serde::ser::{self, Impossible, Serialize, SerializeSeq, SerializeStruct, Serializer};
use serde_json::Error;

use chrono::NaiveDate;

/// Lists are joined with this in one cell.
pub const LIST_SEPARATOR: &str = "; ";

/// One cell of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// The fields of `record` (a struct), in declaration order, each with its cell.
pub(crate) fn fields(record: &impl Serialize) -> Result<Vec<(&'static str, Cell)>, Error> {
    let mut fields = Fields(Vec::with_capacity(32));
    record.serialize(&mut fields)?;
    Ok(fields.0)
}

struct Fields(Vec<(&'static str, Cell)>);

fn unsupported(what: &str) -> Error {
    ser::Error::custom(format!(
        "a table row is made from a struct of texts, numbers, dates and lists, not from {what}"
    ))
}

/// Serialises a struct as its fields; anything else is refused.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Error> {
            Err(unsupported(stringify!($method)))
        })*
    };
}

/// Tuples, maps and enums with data, which neither a row nor a cell is made from.
macro_rules! refuse_compound {
    () => {
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
            Err(unsupported("a tuple"))
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Error> {
            Err(unsupported("a tuple"))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            Err(unsupported("an enum with data"))
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
            Err(unsupported("a map"))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            Err(unsupported("an enum with data"))
        }
    };
}

impl Serializer for &mut Fields {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        Ok(self)
    }

    refuse!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(unsupported("an option"))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(unsupported("a newtype"))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(unsupported("an enum"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(unsupported("a list"))
    }
    refuse_compound!();
}

impl SerializeStruct for &mut Fields {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let cell = match value.serialize(OneCell)? {
            Cell::Text(text) if text.is_empty() => Cell::Empty,
            cell => cell,
        };
        self.0.push((key, cell));
        Ok(())
    }

    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

/// Serialises one field's value as a cell.
struct OneCell;

/// Every integer is a number cell.
macro_rules! integers {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<Cell, Error> {
            Ok(Cell::Number(v as f64))
        })*
    };
}

impl Serializer for OneCell {
    type Ok = Cell;
    type Error = Error;
    type SerializeSeq = List;
    type SerializeTuple = Impossible<Cell, Error>;
    type SerializeTupleStruct = Impossible<Cell, Error>;
    type SerializeTupleVariant = Impossible<Cell, Error>;
    type SerializeMap = Impossible<Cell, Error>;
    type SerializeStruct = Nested;
    type SerializeStructVariant = Impossible<Cell, Error>;

    fn serialize_bool(self, v: bool) -> Result<Cell, Error> {
        Ok(Cell::Text(v.to_string()))
    }
    integers!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
    );
    fn serialize_f32(self, v: f32) -> Result<Cell, Error> {
        Ok(finite(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Cell, Error> {
        Ok(finite(v))
    }
    fn serialize_char(self, v: char) -> Result<Cell, Error> {
        Ok(Cell::Text(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Cell, Error> {
        Ok(Cell::Text(v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Cell, Error> {
        Err(unsupported("bytes"))
    }
    fn serialize_none(self) -> Result<Cell, Error> {
        Ok(Cell::Empty)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Cell, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Cell, Error> {
        Ok(Cell::Empty)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Cell, Error> {
        Ok(Cell::Empty)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
    ) -> Result<Cell, Error> {
        Ok(Cell::Text(name.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Cell, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Cell, Error> {
        Err(unsupported("an enum with data"))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<List, Error> {
        Ok(List(Vec::with_capacity(len.unwrap_or(0))))
    }
    refuse_compound!();
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Nested, Error> {
        Ok(Nested)
    }
}

/// JSON has no NaN or infinity: like `serde_json`, they are no value.
fn finite(v: f64) -> Cell {
    if v.is_finite() {
        Cell::Number(v)
    } else {
        Cell::Empty
    }
}

/// A list's texts, joined with [`LIST_SEPARATOR`] (an empty text too, so the cell splits back into
/// the same list); items that are not texts are left out.
struct List(Vec<String>);

impl SerializeSeq for List {
    type Ok = Cell;
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if let Cell::Text(item) = value.serialize(OneCell)? {
            self.0.push(item);
        }
        Ok(())
    }

    fn end(self) -> Result<Cell, Error> {
        Ok(Cell::Text(self.0.join(LIST_SEPARATOR)))
    }
}

/// A struct inside the record (`source`): no cell of its own.
struct Nested;

impl SerializeStruct for Nested {
    type Ok = Cell;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Ok(())
    }

    fn end(self) -> Result<Cell, Error> {
        Ok(Cell::Empty)
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Inner {
        row: u32,
    }

    #[derive(Serialize)]
    struct Record {
        title: &'static str,
        note: Option<&'static str>,
        empty: &'static str,
        budget: f64,
        missing: f64,
        countries: Vec<&'static str>,
        funders: Vec<&'static str>,
        none: Vec<&'static str>,
        done: bool,
        source: Inner,
    }

    #[test]
    fn each_field_becomes_one_cell_in_declaration_order() {
        let record = Record {
            title: "Border management",
            note: None,
            empty: "",
            budget: 1200.5,
            missing: f64::NAN,
            countries: vec!["NER", "MLI"],
            funders: vec!["EU", "", "DEU"],
            none: vec![],
            done: true,
            source: Inner { row: 7 },
        };
        let cells = fields(&record).expect("a struct");
        assert_eq!(
            cells,
            [
                ("title", Cell::Text("Border management".into())),
                ("note", Cell::Empty),
                ("empty", Cell::Empty),
                ("budget", Cell::Number(1200.5)),
                ("missing", Cell::Empty),
                ("countries", Cell::Text("NER; MLI".into())),
                ("funders", Cell::Text("EU; ; DEU".into())),
                ("none", Cell::Empty),
                ("done", Cell::Text("true".into())),
                ("source", Cell::Empty),
            ]
        );
    }

    #[test]
    fn only_a_struct_makes_a_row() {
        let error = fields(&vec!["a"]).expect_err("a list is not a record");
        assert!(error.to_string().contains("made from a struct"), "{error}");
    }
}
