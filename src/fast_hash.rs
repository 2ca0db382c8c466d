//! Hashing for the build's own tables: the multiply-rotate hash of rustc
//! ("FxHash"), and word lists looked up through it.
//!
//! SipHash (std's default) resists hash flooding, which nothing here needs:
//! every key comes from the site's own content or from lists compiled in,
//! and no table's iteration order ever reaches the output. On the short
//! words the analysis looks up millions of times per build, Fx is several
//! times faster.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FxHash: eight bytes at a time, the tail padded with zeros.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A hash map with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A hash set with [`FxHasher`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// A compiled-in word list, looked up by hash. The list stays the source
/// (sorted, reviewable, checked by tests); the set is made on first use.
/// A binary search over a few hundred words costs eight or nine string
/// comparisons, and the analysis asks millions of times per build.
pub struct WordList {
    words: &'static [&'static str],
    set: OnceLock<FastSet<&'static str>>,
}

impl WordList {
    pub const fn new(words: &'static [&'static str]) -> WordList {
        WordList {
            words,
            set: OnceLock::new(),
        }
    }

    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.words.iter().copied().collect())
            .contains(word)
    }

    /// The words, as listed.
    pub fn words(&self) -> &'static [&'static str] {
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_list_holds_exactly_its_words() {
        static LIST: WordList = WordList::new(&["and", "or", "the"]);
        assert!(LIST.contains("and") && LIST.contains("the"));
        assert!(!LIST.contains("an") && !LIST.contains("") && !LIST.contains("The"));
        assert_eq!(LIST.words().len(), 3);
    }

    #[test]
    fn the_tail_of_a_key_counts() {
        let hash = |s: &str| {
            let mut h = FxHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_ne!(hash("sanctions"), hash("sanctionz"));
        assert_ne!(hash("a"), hash("b"));
        assert_eq!(hash("port"), hash("port"));
    }
}
