//! The table registry: the one list of output tables. From it come the row buffers of a run
//! ([`Buffers`]), the open files of a part ([`PartFiles`]: create, write, finish), the
//! schema listing of `synergy schema` ([`all_tables`]) and the Markdown of docs/OUTPUT.md
//! ([`all_markdown`]). A new table is its `table!` declaration in `output/tables.rs`, one
//! line below, and the code that fills its rows (`output/collect/`).

use super::column::Dicts;
use super::schema::{self, ColumnDoc, Table};
use super::tables::*;
use super::writer::TableWriter;
use crate::error::Result;
use bevy_ecs::prelude::Resource;
use std::path::{Path, PathBuf};

/// When a table's rows are made and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Once per run, right after the world is built (static attributes).
    Static,
    /// Every simulated year by the record phase; flushed between years.
    Yearly,
    /// Once per run at its end; a part's rows are written when the part finishes.
    PerRun,
}

macro_rules! registry {
    (
        marker: $marker:ident;
        $( $(#[doc = $doc:literal])* $field:ident : $ty:ident => $kind:ident ),* $(,)?
    ) => {
        /// Rows of every table not yet written (a resource of the run's World; the runner
        /// drains it into the part's files).
        #[derive(Resource, Default, Debug)]
        pub struct Buffers {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl Buffers {
            /// Moves the rows of the tables of kind `kind` from `other` to the end of `self`.
            pub fn append(&mut self, other: &mut Buffers, kind: Kind) {
                $( if Kind::$kind == kind { self.$field.append(&mut other.$field); } )*
            }
        }

        /// The open files of one part (under a staging root): one per table.
        pub struct PartFiles {
            $( $field: TableWriter, )*
        }

        impl PartFiles {
            /// Creates the file of every table for part `part` of `scenario` under `root`.
            pub fn create(root: &Path, scenario: &str, part: u32) -> Result<Self> {
                Ok(PartFiles {
                    $( $field: TableWriter::create::<$ty>(root, scenario, part)?, )*
                })
            }

            /// Writes (and drains) the buffered rows of the tables of kind `kind`.
            pub fn write(&mut self, rows: &mut Buffers, kind: Kind, dicts: &Dicts) -> Result<()> {
                $( if Kind::$kind == kind { self.$field.write(&mut rows.$field, dicts)?; } )*
                Ok(())
            }

            /// Closes and fsyncs every file; returns their paths in publication order, the
            /// completion table (`runs`) last.
            pub fn finish(self) -> Result<Vec<PathBuf>> {
                let PartFiles { $( $field, )* } = self;
                let mut marker = None;
                let mut paths = Vec::new();
                $(
                    if stringify!($field) == stringify!($marker) {
                        marker = Some($field);
                    } else {
                        paths.push($field.finish()?);
                    }
                )*
                match marker {
                    Some(m) => paths.push(m.finish()?),
                    None => return Err(crate::error::Error::Bug("no completion marker table".into())),
                }
                Ok(paths)
            }
        }

        /// (table name, what a row is, column docs) for every table, in documentation order.
        pub fn all_tables() -> Vec<(&'static str, &'static str, Vec<ColumnDoc>)> {
            vec![ $( (<$ty as Table>::NAME, <$ty as Table>::DOC, <$ty as Table>::columns()), )* ]
        }

        /// Markdown documentation of all tables (docs/OUTPUT.md and `synergy schema --markdown`).
        pub fn all_markdown() -> String {
            [ $( schema::markdown::<$ty>(), )* ].join("\n")
        }

        /// Tables written by the calibration tools, not by runs: (name, doc, columns).
        pub fn tool_tables() -> Vec<(&'static str, &'static str, Vec<ColumnDoc>)> {
            vec![
                (CalibrationTrace::NAME, CalibrationTrace::DOC, CalibrationTrace::columns()),
                (MatchedSummary::NAME, MatchedSummary::DOC, MatchedSummary::columns()),
                (HistoryValidation::NAME, HistoryValidation::DOC, HistoryValidation::columns()),
                (HistoryFit::NAME, HistoryFit::DOC, HistoryFit::columns()),
            ]
        }

        /// Markdown documentation of the tool tables.
        pub fn tool_markdown() -> String {
            [
                schema::markdown::<CalibrationTrace>(),
                schema::markdown::<MatchedSummary>(),
                schema::markdown::<HistoryValidation>(),
                schema::markdown::<HistoryFit>(),
            ]
            .join("\n")
        }

        /// Every table's name, in documentation order.
        pub const TABLE_NAMES: &[&str] = &[ $( stringify!($field), )* ];

        /// The name of the table whose file marks a part complete (written last).
        pub const COMPLETION_TABLE: &str = stringify!($marker);
    };
}

registry! {
    marker: runs;
    /// `runs` rows (one per run; the part's completion marker).
    runs: Runs => PerRun,
    /// `summary` rows (one per run).
    summary: Summary => PerRun,
    /// `firms` rows (static, per run).
    firms: Firms => Static,
    /// `cities` rows (static, per run).
    cities: Cities => Static,
    /// `firm_year` rows.
    firm_year: FirmYear => Yearly,
    /// `city_year` rows.
    city_year: CityYear => Yearly,
    /// `market_year` rows.
    market_year: MarketYear => Yearly,
    /// `nation_year` rows.
    nation_year: NationYear => Yearly,
    /// `goods_year` rows.
    goods_year: GoodsYear => Yearly,
    /// `technology_year` rows.
    technology_year: TechnologyYear => Yearly,
    /// `power_year` rows.
    power_year: PowerYear => Yearly,
    /// `power_tech_year` rows.
    power_tech_year: PowerTechYear => Yearly,
    /// `flow_year` rows.
    flow_year: FlowYear => Yearly,
    /// `fuel_year` rows.
    fuel_year: FuelYear => Yearly,
    /// `capacity_year` rows.
    capacity_year: CapacityYear => Yearly,
    /// `compensation_year` rows.
    compensation_year: CompensationYear => Yearly,
    /// `research_year` rows.
    research_year: ResearchYear => Yearly,
    /// `milestones` rows (per run).
    milestones: Milestones => PerRun,
    /// `region_peaks` rows (per run).
    region_peaks: RegionPeaks => PerRun,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_registered_once_and_folder_names_match() {
        let names: Vec<&str> = all_tables().iter().map(|t| t.0).collect();
        assert_eq!(names, TABLE_NAMES);
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert!(TABLE_NAMES.contains(&COMPLETION_TABLE));
    }

    #[test]
    fn append_moves_only_the_kind_asked_for() {
        let mut a = Buffers::default();
        let mut b = Buffers::default();
        b.runs.run_id.push(7);
        b.firm_year.run_id.push(7);
        a.append(&mut b, Kind::PerRun);
        assert_eq!(a.runs.run_id, vec![7]);
        assert!(b.runs.run_id.is_empty());
        assert!(a.firm_year.run_id.is_empty());
        assert_eq!(b.firm_year.run_id, vec![7]);
    }
}
