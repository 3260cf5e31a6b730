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
use crate::eval::{Bits, Eid, Env, Lanes, Val, bits_of};
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

/// One policy's result over the regions (where it holds, where it failed), or None where it
/// holds nowhere and failed nowhere.
fn hit(l: Lanes, regions: usize) -> Option<Bits> {
    if matches!(l, Lanes::One(Ok(Val::Bool(false)))) {
        return None;
    }
    let b = bits_of(l, regions);
    let empty = b.t.iter().chain(&b.e).all(|w| *w == 0);
    (!empty).then_some(b)
}

/// For every (class, subject, action), where a forbid holds and where a policy failed, as flat
/// bitsets; and which combinations anything touched.
struct Acc {
    words: usize,
    forbid: Vec<u64>,
    failed: Vec<u64>,
    /// Where a tenant's own permit holds (its allow-list).
    permit: Vec<u64>,
    touched: Vec<usize>,
    is_touched: Vec<bool>,
}

impl Acc {
    fn new(combos: usize, words: usize) -> Self {
        Acc {
            words,
            forbid: vec![0; combos * words],
            failed: vec![0; combos * words],
            permit: vec![0; combos * words],
            touched: Vec::new(),
            is_touched: vec![false; combos],
        }
    }

    fn add(&mut self, combo: usize, effect: Effect, h: &Bits) {
        let at = combo * self.words..(combo + 1) * self.words;
        // A permit that holds counts only for a tenant's allow-list (the default permit allows
        // every region otherwise; see `Engine::compile`). A permit that fails still denies.
        let target = match effect {
            Effect::Forbid => &mut self.forbid,
            Effect::Permit => &mut self.permit,
        };
        for (a, b) in target[at.clone()].iter_mut().zip(&h.t) {
            *a |= b;
        }
        for (a, b) in self.failed[at].iter_mut().zip(&h.e) {
            *a |= b;
        }
        if !self.is_touched[combo] {
            self.is_touched[combo] = true;
            self.touched.push(combo);
        }
    }

    /// The regions not forbidden and not failed for this combination; with an allow-list, also
    /// permitted by one of the tenant's permits.
    fn allowed(&self, combo: usize, regions: usize, allow_list: bool) -> Vec<u64> {
        let at = combo * self.words..(combo + 1) * self.words;
        let mut out: Vec<u64> = self.forbid[at.clone()]
            .iter()
            .zip(&self.failed[at.clone()])
            .zip(&self.permit[at])
            .map(|((f, e), p)| !(f | e) & if allow_list { *p } else { u64::MAX })
            .collect();
        clear_tail(&mut out, regions);
        out
    }

    fn clear(&mut self) {
        for &combo in &self.touched {
            let at = combo * self.words..(combo + 1) * self.words;
            self.forbid[at.clone()].fill(0);
            self.failed[at.clone()].fill(0);
            self.permit[at].fill(0);
            self.is_touched[combo] = false;
        }
        self.touched.clear();
    }
}

/// Zeroes the bits past the last region, so equal sets have equal words.
fn clear_tail(words: &mut [u64], regions: usize) {
    for (w, word) in words.iter_mut().enumerate() {
        for bit in 0..64 {
            if w * 64 + bit >= regions {
                *word &= !(1 << bit);
            }
        }
    }
}

