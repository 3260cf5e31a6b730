//! Layers merged by key: a later layer replaces a key or adds one; inside one layer a key may
//! appear only once.

use std::collections::HashMap;

use super::typed::{At, Parsed, RawLatency};
use crate::error::Problem;
use crate::world::{
    AiOffering, AiService, Bloc, City, Country, Operator, Provider, Region, Source,
};

/// Records of one kind, by key, in the order first seen.
pub(super) struct Keyed<T> {
    pub order: Vec<At<T>>,
    /// The layer each record of `order` comes from.
    pub layers: Vec<usize>,
    /// key -> index in `order`
    index: HashMap<String, usize>,
}

impl<T> Keyed<T> {
    fn new() -> Self {
        Self {
            order: Vec::new(),
            layers: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn merge(
        &mut self,
        layer_no: usize,
        layer: Vec<At<T>>,
        what: &str,
        key_field: &str,
        key: impl Fn(&T) -> String,
        out: &mut Vec<Problem>,
    ) {
        for item in layer {
            let k = key(&item.value);
            match self.index.get(&k) {
                Some(&i) if self.layers[i] == layer_no => {
                    let first = self.order[i].loc.at();
                    out.push(item.loc.problem(
                        key_field,
                        format!("duplicate {what} {k:?}; first defined at {first}"),
                    ));
                }
                Some(&i) => {
                    self.layers[i] = layer_no;
                    self.order[i] = item;
                }
                None => {
                    self.index.insert(k, self.order.len());
                    self.order.push(item);
                    self.layers.push(layer_no);
                }
            }
        }
    }
}

/// Every kind of record, merged over the layers read so far.
pub(super) struct Merged {
    pub sources: Keyed<Source>,
    pub blocs: Keyed<(Bloc, Vec<String>)>,
    pub operators: Keyed<(Operator, String)>,
    pub providers: Keyed<(Provider, String)>,
    pub regions: Keyed<(Region, String)>,
    pub ai_services: Keyed<AiService>,
    pub ai_offerings: Keyed<(AiOffering, String)>,
    pub countries: Keyed<Country>,
    pub cities: Keyed<(City, String)>,
    pub latency: Keyed<RawLatency>,
}

impl Merged {
    pub fn new() -> Self {
        Self {
            sources: Keyed::new(),
            blocs: Keyed::new(),
            operators: Keyed::new(),
            providers: Keyed::new(),
            regions: Keyed::new(),
            ai_services: Keyed::new(),
            ai_offerings: Keyed::new(),
            countries: Keyed::new(),
            cities: Keyed::new(),
            latency: Keyed::new(),
        }
    }

    /// Adds one layer's records on top of what is there.
    pub fn add(&mut self, n: usize, p: Parsed, out: &mut Vec<Problem>) {
        self.sources
            .merge(n, p.sources, "source", "id", |s| s.id.clone(), out);
        self.blocs
            .merge(n, p.blocs, "bloc", "id", |b| b.0.id.clone(), out);
        self.operators
            .merge(n, p.operators, "operator", "id", |x| x.0.id.clone(), out);
        self.providers
            .merge(n, p.providers, "provider", "id", |x| x.0.id.clone(), out);
        self.regions
            .merge(n, p.regions, "region", "code", |x| x.0.key(), out);
        self.ai_services
            .merge(n, p.ai_services, "AI service", "id", |x| x.id.clone(), out);
        self.ai_offerings.merge(
            n,
            p.ai_offerings,
            "AI offering",
            "region",
            |x| format!("{} in {}", x.0.service, x.1),
            out,
        );
        self.countries.merge(
            n,
            p.countries,
            "country",
            "code",
            |x| x.code.to_string(),
            out,
        );
        self.cities
            .merge(n, p.cities, "city", "id", |x| x.0.id.to_string(), out);
        self.latency.merge(
            n,
            p.latency,
            "measurement",
            "to",
            |x| pair_key(&x.from, &x.to),
            out,
        );
    }
}

/// Measurements are symmetric: `a,b` and `b,a` are the same pair.
fn pair_key(a: &str, b: &str) -> String {
    if a <= b {
        format!("{a} <-> {b}")
    } else {
        format!("{b} <-> {a}")
    }
}
