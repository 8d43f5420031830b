use super::*;
use crate::experiment::EXAMPLE_TOML;

fn problems(text: &str) -> Vec<String> {
    match parse_experiment(text, "exp.toml") {
        Ok(_) => Vec::new(),
        Err(Error::Input { problems }) => problems,
        Err(e) => panic!("not an input error: {e}"),
    }
}

fn assert_has(ps: &[String], needle: &str) {
    assert!(
        ps.iter().any(|p| p.contains(needle)),
        "no problem contains {needle:?} in:\n{}",
        ps.join("\n")
    );
}

const HEAD: &str = "[experiment]\nname = \"e\"\nmaster_seed = 1\n[[scenarios]]\nname = \"s\"\n";

#[test]
fn the_example_is_valid() {
    let exp = parse_experiment(EXAMPLE_TOML, "example").unwrap();
    assert_eq!(exp.method(), Some(Method::Lhs));
    assert_eq!(
        exp.parameter_paths(),
        [
            "sectors.power.mac_price_at_5pct",
            "markets[0].auction_share"
        ]
    );
    assert_eq!(exp.sample_count(), Some(16));
    assert_eq!(exp.experiment.base, "embedded");
    assert_eq!(
        exp.output_overrides(),
        [
            "output.firm_level=\"none\"",
            "output.firm_sample_share=0.1",
            "output.firm_every_years=5"
        ]
    );
    let minimal = parse_experiment(HEAD, "m").unwrap();
    assert_eq!(
        (minimal.experiment.replicates, minimal.experiment.batch_size),
        (1, 16)
    );
    assert_eq!(minimal.sample_count(), Some(1));
    assert!(minimal.output_overrides().is_empty());
}

