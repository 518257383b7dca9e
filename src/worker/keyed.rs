//! A small map by string key, in insertion order, for what the worker keeps by key (one entry
//! per layer opened in the tab: tens, a few hundred at most). A linear search over so few costs
//! nothing next to reading one layer, and `BTreeMap` (search, insertion, rebalancing, drop) was
//! 5.6 kB of the layer worker's code, linked for this map and the set of cancelled jobs only.

pub struct Keyed<V> {
    items: Vec<(String, V)>,
}

impl<V> Default for Keyed<V> {
    fn default() -> Keyed<V> {
        Keyed { items: Vec::new() }
    }
}

impl<V> Keyed<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.items.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.items
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Adds `value` under `key`, replacing what was there.
    pub fn insert(&mut self, key: String, value: V) {
        match self.get_mut(&key) {
            Some(old) => *old = value,
            None => self.items.push((key, value)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.items.iter().map(|(k, v)| (k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.items.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.items.iter_mut().map(|(_, v)| v)
    }
}
