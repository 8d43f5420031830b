//! `synergy schema`: every output table's columns with type, unit and meaning: the tables of
//! a run's dataset, then the tables the calibration tools write.

use crate::error::Result;

/// Prints the schema as text, or as the Markdown of docs/OUTPUT.md.
pub fn schema(markdown: bool) -> Result<()> {
    if markdown {
        say_raw!("{}", crate::output::all_markdown());
        say!();
        say!("### Written by `synergy calibrate` and `synergy compare --match`");
        say!();
        say_raw!("{}", crate::output::registry::tool_markdown());
    } else {
        let tables = crate::output::all_tables();
        let tools = crate::output::registry::tool_tables();
        for (name, doc, cols) in tables.into_iter().chain(tools) {
            say!("{name}: {}", doc.trim());
            for c in cols {
                say!(
                    "  {:<28} {:<30} {:<18} {}",
                    c.name,
                    c.type_name,
                    c.unit,
                    c.doc.trim()
                );
            }
            say!();
        }
    }
    Ok(())
}
