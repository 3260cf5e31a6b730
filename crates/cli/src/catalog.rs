//! `footprint catalog ...`: printing the world catalog.

use std::collections::HashMap;
use std::fs;
use std::io::Write;

use anyhow::Context;
use footprint_geo::LatencyModel;
use footprint_geo::coverage::coverage;
use footprint_geo::shapes::WorldShapes;
use footprint_model::{CountryCode, Region, RegionStatus, World};
use footprint_policy::Engine;
use footprint_report::{LegendEntry, MapDot, WorldMap, provider_palette};
use serde::Serialize;

use crate::CatalogCommand;
use crate::input::bad;
use crate::output;
use crate::table::{Table, thousands};

/// A `catalog` command; `laws` loads the law base, for the commands that check it.
pub fn run(
    world: &World,
    laws: impl FnOnce(&World) -> anyhow::Result<Engine>,
    cmd: CatalogCommand,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match cmd {
        CatalogCommand::Regions {
            provider,
            country,
            status,
            json,
        } => {
            let filter = RegionFilter {
                provider: provider.as_deref(),
                country: country.as_deref(),
                status,
            };
            regions(world, &filter, json, out)
        }
        CatalogCommand::Countries { json } => countries(world, json, out),
        CatalogCommand::Coverage { countries, json } => coverage_cmd(world, &countries, json, out),
        CatalogCommand::Ai {
            provider,
            model,
            json,
        } => ai(world, provider.as_deref(), model.as_deref(), json, out),
        CatalogCommand::Map {
            out: file,
            provider,
        } => map(world, &file, provider.as_deref()),
        CatalogCommand::Sources { json } => sources(world, json, out),
        CatalogCommand::Validate { json } => validate(world, &laws(world)?, json, out),
    }
}

fn check_provider(world: &World, provider: Option<&str>) -> anyhow::Result<()> {
    match provider {
        Some(p) if world.provider(p).is_none() => {
            let known: Vec<&str> = world.providers.iter().map(|p| p.id.as_str()).collect();
            Err(bad(format!(
                "unknown provider {p:?}; known: {}",
                known.join(", ")
            )))
        }
        _ => Ok(()),
    }
}

