//! A profile's names (of kinds, of fields) to their indexes: looked up for
//! every key of every line read, so a lookup compares a name of up to 16
//! bytes as two words and its length, without a hash over its bytes or a
//! call to compare them.

/// Names to indexes, each name once.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// Each name with the words and length that stand for it (see [`words`]).
    names: Vec<(Box<str>, u64, u64, u32)>,
    /// Open addressing over `names`: an entry's position plus one, 0 for
    /// none. Always a power of two, at least twice the names.
    slots: Vec<u32>,
}

/// Two words that, with the length, tell apart any two names of up to 16
/// bytes: the first and last eight bytes (overlapping when fewer than 16),
/// the first and last four, or the first, middle and last byte.
fn words(name: &str) -> (u64, u64) {
    let b = name.as_bytes();
    let n = b.len();
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().unwrap_or([0; 4])));
    if n >= 8 {
        (u64_at(0), u64_at(n - 8))
    } else if n >= 4 {
        (u32_at(0), u32_at(n - 4))
    } else if n > 0 {
        (
            u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
            0,
        )
    } else {
        (0, 0)
    }
}

fn hash(w: (u64, u64), len: usize) -> u64 {
    (w.0 ^ w.1.rotate_left(23) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl NameIndex {
    /// The index of `name`.
    pub fn get(&self, name: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let w = words(name);
        let mask = self.slots.len() - 1;
        let mut at = self.home(hash(w, name.len()));
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            let (known, w0, w1, idx) = &self.names[slot as usize - 1];
            if *w0 == w.0
                && *w1 == w.1
                && known.len() == name.len()
                && (name.len() <= 16 || **known == *name)
            {
                return Some(*idx);
            }
            at = (at + 1) & mask;
        }
    }

    /// Files `name` under `idx`, or changes its index if it is there.
    pub fn insert(&mut self, name: String, idx: u32) {
        if let Some(at) = self.names.iter().position(|(n, ..)| **n == *name) {
            self.names[at].3 = idx;
            return;
        }
        let w = words(&name);
        self.names.push((name.into_boxed_str(), w.0, w.1, idx));
        if self.names.len() * 2 > self.slots.len() {
            self.slots = vec![0; (self.names.len() * 2).next_power_of_two().max(16)];
            for n in 0..self.names.len() {
                self.place(n);
            }
        } else {
            self.place(self.names.len() - 1);
        }
    }

    fn home(&self, hash: u64) -> usize {
        (hash >> 32) as usize & (self.slots.len() - 1)
    }

    fn place(&mut self, n: usize) {
        let (name, w0, w1, _) = &self.names[n];
        let mut at = self.home(hash((*w0, *w1), name.len()));
        while self.slots[at] != 0 {
            at = (at + 1) & (self.slots.len() - 1);
        }
        self.slots[at] = n as u32 + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_finds_its_own_index_and_no_other_name_finds_one() {
        // Names of every length up to 20 that differ in one byte, at
        // every place: the words must tell each apart.
        let mut index = NameIndex::default();
        let mut names = Vec::new();
        for len in 0..=20usize {
            for place in 0..len.max(1) {
                let mut name: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                if len > 0 {
                    name[place] = b'_';
                }
                let name = String::from_utf8(name).unwrap();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        for (i, n) in names.iter().enumerate() {
            index.insert(n.clone(), i as u32);
        }
        for (i, n) in names.iter().enumerate() {
            assert_eq!(index.get(n), Some(i as u32), "{n:?}");
            // The same name a byte longer or shorter, or with one byte
            // changed, is another name.
            assert_eq!(index.get(&format!("{n}z")), None, "{n:?}z");
            for place in 0..n.len() {
                let mut other = n.clone().into_bytes();
                other[place] = b'#';
                let other = String::from_utf8(other).unwrap();
                assert_eq!(index.get(&other), None, "{other:?}");
            }
        }
        assert_eq!(index.get("审核记录"), None);
        index.insert("审核记录".into(), 99);
        assert_eq!(index.get("审核记录"), Some(99));
        index.insert("审核记录".into(), 7);
        assert_eq!(index.get("审核记录"), Some(7));
        assert_eq!(NameIndex::default().get("id"), None);
    }
}
