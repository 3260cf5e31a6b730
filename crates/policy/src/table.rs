//! Compiled tables: for every tenant, data class, subject country and action, the set of allowed
//! regions as a bitset. A lookup is two array reads. Compilation evaluates every policy once per
//! (class, subject[, action]) over all regions at once; policies that name no tenant are shared
//! by every tenant holding the same mechanisms.
//!
//! Fail closed: a region is allowed only if some permit is satisfied, no forbid is, and no policy
//! failed to evaluate for it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use footprint_model::{CountryCode, RegionId};

use crate::engine::Engine;
use crate::eval::{Env, Lanes, Val};
use crate::load::Effect;
use crate::schema::{Action, DataClass, Mechanisms};

/// A tenant to compile a table for: its id (as policies name it) and the mechanisms it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantSpec {
    pub id: String,
    pub mechanisms: Mechanisms,
}

impl TenantSpec {
    pub fn new(id: impl Into<String>, mechanisms: Mechanisms) -> Self {
        TenantSpec {
            id: id.into(),
            mechanisms,
        }
    }
}

const CLASSES: usize = DataClass::ALL.len();
const ACTIONS: usize = Action::ALL.len();

/// Allowed regions for every (tenant, class, subject, action).
#[derive(Debug)]
pub struct Table {
    regions: usize,
    words: usize,
    countries: Vec<CountryCode>,
    /// Subject index by country code, `(first letter) * 26 + (second letter)`; u16::MAX if none.
    by_code: Vec<u16>,
    tenants: Vec<TenantSpec>,
    index: HashMap<String, usize>,
    /// Per tenant, a bitset id for every (class, subject, action).
    rows: Vec<Arc<[u32]>>,
    /// The distinct bitsets, `words` u64s each.
    pool: Vec<u64>,
}

/// A set of regions, borrowed from a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionSet<'a> {
    words: &'a [u64],
    regions: usize,
}

impl<'a> RegionSet<'a> {
    pub fn contains(&self, r: RegionId) -> bool {
        let i = r.index();
        i < self.regions && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = RegionId> + 'a {
        let words = self.words;
        (0..self.regions)
            .filter(move |i| words[i / 64] & (1 << (i % 64)) != 0)
            .map(|i| RegionId(u32::try_from(i).unwrap_or(u32::MAX)))
    }

    /// The raw words, bit i for region i.
    pub fn words(&self) -> &'a [u64] {
        self.words
    }
}

impl Table {
    /// The tenant's position, for [`Table::allowed`].
    pub fn tenant(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn tenants(&self) -> &[TenantSpec] {
        &self.tenants
    }

    /// The subject country's position, for [`Table::allowed`].
    pub fn subject(&self, c: CountryCode) -> Option<usize> {
        let b = c.as_str().as_bytes();
        let slot = usize::from(b[0].checked_sub(b'A')?) * 26 + usize::from(b[1].checked_sub(b'A')?);
        match self.by_code.get(slot) {
            Some(&i) if i != u16::MAX => Some(usize::from(i)),
            _ => None,
        }
    }

    /// The allowed regions. Panics on indexes out of range; take them from [`Table::tenant`] and
    /// [`Table::subject`].
    #[inline]
    pub fn allowed(
        &self,
        tenant: usize,
        class: DataClass,
        subject: usize,
        action: Action,
    ) -> RegionSet<'_> {
        let combo = (class.index() * self.countries.len() + subject) * ACTIONS + action.index();
        let id = self.rows[tenant][combo] as usize;
        RegionSet {
            words: &self.pool[id * self.words..(id + 1) * self.words],
            regions: self.regions,
        }
    }

    /// The number of distinct region sets stored.
    pub fn distinct_sets(&self) -> usize {
        self.pool.len() / self.words.max(1)
    }
}

/// Accumulated outcome of a group of policies for one row: where a permit held, where a forbid
/// held, where a policy failed.
#[derive(Clone)]
struct Triple {
    permit: Vec<u64>,
    forbid: Vec<u64>,
    error: Vec<u64>,
}

impl Triple {
    fn new(words: usize) -> Self {
        Triple {
            permit: vec![0; words],
            forbid: vec![0; words],
            error: vec![0; words],
        }
    }