fn country_arg(world: &World, text: &str) -> anyhow::Result<CountryCode> {
    match CountryCode::parse(text.trim()) {
        Some(c) if world.country(c).is_some() => Ok(c),
        _ => Err(bad(format!(
            "unknown country {text:?}; expected an ISO 3166-1 alpha-2 code (`footprint catalog countries` lists them)"
        ))),
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

fn plural(n: usize, noun: &str) -> String {
    match (n, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "country") => format!("{n} countries"),
        _ => format!("{n} {noun}s"),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

struct RegionFilter<'a> {
    provider: Option<&'a str>,
    country: Option<&'a str>,
    status: Option<RegionStatus>,
}

fn regions(
    world: &World,
    filter: &RegionFilter<'_>,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (provider, status) = (filter.provider, filter.status);
    check_provider(world, provider)?;
    let country = filter.country.map(|c| country_arg(world, c)).transpose()?;
    let selected: Vec<&Region> = world
        .regions
        .iter()
        .filter(|r| provider.is_none_or(|p| r.provider == p))
        .filter(|r| country.is_none_or(|c| r.country == c))
        .filter(|r| status.is_none_or(|s| r.status == s))
        .collect();
    if json {
        return output::json(out, &selected);
    }
    let mut t = Table::new(&[
        "region",
        "name",
        "city",
        "country",
        "status",
        "launched",
        ">zones",
        "partition",
        "operator",
        "confidence",
    ]);
    for r in &selected {
        t.row(vec![
            r.key(),
            r.name.clone(),
            r.city.clone(),
            r.country.to_string(),
            r.status.to_string(),
            opt(r.launched),
            opt(r.zones),
            r.partition.to_string(),
            opt(r.operator.as_deref()),
            r.provenance.confidence.to_string(),
        ]);
    }
    out.write_all(t.render().as_bytes())?;
    writeln!(out, "{}", plural(selected.len(), "region"))?;
    Ok(())
}

fn countries(world: &World, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Row<'a> {
        #[serde(flatten)]
        country: &'a footprint_model::Country,
        population_points: usize,
        blocs: Vec<&'a str>,
    }
    let rows: Vec<Row<'_>> = world
        .countries
        .iter()
        .map(|c| Row {
            country: c,
            population_points: world.cities_of(c.code).len(),
            blocs: world.blocs_of(c.code).map(|b| b.id.as_str()).collect(),
        })
        .collect();
    if json {
        return output::json(out, &rows);
    }
    let mut t = Table::new(&[
        "code",
        "name",
        ">population",
        ">points",
        "continent",
        "blocs",
    ]);
    for r in &rows {
        t.row(vec![
            r.country.code.to_string(),
            r.country.name.clone(),
            thousands(r.country.population),
            r.population_points.to_string(),
            r.country.continent.clone(),
            r.blocs.join(" "),
        ]);
    }
    out.write_all(t.render().as_bytes())?;
    writeln!(out, "{}", plural(rows.len(), "country"))?;
    Ok(())
}

fn coverage_cmd(
    world: &World,
    countries: &[String],
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let model = LatencyModel::calibrate(world)?;
    let codes: Vec<CountryCode> = if countries.is_empty() {
        let mut all: Vec<&footprint_model::Country> = world.countries.iter().collect();
        all.sort_by(|a, b| b.population.cmp(&a.population).then(a.code.cmp(&b.code)));
        all.iter().map(|c| c.code).collect()
    } else {
        countries
            .iter()
            .map(|c| country_arg(world, c))
            .collect::<anyhow::Result<_>>()?
    };
    let matrix = coverage(world, &model, &codes);
    if json {
        return output::json(out, &matrix);
    }
    let mut columns = vec!["country", ">population"];
    columns.extend(world.providers.iter().map(|p| p.id.as_str()));
    let mut t = Table::new(&columns);
    for row in &matrix {
        let mut cells = vec![
            format!("{} {}", row.country, shorten(&row.name, 24)),
            thousands(row.population),
        ];
        for p in &row.providers {
            cells.push(match (&p.nearest, p.in_country) {
                (_, true) => format!("in-country ({})", p.regions.len()),
                (Some(n), false) => format!("{} {:.0} km", n.country, n.distance_km),
                (None, false) => "-".into(),
            });
        }
        t.row(cells);
    }
    out.write_all(t.render().as_bytes())?;
    let total: u64 = matrix.iter().map(|r| r.population).sum();
    writeln!(
        out,
        "\n`in-country (n)`: n generally available regions inside the country; otherwise the country of the \
         provider's nearest such region and the population-weighted distance to it. Government-only regions excluded."
    )?;
    for (i, p) in world.providers.iter().enumerate() {
        let covered: u64 = matrix
            .iter()
            .filter(|r| r.providers[i].in_country)
            .map(|r| r.population)
            .sum();
        let n = matrix.iter().filter(|r| r.providers[i].in_country).count();
        writeln!(
            out,
            "{:<8} data can stay in-country for {:>3} of {} countries, {:.1}% of their population",
            p.id,
            n,
            matrix.len(),
            if total > 0 {
                100.0 * covered as f64 / total as f64
            } else {
                0.0
            }
        )?;
    }
    Ok(())
}

fn ai(
    world: &World,
    provider: Option<&str>,
    model: Option<&str>,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    check_provider(world, provider)?;
    #[derive(Serialize)]
    struct Row<'a> {
        service: &'a str,
        provider: &'a str,
        region: String,
        country: CountryCode,
        models: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        endpoint: Option<&'a str>,
        openai_compatible: bool,
        source: &'a str,
        as_of: String,
        confidence: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<&'a str>,
    }
    let services: HashMap<&str, &footprint_model::AiService> = world
        .ai_services
        .iter()
        .map(|s| (s.id.as_str(), s))
        .collect();
    let needle = model.map(str::to_ascii_lowercase);
    let rows: Vec<Row<'_>> = world
        .ai_offerings
        .iter()
        .filter_map(|o| {
            let s = services.get(o.service.as_str())?;
            let r = world.region(o.region);
            if provider.is_some_and(|p| p != s.provider)
                || needle
                    .as_ref()
                    .is_some_and(|n| !o.models.iter().any(|m| m.to_ascii_lowercase().contains(n)))
            {
                return None;
            }
            Some(Row {
                service: &s.id,
                provider: &s.provider,
                region: r.key(),
                country: r.country,
                models: &o.models,
                endpoint: o.endpoint.as_deref(),
                openai_compatible: s.openai_compatible,
                source: &o.provenance.source,
                as_of: o.provenance.as_of.to_string(),
                confidence: o.provenance.confidence.as_str(),
                note: o.provenance.note.as_deref(),
            })
        })
        .collect();
    if json {
        return output::json(out, &rows);
    }
    let mut t = Table::new(&[
        "service",
        "region",
        "country",
        ">models",
        "as of",
        "confidence",
        "models (first 4)",
    ]);
    for r in &rows {
        let mut first: Vec<&str> = r.models.iter().take(4).map(String::as_str).collect();
        if r.models.len() > 4 {
            first.push("...");
        }
        t.row(vec![
            r.service.to_owned(),
            r.region.clone(),
            r.country.to_string(),
            r.models.len().to_string(),
            r.as_of.clone(),
            r.confidence.to_owned(),
            first.join(", "),
        ]);
    }
    out.write_all(t.render().as_bytes())?;
    writeln!(
        out,
        "{} offerings; availability changes often: check the as-of date and the source",
        rows.len()
    )?;
    Ok(())
}