/// Evaluates one policy wherever it can matter and adds its results to `acc`: once per class
/// only if it reads the class, once per subject only if it reads the subject (and only for the
/// subjects its guard lets through), once per action only if it reads the action.
fn apply(engine: &Engine, i: usize, principal: Eid, mechanisms: Mechanisms, acc: &mut Acc) {
    let p = &engine.conditions[i];
    let effect = engine.rules[i].effect;
    let subjects = engine.countries.len();
    let regions = engine.region_eids.len();
    let classes: Vec<Option<usize>> = if p.reads_class {
        (0..CLASSES).map(Some).collect()
    } else {
        vec![None]
    };
    let wanted: Vec<Option<usize>> = if p.reads_subject {
        (0..subjects)
            .filter(|s| p.subjects.as_ref().is_none_or(|g| g[*s]))
            .map(Some)
            .collect()
    } else {
        vec![None]
    };
    let actions: Vec<Option<usize>> = if p.uses_action {
        (0..ACTIONS).map(Some).collect()
    } else {
        vec![None]
    };
    for &c in &classes {
        for &s in &wanted {
            let context =
                engine.context(DataClass::ALL[c.unwrap_or(0)], s.unwrap_or(0), mechanisms);
            for &a in &actions {
                let env = Env {
                    store: &engine.store,
                    principal,
                    action: engine.action_eids[a.unwrap_or(0)],
                    context: &context,
                    resources: &engine.region_eids,
                    lane: None,
                };
                let Some(h) = hit(env.eval(&p.cond.full), regions) else {
                    continue;
                };
                for cc in c.map_or(0..CLASSES, |c| c..c + 1) {
                    for ss in s.map_or(0..subjects, |s| s..s + 1) {
                        for aa in a.map_or(0..ACTIONS, |a| a..a + 1) {
                            acc.add((cc * subjects + ss) * ACTIONS + aa, effect, &h);
                        }
                    }
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

    fn get(&self, id: u32) -> &[u64] {
        let at = id as usize * self.words;
        &self.data[at..at + self.words]
    }
}

impl Engine {
    /// Compiles the allowed-region table for these tenants.
    ///
    /// A region is allowed where no forbid holds and no policy failed, and, for a tenant with
    /// an allow-list for the action (permits of its own whose scope admits it), where one of its
    /// permits holds. Otherwise the law base's default permit allows every region: a permit
    /// never widens the set the law and the forbids leave.
    pub fn compile(&self, tenants: &[TenantSpec]) -> Table {
        let regions = self.region_eids.len();
        let words = regions.div_ceil(64).max(1);
        let subjects = self.countries.len();
        let combos = CLASSES * subjects * ACTIONS;

        // Which policies each tenant needs beyond the shared ones.
        let mut shared = Vec::new();
        let mut general = Vec::new();
        let mut scoped: HashMap<Eid, Vec<usize>> = HashMap::new();
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
        let mut acc = Acc::new(combos, words);
        // The shared policies' rows, once per distinct set of mechanisms.
        let mut bases: BTreeMap<Mechanisms, Arc<[u32]>> = BTreeMap::new();
        let placeholder = self.principal_for("\u{0}unnamed");
        for t in tenants {
            if bases.contains_key(&t.mechanisms) {
                continue;
            }
            acc.clear();
            for &i in &shared {
                apply(self, i, placeholder, t.mechanisms, &mut acc);
            }
            let mut all = vec![u64::MAX; words];
            clear_tail(&mut all, regions);
            let everything = pool.intern(all);
            let mut ids = vec![everything; combos];
            for &combo in &acc.touched {
                ids[combo] = pool.intern(acc.allowed(combo, regions, false));
            }
            bases.insert(t.mechanisms, ids.into());
        }

        let mut rows = Vec::with_capacity(tenants.len());
        let mut index = HashMap::new();
        for (n, t) in tenants.iter().enumerate() {
            index.insert(t.id.clone(), n);
            let Some(base) = bases.get(&t.mechanisms) else {
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
            if own.is_empty() {
                rows.push(base.clone());
                continue;
            }
            acc.clear();
            for &i in &own {
                apply(self, i, principal, t.mechanisms, &mut acc);
            }
            let mut ids = base.to_vec();
            // With an allow-list for an action, every combination of that action is decided by
            // the tenant's permits, also those no permit touched (nothing is allowed there).
            let listed: Vec<bool> = Action::ALL
                .iter()
                .map(|a| self.has_allow_list(&t.id, *a))
                .collect();
            let decided: Vec<usize> = if listed.iter().any(|l| *l) {
                (0..combos).filter(|c| listed[c % ACTIONS]).collect()
            } else {
                Vec::new()
            };
            for &combo in acc
                .touched
                .iter()
                .filter(|c| !listed[*c % ACTIONS])
                .chain(&decided)
            {
                let mine = acc.allowed(combo, regions, listed[combo % ACTIONS]);
                let both: Vec<u64> = pool
                    .get(base[combo])
                    .iter()
                    .zip(&mine)
                    .map(|(a, b)| a & b)
                    .collect();
                ids[combo] = pool.intern(both);
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