#[test]
fn a_malformed_experiment_reports_every_problem_with_its_key_path() {
    let text = r#"
[experiment]
name = "bad name"
base = ""
replicates = 0
master_seed = 1
batch_size = 0
[[scenarios]]
name = "a"
set = ["novalue"]
[[scenarios]]
name = "a"
file = ""
[samples]
method = "lhs"
n = 0
second_order = true
file = "x.csv"
[[samples.parameters]]
path = "p.values_here"
dist = "values"
values = [1, 2]
[[samples.parameters]]
path = "p.u"
dist = "uniform"
min = 5
max = 3
[[samples.parameters]]
path = "p.u"
dist = "normal"
mean = 1
sigma = 2
[[samples.parameters]]
path = "p..bad"
dist = "triangular"
min = 0
mode = 4
max = 3
[[samples.parameters]]
path = "p.l"
dist = "lognormal"
median = -1
sigma = 0
[[samples.parameters]]
path = "p.w"
dist = "weibull"
[output]
firm_level = "some"
firm_sample_share = 1.5
firm_every_years = 0
"#;
    let ps = problems(text);
    for needle in [
        "exp.toml: experiment.name = \"bad name\": must be letters, digits, _ and -",
        "exp.toml: experiment.base",
        "exp.toml: experiment.replicates = 0: must be at least 1",
        "exp.toml: experiment.batch_size = 0: must be at least 1",
        "exp.toml: scenarios[0].set[0]: --set \"novalue\": expected key.path=value",
        "exp.toml: scenarios[1].name = \"a\": duplicate scenario name",
        "exp.toml: scenarios[1].file",
        "exp.toml: samples.n = 0: must be at least 1",
        "exp.toml: samples.second_order: not used by method lhs",
        "exp.toml: samples.file: not used by method lhs",
        "exp.toml: samples.parameters[0].dist = \"values\": only allowed with method grid",
        "exp.toml: samples.parameters[1].max = 3: must be above min = 5",
        "exp.toml: samples.parameters[2].path = \"p.u\": duplicate parameter path",
        "exp.toml: samples.parameters[2].sigma: not a field of normal (fields: mean, sd)",
        "exp.toml: samples.parameters[2].sd: missing: normal needs mean, sd",
        "exp.toml: samples.parameters[3].path = \"p..bad\": must be a key path",
        "exp.toml: samples.parameters[3].mode = 4: must be within [min, max] = [0, 3]",
        "exp.toml: samples.parameters[4].median = -1: must be > 0",
        "exp.toml: samples.parameters[4].sigma = 0: must be > 0",
        "exp.toml: samples.parameters[5].dist = \"weibull\": must be one of uniform, normal",
        "exp.toml: output.firm_level = \"some\": must be one of all, sample, none",
        "exp.toml: output.firm_sample_share = 1.5: must be within (0, 1]",
        "exp.toml: output.firm_every_years = 0: must be at least 1",
    ] {
        assert_has(&ps, needle);
    }
    // Exactly these problems, nothing spurious.
    assert_eq!(ps.len(), 23, "{}", ps.join("\n"));
    let e = parse_experiment(text, "exp.toml").unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn method_rules() {
    let with = |samples: &str| problems(&format!("{HEAD}[samples]\n{samples}"));
    let ps = with(
        "method = \"sobol\"\n[[samples.parameters]]\npath = \"a.b\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n",
    );
    assert_has(
        &ps,
        "exp.toml: samples.method = \"sobol\": must be one of grid, random, lhs, saltelli, csv",
    );
    let ps = with(
        "method = \"grid\"\nn = 4\n[[samples.parameters]]\npath = \"a.b\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n[[samples.parameters]]\npath = \"a.c\"\ndist = \"values\"\n",
    );
    assert_has(&ps, "samples.n = 4: not used by method grid");
    assert_has(
        &ps,
        "samples.parameters[0].dist = \"uniform\": method grid needs dist = \"values\"",
    );
    assert_has(&ps, "samples.parameters[1].values: missing or empty");
    let ps = with(
        "method = \"csv\"\n[[samples.parameters]]\npath = \"a.b\"\ndist = \"uniform\"\nmin = 0\n",
    );
    assert_has(&ps, "samples.file: missing: method csv needs a design file");
    assert_has(
        &ps,
        "samples.parameters[0].dist = \"uniform\": not used by method csv",
    );
    assert_has(&ps, "samples.parameters[0].min: not used by method csv");
    let ps = with("method = \"saltelli\"\n[[samples.parameters]]\npath = \"a.b\"\n");
    assert_has(&ps, "samples.n: missing: method saltelli needs n >= 1");
    assert_has(&ps, "samples.parameters[0].dist: missing");
    let ps = with("method = \"random\"\nn = 3\n");
    assert_has(&ps, "samples.parameters: none given");
    // Any n >= 1 works for saltelli (no power of two needed).
    assert!(with("method = \"saltelli\"\nn = 3\n[[samples.parameters]]\npath = \"a.b\"\ndist = \"normal\"\nmean = 0\nsd = 1\n").is_empty());
}

#[test]
fn structural_problems() {
    let ps = problems("[experiment]\nname = \"e\"\nmaster_seed = 1\n");
    assert_has(&ps, "exp.toml: scenarios: none given");
    // Unknown keys are errors from the TOML reader, naming the key.
    let ps = problems(&format!("{HEAD}colour = 3\n"));
    assert_has(&ps, "colour");
    let ps = problems("[experiment]\nname = \"e\"\nmaster_seed = 1\nreplicates = -2\n");
    assert!(ps[0].starts_with("exp.toml: "), "{ps:?}");
    // Too many runs.
    let big = "[samples]\nmethod = \"saltelli\"\nn = 1000000\n[[samples.parameters]]\npath = \"a.b\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n[[samples.parameters]]\npath = \"a.c\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n[[samples.parameters]]\npath = \"a.d\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n[[samples.parameters]]\npath = \"a.e\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n[[samples.parameters]]\npath = \"a.f\"\ndist = \"uniform\"\nmin = 0\nmax = 1\n";
    let ps = problems(&format!("{HEAD}{big}"));
    assert_has(&ps, "exp.toml: experiment: the plan has 12000000 runs");
}
