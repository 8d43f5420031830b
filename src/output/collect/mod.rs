//! Row builders: the record phase's systems that append each year's rows ([`year`]).

pub mod year;