    fn is_empty(&self) -> bool {
        self.permit
            .iter()
            .chain(&self.forbid)
            .chain(&self.error)
            .all(|w| *w == 0)
    }

    fn or(&mut self, other: &Triple) {
        for (a, b) in self.permit.iter_mut().zip(&other.permit) {
            *a |= b;
        }
        for (a, b) in self.forbid.iter_mut().zip(&other.forbid) {
            *a |= b;
        }
        for (a, b) in self.error.iter_mut().zip(&other.error) {
            *a |= b;
        }
    }

    fn allowed(&self) -> Vec<u64> {
        self.permit
            .iter()
            .zip(&self.forbid)
            .zip(&self.error)
            .map(|((p, f), e)| p & !f & !e)
            .collect()
    }
}

fn mark(l: &Lanes, effect: Effect, regions: usize, out: &mut Triple) {
    let target = match effect {
        Effect::Permit => &mut out.permit,
        Effect::Forbid => &mut out.forbid,
    };
    match l {
        Lanes::One(Ok(Val::Bool(false))) => {}
        Lanes::One(Ok(Val::Bool(true))) => {
            for i in 0..regions {
                target[i / 64] |= 1 << (i % 64);
            }
        }
        Lanes::One(_) => {
            for i in 0..regions {
                out.error[i / 64] |= 1 << (i % 64);
            }
        }
        Lanes::Each(v) => {
            for (i, r) in v.iter().enumerate() {
                match r {
                    Ok(Val::Bool(true)) => target[i / 64] |= 1 << (i % 64),
                    Ok(Val::Bool(false)) => {}
                    _ => out.error[i / 64] |= 1 << (i % 64),
                }
            }
        }
    }
}

struct Pool {
    words: usize,
    data: Vec<u64>,
    ids: HashMap<Vec<u64>, u32>,
}

impl Pool {
    fn intern(&mut self, set: Vec<u64>) -> u32 {
        if let Some(id) = self.ids.get(&set) {
            return *id;
        }
        let id = u32::try_from(self.data.len() / self.words.max(1)).unwrap_or(u32::MAX);
        self.data.extend_from_slice(&set);
        self.ids.insert(set, id);
        id
    }
}

/// A policy group's rows for all actions of one (class, subject).
fn evaluate(
    engine: &Engine,
    policies: &[usize],
    principal: crate::eval::Eid,
    subject: usize,
    context: &Val,
    words: usize,
) -> Option<[Triple; ACTIONS]> {
    let regions = engine.region_eids.len();
    let mut out: Option<[Triple; ACTIONS]> = None;
    for &i in policies {
        let p = &engine.conditions[i];
        if let Some(subjects) = &p.subjects
            && !subjects[subject]
        {
            continue;
        }
        let effect = engine.rules[i].effect;
        let out = out.get_or_insert_with(|| std::array::from_fn(|_| Triple::new(words)));
        let mut env = Env {
            store: &engine.store,
            principal,
            action: engine.action_eids[0],
            context,
            resources: &engine.region_eids,
        };
        if p.uses_action {
            for (a, slot) in out.iter_mut().enumerate() {
                env.action = engine.action_eids[a];
                mark(&env.eval(&p.cond.full), effect, regions, slot);
            }
        } else {
            let mut once = Triple::new(words);
            mark(&env.eval(&p.cond.full), effect, regions, &mut once);
            if !once.is_empty() {
                for slot in out.iter_mut() {
                    slot.or(&once);
                }
            }
        }
    }
    out
}

