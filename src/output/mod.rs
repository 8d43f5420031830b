//! Output: every table and column declared once ([`tables`], with the `table!` macro of
//! [`schema`]), the one list of tables ([`registry`]: buffers, part files, schema listing),
//! column types and typed category dictionaries ([`column`]), the streaming Parquet writer
//! ([`writer`]) and the row builders ([`collect`]: the record phase's systems and the rows
//! made once per run).

pub mod collect;
pub mod column;
pub mod commit;
pub mod registry;
pub mod schema;
pub mod tables;
pub mod writer;

pub use column::{Cat, DictNames, Dicts, dict};
pub use registry::{
    Buffers, COMPLETION_TABLE, Kind, PartFiles, TABLE_NAMES, all_markdown, all_tables,
};
pub use schema::{ColumnDoc, Table};
pub use tables::*;
