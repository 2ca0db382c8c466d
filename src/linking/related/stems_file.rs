//! [`StemMemo`] as bytes, so that a `build` reads each briefing's stem
//! counts back instead of tokenising and stemming every text again (at
//! 10,000 briefings that was 0.2-0.25 s of every warm build). The cache
//! module does the file work (`src/cache/stems.rs`).
//!
//! Layout, little-endian: the number of stems, each stem (length, UTF-8
//! bytes); the number of texts, each text (hash, number of stems, then
//! (stem number, count) pairs); then an XXH3 checksum of all of it. Only
//! the stems the texts use are written, numbered in sorted order, and the
//! texts in hash order: the same memo gives the same bytes.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use super::memo::StemMemo;

impl StemMemo {
    /// Whether texts were added or dropped since it was made or decoded:
    /// whether it is worth saving.
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// The texts and their stem counts as bytes (see the module doc).
    pub fn encode(&self) -> Vec<u8> {
        let mut in_use = vec![false; self.names.len()];
        for doc in self.texts.values() {
            for &(id, _) in doc.iter() {
                in_use[id as usize] = true;
            }
        }
        let mut used: Vec<u32> = (0..self.names.len() as u32)
            .filter(|&id| in_use[id as usize])
            .collect();
        used.par_sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut number = vec![u32::MAX; self.names.len()];
        for (n, &id) in used.iter().enumerate() {
            number[id as usize] = n as u32;
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(used.len() as u32).to_le_bytes());
        for &id in &used {
            let name = self.names[id as usize].as_bytes();
            out.extend_from_slice(&(name.len() as u32).to_le_bytes());
            out.extend_from_slice(name);
        }
        let mut hashes: Vec<&u128> = self.texts.keys().collect();
        hashes.sort_unstable();
        out.extend_from_slice(&(hashes.len() as u32).to_le_bytes());
        // Texts in parallel runs, joined in order: the same bytes.
        let runs: Vec<Vec<u8>> = hashes
            .par_chunks(256)
            .map(|run| {
                let mut out = Vec::new();
                let mut doc: Vec<(u32, u32)> = Vec::new();
                for h in run {
                    doc.clear();
                    doc.extend(
                        self.texts[*h]
                            .iter()
                            .map(|&(id, tf)| (number[id as usize], tf)),
                    );
                    doc.sort_unstable();
                    out.reserve(20 + 8 * doc.len());
                    out.extend_from_slice(&h.to_le_bytes());
                    out.extend_from_slice(&(doc.len() as u32).to_le_bytes());
                    for &(n, tf) in &doc {
                        out.extend_from_slice(&n.to_le_bytes());
                        out.extend_from_slice(&tf.to_le_bytes());
                    }
                }
                out
            })
            .collect();
        for run in runs {
            out.extend_from_slice(&run);
        }
        let sum = xxh3_64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// The memo [`StemMemo::encode`] wrote; None for bytes that are not
    /// exactly that (damaged, cut short, anything else): a wrong count
    /// would make wrong related lists, so nothing of such bytes is used.
    pub fn decode(bytes: &[u8]) -> Option<StemMemo> {
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if xxh3_64(body) != u64::from_le_bytes(sum.try_into().ok()?) {
            return None;
        }
        let mut r = Reader(body);
        let n_names = r.u32()? as usize;
        let mut names = Vec::with_capacity(n_names.min(body.len()));
        for _ in 0..n_names {
            let len = r.u32()? as usize;
            names.push(std::str::from_utf8(r.take(len)?).ok()?.to_string());
        }
        let mut uses = vec![0u32; names.len()];
        let n_texts = r.u32()? as usize;
        let mut texts = HashMap::with_capacity(n_texts.min(body.len()));
        for _ in 0..n_texts {
            let hash = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
            let n = r.u32()? as usize;
            let mut doc = Vec::with_capacity(n.min(body.len()));
            for _ in 0..n {
                let (id, tf) = (r.u32()?, r.u32()?);
                *uses.get_mut(id as usize)? += 1;
                doc.push((id, tf));
            }
            texts.insert(hash, Arc::new(doc));
        }
        if !r.0.is_empty() {
            return None;
        }
        let ids = names
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        Some(StemMemo {
            ids,
            names,
            texts,
            uses,
            ..StemMemo::default()
        })
    }
}

/// Reads little-endian numbers and byte runs off the front of a slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    fn docs<'a>(texts: &[&'a str]) -> Vec<RankDoc<'a>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| RankDoc {
                parts: vec![t],
                features: Vec::new(),
                time: i as i64,
            })
            .collect()
    }

    #[test]
    fn decoded_memo_counts_as_tokenising_does() {
        let texts = [
            "Tanker rates climb as insurers price the Red Sea risk.",
            "Envoys met in Muscat; talks resume on Monday.",
            "Insurers and tanker owners met envoys.",
        ];
        let d = docs(&texts);
        let hashes: Vec<u128> = d.iter().map(text_hash).collect();
        let mut memo = StemMemo::default();
        let counted = memo.term_counts(&d, &hashes);
        assert!(memo.changed());
        let bytes = memo.encode();
        let mut back = StemMemo::decode(&bytes).expect("decodes");
        assert!(!back.changed());
        assert_eq!(back.encode(), bytes, "the same memo gives the same bytes");
        // Counts from the decoded memo: no text tokenised again, and the
        // same as counting from scratch.
        let again = back.term_counts(&d, &hashes);
        assert!(!back.changed());
        assert_eq!(again.1, counted.1);
        assert_eq!(again.0, counted.0);
        assert_eq!(again.0, term_counts(&d).0);
        // A text gone and one new: changed, and still counted right.
        let d2 = docs(&[texts[0], "Oil prices eased in Brent trading."]);
        let h2: Vec<u128> = d2.iter().map(text_hash).collect();
        let counts = back.term_counts(&d2, &h2);
        assert!(back.changed());
        assert_eq!(counts.0, term_counts(&d2).0);
        assert_eq!(counts.1, term_counts(&d2).1);
    }

    #[test]
    fn damaged_bytes_decode_to_nothing() {
        let d = docs(&["Envoys met in Muscat.", "Tanker rates climb."]);
        let hashes: Vec<u128> = d.iter().map(text_hash).collect();
        let mut memo = StemMemo::default();
        memo.term_counts(&d, &hashes);
        let bytes = memo.encode();
        assert!(StemMemo::decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(StemMemo::decode(&bytes[..3]).is_none());
        assert!(StemMemo::decode(b"").is_none());
        let mut flipped = bytes.clone();
        flipped[10] ^= 1;
        assert!(StemMemo::decode(&flipped).is_none());
    }
}