impl Engine {
    /// Compiles the allowed-region table for these tenants.
    pub fn compile(&self, tenants: &[TenantSpec]) -> Table {
        let regions = self.region_eids.len();
        let words = regions.div_ceil(64).max(1);
        let subjects = self.countries.len();
        let combos = CLASSES * subjects * ACTIONS;

        // Which policies each tenant needs beyond the shared ones.
        let mut shared = Vec::new();
        let mut general = Vec::new();
        let mut scoped: HashMap<crate::eval::Eid, Vec<usize>> = HashMap::new();
        for (i, p) in self.conditions.iter().enumerate() {
            match p.cond.tenant {
                Some(t) => scoped.entry(t).or_default().push(i),
                None if p.uses_principal => general.push(i),
                None => shared.push(i),
            }
        }

        let mut pool = Pool {
            words,
            data: Vec::new(),
            ids: HashMap::new(),
        };
        // The shared policies' rows, once per distinct set of mechanisms.
        let mut bases: BTreeMap<Mechanisms, (Vec<Triple>, Arc<[u32]>)> = BTreeMap::new();
        let placeholder = self.principal_for("\u{0}unnamed");
        for t in tenants {
            if bases.contains_key(&t.mechanisms) {
                continue;
            }
            let mut triples = Vec::with_capacity(combos);
            let mut ids = Vec::with_capacity(combos);
            for class in DataClass::ALL {
                for s in 0..subjects {
                    let context = self.context(*class, s, t.mechanisms);
                    match evaluate(self, &shared, placeholder, s, &context, words) {
                        Some(found) => {
                            for triple in found {
                                ids.push(pool.intern(triple.allowed()));
                                triples.push(triple);
                            }
                        }
                        // No policy can hold for this subject, the default permit included:
                        // nothing is allowed.
                        None => {
                            let empty = Triple::new(words);
                            let id = pool.intern(empty.allowed());
                            for _ in 0..ACTIONS {
                                ids.push(id);
                                triples.push(empty.clone());
                            }
                        }
                    }
                }
            }
            bases.insert(t.mechanisms, (triples, ids.into()));
        }

        let mut rows = Vec::with_capacity(tenants.len());
        let mut index = HashMap::new();
        for (n, t) in tenants.iter().enumerate() {
            index.insert(t.id.clone(), n);
            let Some((triples, base_ids)) = bases.get(&t.mechanisms) else {
                // Cannot happen (every tenant's mechanisms have a base); deny everything.
                let none = pool.intern(vec![0; words]);
                rows.push(vec![none; combos].into());
                continue;
            };
            let principal = self.principal_for(&t.id);
            let mut own: Vec<usize> = general.clone();
            if let Some(p) = self.store.get("Tenant", &t.id).and_then(|e| scoped.get(&e)) {
                own.extend_from_slice(p);
            }
            own.sort_unstable();
            if own.is_empty() {
                rows.push(base_ids.clone());
                continue;
            }
            let mut ids = base_ids.to_vec();
            for class in DataClass::ALL {
                for s in 0..subjects {
                    let context = self.context(*class, s, t.mechanisms);
                    let Some(extra) = evaluate(self, &own, principal, s, &context, words) else {
                        continue;
                    };
                    for (a, triple) in extra.iter().enumerate() {
                        if triple.is_empty() {
                            continue;
                        }
                        let combo = (class.index() * subjects + s) * ACTIONS + a;
                        let mut all = triples[combo].clone();
                        all.or(triple);
                        ids[combo] = pool.intern(all.allowed());
                    }
                }
            }
            rows.push(ids.into());
        }

        let mut by_code = vec![u16::MAX; 26 * 26];
        for (i, c) in self.countries.iter().enumerate() {
            let b = c.as_str().as_bytes();
            if let (Some(x), Some(y)) = (b[0].checked_sub(b'A'), b[1].checked_sub(b'A'))
                && let Some(slot) = by_code.get_mut(usize::from(x) * 26 + usize::from(y))
            {
                *slot = u16::try_from(i).unwrap_or(u16::MAX);
            }
        }
        Table {
            regions,
            words,
            by_code,
            countries: self.countries.clone(),
            tenants: tenants.to_vec(),
            index,
            rows,
            pool: pool.data,
        }
    }
}

/// The table in use, replaced whole and atomically: readers keep the table they loaded until they
/// drop it, and never see a half-built one.
#[derive(Debug)]
pub struct Published {
    current: RwLock<Arc<Table>>,
}

impl Published {
    pub fn new(table: Table) -> Self {
        Published {
            current: RwLock::new(Arc::new(table)),
        }
    }

    pub fn load(&self) -> Arc<Table> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn publish(&self, table: Table) {
        let table = Arc::new(table);
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = table;
    }
}
