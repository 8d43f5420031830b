//! Output: the declarative schema of every table ([`tables`]), column types ([`column`]),
//! the streaming Parquet writer ([`writer`]) and the year buffers filled by the record
//! phase ([`Buffers`]).

pub mod collect;
pub mod column;
pub mod schema;
pub mod tables;
pub mod writer;

pub use column::{Cat, Dicts};
pub use schema::{ColumnDoc, Table};
pub use tables::*;

use bevy_ecs::prelude::Resource;

/// Rows of the per-year tables buffered by the record phase until the runner writes them.
#[derive(Resource, Default, Debug)]
pub struct Buffers {
    /// `firm_year` rows.
    pub firm_year: FirmYear,
    /// `city_year` rows.
    pub city_year: CityYear,
    /// `market_year` rows.
    pub market_year: MarketYear,
    /// `nation_year` rows.
    pub nation_year: NationYear,
    /// `technology_year` rows.
    pub technology_year: TechnologyYear,
}

/// Markdown documentation of all tables (docs/OUTPUT.md and `synergy schema --markdown`).
pub fn all_markdown() -> String {
    [
        schema::markdown::<Runs>(),
        schema::markdown::<Summary>(),
        schema::markdown::<Firms>(),
        schema::markdown::<Cities>(),
        schema::markdown::<FirmYear>(),
        schema::markdown::<CityYear>(),
        schema::markdown::<MarketYear>(),
        schema::markdown::<NationYear>(),
        schema::markdown::<TechnologyYear>(),
        schema::markdown::<Milestones>(),
    ]
    .join("\n")
}

/// (table name, column docs) for every table, in documentation order.
pub fn all_tables() -> Vec<(&'static str, &'static str, Vec<ColumnDoc>)> {
    fn t<T: Table>() -> (&'static str, &'static str, Vec<ColumnDoc>) {
        (T::NAME, T::DOC, T::columns())
    }
    vec![
        t::<Runs>(),
        t::<Summary>(),
        t::<Firms>(),
        t::<Cities>(),
        t::<FirmYear>(),
        t::<CityYear>(),
        t::<MarketYear>(),
        t::<NationYear>(),
        t::<TechnologyYear>(),
        t::<Milestones>(),
    ]
}
