//! The `table!` macro: each output table is declared once, column by column, with its type,
//! unit and meaning. From that one declaration come the row buffer struct, the Arrow schema,
//! the record-batch conversion and the documentation printed by `synergy schema` and copied
//! into docs/OUTPUT.md.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use super::column::Dicts;

/// Documentation of one column.
#[derive(Clone, Copy, Debug)]
pub struct ColumnDoc {
    /// Column name.
    pub name: &'static str,
    /// Type name (see [`super::column::Column::TYPE_NAME`]).
    pub type_name: &'static str,
    /// Unit (empty for identifiers and flags).
    pub unit: &'static str,
    /// Meaning.
    pub doc: &'static str,
}

/// What every output table offers.
pub trait Table: Default {
    /// Table (folder) name.
    const NAME: &'static str;
    /// What one row is.
    const DOC: &'static str;
    /// Column documentation in schema order.
    fn columns() -> Vec<ColumnDoc>;
    /// The Arrow schema.
    fn schema() -> SchemaRef;
    /// Buffered rows.
    fn len(&self) -> usize;
    /// Whether no rows are buffered.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Drains the buffered rows into a record batch.
    fn take_batch(&mut self, dicts: &Dicts) -> Result<RecordBatch, arrow::error::ArrowError>;
}

/// Declares an output table. See `output/tables.rs`.
#[macro_export]
macro_rules! table {
    (
        $(#[doc = $tdoc:literal])*
        $name:ident = $table:literal {
            $( $(#[doc = $doc:literal])* $col:ident : $ty:ty [$unit:literal] ),* $(,)?
        }
    ) => {
        $(#[doc = $tdoc])*
        #[derive(Debug, Default)]
        pub struct $name {
            $( $(#[doc = $doc])* pub $col: Vec<$ty>, )*
        }

        impl $name {
            /// Moves every row of `other` to the end of `self`.
            pub fn append(&mut self, other: &mut Self) {
                $( self.$col.append(&mut other.$col); )*
            }
        }

        impl $crate::output::schema::Table for $name {
            const NAME: &'static str = $table;
            const DOC: &'static str = concat!($($tdoc),*);
            fn columns() -> Vec<$crate::output::schema::ColumnDoc> {
                vec![$( $crate::output::schema::ColumnDoc {
                    name: stringify!($col),
                    type_name: <$ty as $crate::output::column::Column>::TYPE_NAME,
                    unit: $unit,
                    doc: concat!($($doc),*),
                }, )*]
            }
            fn schema() -> arrow::datatypes::SchemaRef {
                std::sync::Arc::new(arrow::datatypes::Schema::new(vec![$(
                    arrow::datatypes::Field::new(
                        stringify!($col),
                        <$ty as $crate::output::column::Column>::data_type(),
                        <$ty as $crate::output::column::Column>::NULLABLE,
                    ),
                )*]))
            }
            fn len(&self) -> usize {
                [$( self.$col.len() ),*].into_iter().max().unwrap_or(0)
            }
            fn take_batch(
                &mut self,
                dicts: &$crate::output::column::Dicts,
            ) -> Result<arrow::record_batch::RecordBatch, arrow::error::ArrowError> {
                let columns: Vec<arrow::array::ArrayRef> = vec![$(
                    <$ty as $crate::output::column::Column>::to_array(&mut self.$col, dicts),
                )*];
                arrow::record_batch::RecordBatch::try_new(Self::schema(), columns)
            }
        }
    };
}

/// Renders the documentation of a table as Markdown.
pub fn markdown<T: Table>() -> String {
    let mut s = format!(
        "### `{}`\n\n{}\n\n| column | type | unit | meaning |\n|---|---|---|---|\n",
        T::NAME,
        T::DOC.trim()
    );
    for c in T::columns() {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.name,
            c.type_name,
            c.unit,
            c.doc.trim()
        ));
    }
    s
}

/// Checks that a batch has the table's schema (used by tests and the writer).
pub fn matches<T: Table>(batch: &RecordBatch) -> bool {
    batch.schema().fields() == T::schema().fields()
}