fn map(world: &World, out: &std::path::Path, provider: Option<&str>) -> anyhow::Result<()> {
    check_provider(world, provider)?;
    let providers: Vec<&footprint_model::Provider> = world
        .providers
        .iter()
        .filter(|p| provider.is_none_or(|id| p.id == id))
        .collect();
    let palette = provider_palette(providers.len());
    let mut dots = Vec::new();
    let mut counts = vec![0usize; providers.len()];
    for r in &world.regions {
        if !matches!(r.status, RegionStatus::Ga | RegionStatus::Preview) {
            continue;
        }
        let Some(group) = providers.iter().position(|p| p.id == r.provider) else {
            continue;
        };
        counts[group] += 1;
        dots.push(MapDot {
            lon: r.lon,
            lat: r.lat,
            group,
            label: format!("{} — {}, {} ({})", r.key(), r.name, r.city, r.country),
        });
    }
    let legend = providers
        .iter()
        .zip(palette)
        .map(|(p, color)| LegendEntry {
            label: p.name.clone(),
            color,
        })
        .collect();
    let title = match provider {
        Some(p) => format!(
            "{} regions",
            world.provider(p).map_or(p, |p| p.name.as_str())
        ),
        None => "Cloud regions of the world".to_owned(),
    };
    let latest = world.regions.iter().map(|r| r.provenance.as_of).max();
    let map = WorldMap {
        title,
        subtitle: format!(
            "{} generally available or preview regions, as of {}",
            dots.len(),
            opt(latest)
        ),
        shapes: WorldShapes::embedded(),
        dots,
        legend,
        country_fill: HashMap::new(),
    };
    fs::write(out, map.to_svg()).with_context(|| format!("cannot write {}", out.display()))?;
    output::note(&format!(
        "wrote {} ({} regions)",
        out.display(),
        counts.iter().sum::<usize>()
    ));
    Ok(())
}

fn sources(world: &World, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    if json {
        return output::json(out, &world.sources);
    }
    let mut t = Table::new(&["id", "title", "url", "licence"]);
    for s in &world.sources {
        t.row(vec![
            s.id.clone(),
            s.title.clone(),
            opt(s.url.as_deref()),
            opt(s.licence.as_deref()),
        ]);
    }
    out.write_all(t.render().as_bytes())?;
    Ok(())
}

/// Loads everything a command may read (the catalog with the --catalog folders, the law base
/// with their laws/ folders), reports every problem, and prints a summary.
fn validate(world: &World, engine: &Engine, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    #[derive(Serialize)]
    struct Summary {
        ok: bool,
        sources: usize,
        countries: usize,
        cities: usize,
        blocs: usize,
        providers: usize,
        operators: usize,
        regions: usize,
        ai_services: usize,
        ai_offerings: usize,
        measurements: usize,
        jurisdictions: usize,
        /// Rules of the law base, the default permit not counted.
        rules: usize,
    }
    let s = Summary {
        ok: true,
        sources: world.sources.len(),
        countries: world.countries.len(),
        cities: world.cities.len(),
        blocs: world.blocs.len(),
        providers: world.providers.len(),
        operators: world.operators.len(),
        regions: world.regions.len(),
        ai_services: world.ai_services.len(),
        ai_offerings: world.ai_offerings.len(),
        measurements: world.measurements.len(),
        jurisdictions: engine.jurisdictions().len(),
        rules: engine.rules().len().saturating_sub(1),
    };
    if json {
        return output::json(out, &s);
    }
    writeln!(
        out,
        "catalog ok: {} sources, {} countries, {} population points, {} blocs, {} providers, {} operators, \
         {} regions, {} AI services in {} offerings, {} latency measurements; law base ok: {} \
         jurisdictions, {} rules",
        s.sources,
        s.countries,
        s.cities,
        s.blocs,
        s.providers,
        s.operators,
        s.regions,
        s.ai_services,
        s.ai_offerings,
        s.measurements,
        s.jurisdictions,
        s.rules
    )?;
    Ok(())
}
