//! `footprint`, the command line. Thin: it parses arguments, reads files, calls the library
//! crates and prints; the work is theirs.

mod catalog;
mod check;
mod input;
mod latency;
mod optimize;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use footprint_model::{LoadError, RegionStatus};
use footprint_policy::{Action, DataClass, Mechanism, PolicyError};

const AFTER_HELP: &str = "\
Exit codes: 0 success; 1 failure; 2 bad arguments; 3 bad input data (a catalog, measurement or \
policy file was refused, with every problem listed on stderr).

The catalog is built in: `footprint catalog regions` needs no setup. Add --catalog DIR to \
extend or override it with your own TOML or CSV files (see catalog/FORMAT.md in the source); \
Cedar files in DIR/laws/ add to or replace the built-in law base.

The residency law base is not legal advice: it is a cited summary, with how sure we are of each \
rule.";

/// Plan, place and route a sovereign multi-region cloud.
///
/// footprint knows the world's cloud regions, countries and residency blocs as sourced,
/// dated facts, estimates the latency between any two places, says which regions the
/// residency laws (and your own Cedar policies) allow for any data, and why, and places
/// workloads in compliant, low-latency, survivable, cheap regions with a stated optimality gap.
#[derive(Debug, Parser)]
#[command(name = "footprint", version, after_help = AFTER_HELP)]
struct Cli {
    /// A folder of your own catalog files (*.toml, *.csv) that extend or override the built-in
    /// catalog by key; may be given more than once, later folders win.
    #[arg(long = "catalog", value_name = "DIR", global = true)]
    catalogs: Vec<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Explore the world catalog: regions, countries, coverage, AI offerings, maps.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Estimated round-trip time between two places.
    ///
    /// A place is a region (provider:code, e.g. aws:us-east-1), a country (ISO alpha-2, e.g.
    /// MX: its users, as population-weighted cities) or a point (lat,lon, e.g. 19.43,-99.13).
    /// A measured value for the exact pair, from the catalog or --measured, wins over the
    /// estimate.
    Latency {
        /// Where from: provider:code, a country code, or lat,lon.
        #[arg(allow_hyphen_values = true)]
        from: String,
        /// Where to: provider:code, a country code, or lat,lon.
        #[arg(allow_hyphen_values = true)]
        to: String,
        /// A CSV of measured round-trip times (from,to,rtt_ms,source,as_of) that override the
        /// estimate for their pairs and join its calibration.
        #[arg(long, value_name = "FILE")]
        measured: Vec<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Which regions may hold or process this data, and why: every region, or one with
    /// `--region`, allowed or forbidden by the law base and your policies. Not legal advice.
    ///
    /// Example: footprint check --class personal --subject MX --action store --mechanism scc
    Check {
        /// The data class: personal, sensitive_personal, health, financial, payment, government,
        /// important_data, telecom_metadata or non_personal.
        #[arg(long, value_parser = parse_class)]
        class: DataClass,
        /// The country of the people the data is about (ISO 3166-1 alpha-2).
        #[arg(long, value_name = "CC")]
        subject: String,
        /// What is done in the region: store (primary copy), replicate, backup, process
        /// (transient, e.g. inference) or log.
        #[arg(long, value_parser = parse_action)]
        action: Action,
        /// A transfer mechanism the tenant holds (repeat for more): consent, scc, bcr, dpf,
        /// certification, security_assessment, regulator_approval, contract, local_copy.
        #[arg(long = "mechanism", value_name = "M", value_parser = parse_mechanism)]
        mechanisms: Vec<Mechanism>,
        /// A Cedar file of the tenant's own policies, added to the law base (repeatable).
        #[arg(long = "tenant-policy", value_name = "FILE")]
        tenant_policies: Vec<PathBuf>,
        /// The tenant asking, as its policies name it (principal == Tenant::"acme").
        #[arg(long, default_value = "default")]
        tenant: String,
        /// Explain this one region (provider:code) in full.
        #[arg(long, value_name = "PROVIDER:CODE")]
        region: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The jurisdictions of the residency law base and their rules by kind. Not legal advice.
    Laws {
        /// Every rule with its law, article, source, as-of date and confidence.
        #[arg(long)]
        json: bool,
    },
    /// Solve an optimisation problem from a file: the objective, a proven lower bound, the gap
    /// between them, and the time.
    #[command(subcommand)]
    Solve(SolveCommand),
    /// Place workloads onto regions: compliant for every user country's data, within the
    /// latency target, surviving the failures asked for, at least cost. Not legal advice.
    ///
    /// FILE is a TOML workload file (see examples/workloads.toml). Prints each workload's
    /// regions and roles, the routing table (country -> regions in order, every one allowed for
    /// that country's data), latency per country and cost, and why anything cannot be served.
    /// Every placement is checked by an independent validator before it is printed.
    Place {
        /// The workload file.
        file: PathBuf,
        /// A Cedar file of the tenant's own policies (repeatable); the tenant is the file's
        /// `tenant` (default "default").
        #[arg(long = "tenant-policy", value_name = "FILE")]
        tenant_policies: Vec<PathBuf>,
        /// Write a map per workload (SVG) and placement.json into DIR.
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// How the latency model fits the measured round-trip times it is calibrated on, by
    /// distance band, against two simple baselines.
    LatencyModel {
        /// Also calibrate on these measured CSV files (as for `latency --measured`).
        #[arg(long, value_name = "FILE")]
        measured: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum SolveCommand {
    /// A single-source capacitated facility location instance in the benchmark format of
    /// shared/data/sscflp (m n, capacities, fixed costs, demands, n rows of m costs).
    Sscflp {
        file: PathBuf,
        /// Solve exactly with HiGHS (needs a build with `--features highs`).
        #[arg(long)]
        exact: bool,
        /// Stop after this many seconds and report the bound and gap reached (default 1, or
        /// 600 with --exact).
        #[arg(long, value_name = "SECONDS")]
        time_limit: Option<f64>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// List regions.
    Regions {
        /// Only this provider (aws, azure, gcp, oracle, alibaba, huawei, tencent...).
        #[arg(long)]
        provider: Option<String>,
        /// Only regions in this country (ISO alpha-2).
        #[arg(long)]
        country: Option<String>,
        /// Only regions with this status.
        #[arg(long, value_parser = parse_status)]
        status: Option<RegionStatus>,
        #[arg(long)]
        json: bool,
    },
    /// List countries with their population and population points.
    Countries {
        #[arg(long)]
        json: bool,
    },
    /// Sovereign-coverage matrix: for each country and provider, a generally available
    /// region inside the country, or the nearest one and how far.
    Coverage {
        /// Only these countries (comma-separated ISO alpha-2 codes); default: every country,
        /// most populous first.
        #[arg(long, value_delimiter = ',', value_name = "CC,...")]
        countries: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// AI model offerings by region (Model Studio, Bedrock, Azure OpenAI, Vertex AI...).
    Ai {
        #[arg(long)]
        provider: Option<String>,
        /// Only offerings with a model whose id contains this text.
        #[arg(long)]
        model: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Draw a world map (SVG) with every region as a dot coloured by provider.
    Map {
        /// Where to write the SVG.
        #[arg(long, value_name = "FILE.svg")]
        out: PathBuf,
        /// Only this provider.
        #[arg(long)]
        provider: Option<String>,
    },
    /// List the sources the catalog's facts come from.
    Sources {
        #[arg(long)]
        json: bool,
    },
    /// Load the catalog (with any --catalog folders), report every problem, print a summary.
    Validate {
        #[arg(long)]
        json: bool,
    },
}

fn parse_status(s: &str) -> Result<RegionStatus, String> {
    s.parse::<RegionStatus>().map_err(str::to_owned)
}

fn parse_class(s: &str) -> Result<DataClass, String> {
    DataClass::parse(s).map_err(|e| e.to_string())
}

fn parse_action(s: &str) -> Result<Action, String> {
    Action::parse(s).map_err(|e| e.to_string())
}

fn parse_mechanism(s: &str) -> Result<Mechanism, String> {
    Mechanism::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(load) = e.downcast_ref::<LoadError>() {
                eprintln!("error: {load}");
                ExitCode::from(3)
            } else if let Some(policy) = e.downcast_ref::<PolicyError>() {
                eprint!("error: {policy}");
                ExitCode::from(3)
            } else if let Some(file) = e.downcast_ref::<footprint_place::WorkloadFileError>() {
                eprintln!("error: {file}");
                ExitCode::from(3)
            } else if let Some(m) =
                e.downcast_ref::<footprint_place::tenant::TenantPolicyMismatch>()
            {
                eprintln!("error: {m}");
                ExitCode::from(3)
            } else if let Some(bad) = e.downcast_ref::<input::BadArgument>() {
                eprintln!("error: {bad}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Catalog(cmd) => {
            let world = input::load_world(&cli.catalogs, &[])?;
            catalog::run(&world, cmd)
        }
        Command::Latency {
            from,
            to,
            measured,
            json,
        } => {
            let world = input::load_world(&cli.catalogs, &measured)?;
            latency::run(&world, &from, &to, json)
        }
        Command::Check {
            class,
            subject,
            action,
            mechanisms,
            tenant_policies,
            tenant,
            region,
            json,
        } => {
            let world = input::load_world(&cli.catalogs, &[])?;
            let engine = input::load_engine(&world, &cli.catalogs, &tenant_policies)?;
            let args = check::CheckArgs {
                tenant,
                class,
                subject,
                action,
                mechanisms: mechanisms.into_iter().collect(),
                region,
                json,
            };
            check::run(&world, &engine, &args)
        }
        Command::Laws { json } => {
            let world = input::load_world(&cli.catalogs, &[])?;
            let engine = input::load_engine(&world, &cli.catalogs, &[])?;
            check::laws(&engine, json)
        }
        Command::Solve(SolveCommand::Sscflp {
            file,
            exact,
            time_limit,
            json,
        }) => {
            let limit = time_limit.unwrap_or(if exact { 600.0 } else { 1.0 });
            optimize::solve_sscflp(&file, json, exact, limit)
        }
        Command::Place {
            file,
            tenant_policies,
            report,
            json,
        } => {
            let world = input::load_world(&cli.catalogs, &[])?;
            let engine = input::load_engine(&world, &cli.catalogs, &tenant_policies)?;
            optimize::place(&world, &engine, &optimize::PlaceArgs { file, json, report })
        }
        Command::LatencyModel { measured, json } => {
            let world = input::load_world(&cli.catalogs, &measured)?;
            latency::report(&world, json)
        }
    }
}
