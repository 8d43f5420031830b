//! Column types of the output tables and their conversion to Arrow arrays.
//!
//! A column is a `Vec<T>` for one of the [`Column`] types below. Categorical strings
//! (market, sector names) are stored as [`Cat`] keys and written as Arrow dictionaries whose
//! values are given per column name by [`Dicts`], so the hot loop never formats or hashes a
//! string.

use arrow::array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, StringArray, UInt16Array,
    UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, UInt16Type};
use std::sync::Arc;

/// A key into a per-column dictionary of names (None = null).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cat(pub Option<u16>);

/// Dictionaries of categorical columns, by column name (e.g. `market`, `sector`).
#[derive(Clone, Debug, Default)]
pub struct Dicts {
    entries: Vec<(&'static str, ArrayRef)>,
}

impl Dicts {
    /// Adds the dictionary for columns called `column`.
    pub fn insert(&mut self, column: &'static str, values: &[String]) {
        let arr: ArrayRef = Arc::new(StringArray::from_iter_values(values.iter()));
        self.entries.retain(|(c, _)| *c != column);
        self.entries.push((column, arr));
    }

    fn get(&self, column: &str) -> ArrayRef {
        self.entries
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| Arc::new(StringArray::from(Vec::<String>::new())))
    }
}

/// A type that can be an output column.
pub trait Column: Sized {
    /// Type name shown by `synergy schema`.
    const TYPE_NAME: &'static str;
    /// Whether the column can hold nulls.
    const NULLABLE: bool;
    /// The Arrow type.
    fn data_type() -> DataType;
    /// Converts (and drains) the buffer into an Arrow array.
    fn to_array(values: &mut Vec<Self>, column: &str, dicts: &Dicts) -> ArrayRef;
}

macro_rules! plain {
    ($t:ty, $name:literal, $dt:expr, $arr:ty, $nullable:literal) => {
        impl Column for $t {
            const TYPE_NAME: &'static str = $name;
            const NULLABLE: bool = $nullable;
            fn data_type() -> DataType {
                $dt
            }
            fn to_array(values: &mut Vec<Self>, _: &str, _: &Dicts) -> ArrayRef {
                Arc::new(<$arr>::from(std::mem::take(values)))
            }
        }
    };
}

plain!(f64, "float64", DataType::Float64, Float64Array, false);
plain!(
    Option<f64>,
    "float64 (nullable)",
    DataType::Float64,
    Float64Array,
    true
);
plain!(u32, "uint32", DataType::UInt32, UInt32Array, false);
plain!(u64, "uint64", DataType::UInt64, UInt64Array, false);
plain!(i32, "int32", DataType::Int32, Int32Array, false);
plain!(
    Option<i32>,
    "int32 (nullable)",
    DataType::Int32,
    Int32Array,
    true
);
plain!(bool, "bool", DataType::Boolean, BooleanArray, false);
plain!(
    Option<bool>,
    "bool (nullable)",
    DataType::Boolean,
    BooleanArray,
    true
);
plain!(String, "string", DataType::Utf8, StringArray, false);

impl Column for Cat {
    const TYPE_NAME: &'static str = "string (dictionary, nullable)";
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Dictionary(Box::new(DataType::UInt16), Box::new(DataType::Utf8))
    }
    fn to_array(values: &mut Vec<Self>, column: &str, dicts: &Dicts) -> ArrayRef {
        let keys = UInt16Array::from_iter(values.drain(..).map(|c| c.0));
        let dict = dicts.get(column);
        match DictionaryArray::<UInt16Type>::try_new(keys.clone(), dict) {
            Ok(a) => Arc::new(a),
            // A key outside the dictionary is a bug; write nulls rather than panic.
            Err(_) => Arc::new(DictionaryArray::<UInt16Type>::new(
                UInt16Array::new_null(keys.len()),
                Arc::new(StringArray::from(Vec::<String>::new())),
            )),
        }
    }
}
