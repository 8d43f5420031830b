//! Column types of the output tables and their conversion to Arrow arrays.
//!
//! A column is a `Vec<T>` for one of the [`Column`] types below. Categorical strings
//! (market, sector names) are stored as [`Cat`] keys and written as Arrow dictionaries whose
//! values come from the typed dictionary `D` of `Cat<D>` in [`Dicts`], so the hot loop never
//! formats or hashes a string and every categorical column names its dictionary in its type.

use arrow::array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, StringArray, UInt16Array,
    UInt32Array, UInt64Array,
};
use arrow::datatypes::{DataType, UInt16Type};
use std::marker::PhantomData;
use std::sync::Arc;

/// A dictionary of category names that a [`Cat`] column refers to. Each dictionary is a
/// marker type with its own field in [`Dicts`], so a categorical column whose dictionary
/// the run does not provide is a compile error, not a column of silent nulls.
pub trait Dictionary {
    /// The dictionary's values in a [`Dicts`].
    fn values(dicts: &Dicts) -> &ArrayRef;
}

/// A key into the dictionary `D` of names (None = null).
pub struct Cat<D>(Option<u16>, PhantomData<D>);

impl<D> Cat<D> {
    /// The null category.
    pub const NULL: Self = Cat(None, PhantomData);
    /// Category `key` of dictionary `D`.
    pub const fn of(key: u16) -> Self {
        Cat(Some(key), PhantomData)
    }
    /// Category `key`, or null.
    pub const fn from_opt(key: Option<u16>) -> Self {
        Cat(key, PhantomData)
    }
    /// The key (None = null).
    pub const fn key(self) -> Option<u16> {
        self.0
    }
}

impl<D> Clone for Cat<D> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<D> Copy for Cat<D> {}
impl<D> Default for Cat<D> {
    fn default() -> Self {
        Self::NULL
    }
}
impl<D> PartialEq for Cat<D> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<D> Eq for Cat<D> {}
impl<D> std::fmt::Debug for Cat<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cat({:?})", self.0)
    }
}

/// Declares the dictionaries: a marker type per dictionary and one field of [`Dicts`] each.
macro_rules! dictionaries {
    ($( $(#[doc = $doc:literal])* $marker:ident => $field:ident ),* $(,)?) => {
        /// Marker types of the category dictionaries (the `D` of [`Cat<D>`]).
        pub mod dict {
            $( $(#[doc = $doc])* #[derive(Debug)] pub struct $marker; )*
        }

        /// The category dictionaries of one scenario's output, one per [`Dictionary`].
        #[derive(Clone, Debug)]
        pub struct Dicts {
            $( $(#[doc = $doc])* pub $field: ArrayRef, )*
        }

        /// The names of each dictionary, used to build [`Dicts`].
        #[derive(Clone, Debug, Default)]
        pub struct DictNames {
            $( $(#[doc = $doc])* pub $field: Vec<String>, )*
        }

        impl Dicts {
            /// Builds the Arrow dictionaries from their names.
            pub fn new(names: &DictNames) -> Self {
                Dicts {
                    $( $field: Arc::new(StringArray::from_iter_values(names.$field.iter())), )*
                }
            }
        }

        $(
            impl Dictionary for dict::$marker {
                fn values(dicts: &Dicts) -> &ArrayRef {
                    &dicts.$field
                }
            }
        )*
    };
}

dictionaries! {
    /// Market names (`markets[].name`, index = market id).
    Market => market,
    /// Sector names (index = sector id).
    Sector => sector,
    /// Firm classes: each sector's main population, then its groups as `<sector>.<group>`
    /// (index = class id).
    Class => class,
    /// Province names (row order of the provinces table).
    Province => province,
    /// Grid regions.
    Grid => grid,
    /// Urban agglomerations.
    Agglomeration => agglomeration,
    /// Technology names (index = technology id).
    Technology => technology,
    /// Region levels of the technology tables (`nation`, `agglomeration`) and of `region_peaks`
    /// (also `province`, and `city` for cities with a target).
    Level => level,
    /// Power generation technologies: `thermal`, then the fleets of `[power.fleets]`.
    PowerTech => power_tech,
    /// Time slices of `[power]`.
    Slice => slice,
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
    fn to_array(values: &mut Vec<Self>, dicts: &Dicts) -> ArrayRef;
}

macro_rules! plain {
    ($t:ty, $name:literal, $dt:expr, $arr:ty, $nullable:literal) => {
        impl Column for $t {
            const TYPE_NAME: &'static str = $name;
            const NULLABLE: bool = $nullable;
            fn data_type() -> DataType {
                $dt
            }
            fn to_array(values: &mut Vec<Self>, _: &Dicts) -> ArrayRef {
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
plain!(
    Option<u32>,
    "uint32 (nullable)",
    DataType::UInt32,
    UInt32Array,
    true
);
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

impl<D: Dictionary> Column for Cat<D> {
    const TYPE_NAME: &'static str = "string (dictionary, nullable)";
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Dictionary(Box::new(DataType::UInt16), Box::new(DataType::Utf8))
    }
    fn to_array(values: &mut Vec<Self>, dicts: &Dicts) -> ArrayRef {
        let keys = UInt16Array::from_iter(values.drain(..).map(|c| c.0));
        let dict = D::values(dicts).clone();
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
