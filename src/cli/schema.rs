//! `synergy schema`: every output table's columns with type, unit and meaning.

use crate::error::Result;

/// Prints the schema as text, or as the Markdown of docs/OUTPUT.md.
pub fn schema(markdown: bool) -> Result<()> {
    if markdown {
        say_raw!("{}", crate::output::all_markdown());
    } else {
        for (name, doc, cols) in crate::output::all_tables() {
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
