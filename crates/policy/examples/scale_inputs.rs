//! Writes the inputs of the policy scale figures in BENCHMARKS.md: a tenant policy file of N
//! synthetic rules (`footprint_policy::synthetic`) and a catalog folder that adds M synthetic
//! regions (spread over the built-in providers and the countries that have regions).
//!
//! ```sh
//! cargo run --release -p footprint-policy --example scale_inputs -- /tmp/scale 10000 100000
//! footprint check --tenant tenant-00001 --class personal --subject DE --action store \
//!     --tenant-policy /tmp/scale/tenants.cedar
//! footprint --catalog /tmp/scale/catalog check --class personal --subject DE --action store
//! ```
#![allow(clippy::unwrap_used, reason = "example")]

use std::fmt::Write as _;
use std::path::PathBuf;

use footprint_policy::synthetic;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/scale".into()));
    let rules: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let regions: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let world = footprint_model::load_embedded().unwrap();
    std::fs::create_dir_all(dir.join("catalog")).unwrap();
    std::fs::write(dir.join("tenants.cedar"), synthetic::policies(rules)).unwrap();

    let mut csv = String::from(
        "provider,code,name,city,country,lat,lon,status,launched,source,as_of,partition,operator\n",
    );
    let base = &world.regions;
    for i in 0..regions {
        let like = &base[i % base.len()];
        writeln!(
            csv,
            "{},syn-{i},Synthetic {i},{},{},{},{},ga,2020-01-01,{},2026-11-26,{},{}",
            like.provider,
            like.city.replace(',', " "),
            like.country,
            like.lat,
            like.lon,
            like.provenance.source,
            like.partition.as_str(),
            like.operator.as_deref().unwrap_or("")
        )
        .unwrap();
    }
    std::fs::write(dir.join("catalog/regions-synthetic.csv"), csv).unwrap();
    println!(
        "{}: tenants.cedar ({rules} rules), catalog/regions-synthetic.csv ({regions} regions)",
        dir.display()
    );
}
