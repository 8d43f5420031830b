//! The `synergy` binary: parses the command line, calls the library, maps errors to exit
//! codes (2: bad input, 1: runtime failure).

use clap::Parser;

fn main() {
    let cli = match synergy::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(e) = synergy::cli::main_with(cli) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
