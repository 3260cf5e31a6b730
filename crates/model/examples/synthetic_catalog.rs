//! Writes a large user catalog for the scale benchmark: `synthetic_catalog N DIR [--toml]` puts N
//! regions in DIR/regions.csv (or DIR/regions.toml), each a copy of an embedded region (same provider, country and
//! coordinates, so every check passes) under a new code. BENCHMARKS.md says how it is used:
//!
//! ```sh
//! cargo run --release -p footprint-model --example synthetic_catalog -- 100000 /tmp/big
//! footprint --catalog /tmp/big catalog validate
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .ok_or("usage: synthetic_catalog N DIR")?
        .parse()?;
    let dir = PathBuf::from(args.next().ok_or("usage: synthetic_catalog N DIR")?);
    let toml = args.next().as_deref() == Some("--toml");
    let world = footprint_model::load_embedded()?;
    if toml {
        return write_toml(&world, n, &dir);
    }
    let mut csv = String::from(
        "provider,code,name,city,country,lat,lon,status,launched,zones,source,as_of\n",
    );
    for i in 0..n {
        let r = &world.regions[i % world.regions.len()];
        writeln!(
            csv,
            "{},{}-s{i},Synthetic {i},{},{},{},{},ga,2025-01,3,{},{}",
            r.provider,
            r.code,
            r.city.replace(',', " "),
            r.country,
            r.lat,
            r.lon,
            r.provenance.source,
            r.provenance.as_of
        )?;
    }
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("regions.csv"), csv)?;
    println!("wrote {n} regions to {}", dir.join("regions.csv").display());
    Ok(())
}

fn write_toml(
    world: &footprint_model::World,
    n: usize,
    dir: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut text = String::new();
    for i in 0..n {
        let r = &world.regions[i % world.regions.len()];
        writeln!(
            text,
            "[[region]]\nprovider = {:?}\ncode = \"{}-s{i}\"\nname = \"Synthetic {i}\"\n\
             city = {:?}\ncountry = \"{}\"\nlat = {}\nlon = {}\nstatus = \"ga\"\n\
             launched = \"2025-01\"\nzones = 3\nsource = {:?}\nas_of = \"{}\"\n",
            r.provider,
            r.code,
            r.city,
            r.country,
            r.lat,
            r.lon,
            r.provenance.source,
            r.provenance.as_of
        )?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("regions.toml"), text)?;
    println!(
        "wrote {n} regions to {}",
        dir.join("regions.toml").display()
    );
    Ok(())
}
