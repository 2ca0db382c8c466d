//! The inline links of the last `build`, by the key of their inputs
//! ([`inline::input_keys`]), so that a warm build searches only the
//! briefings whose text or hubs changed for their phrases. At 10,000
//! briefings the search was 0.2 s of wall time (0.4 s of CPU) in a warm
//! build of 1.6 s. `cache::inline_links` keeps the records on disk.
//!
//! A record names a link's hub by its place among the briefing's
//! candidate hubs ([`inline::candidates`]), which the key fixes, not by a
//! hub number, which the next build may give to another hub.
//!
//! Records, little-endian: the key (16 bytes), the number of links (2
//! bytes), then per link the candidate's place (2 bytes), the phrase's
//! length (4 bytes) and its UTF-8 bytes.

use super::hubs::HubSet;
use super::inline::{self, HubRef, InlineLink};
use super::text::FastMap;
use crate::briefings::Briefing;

/// Links by input key, as a build found them.
#[derive(Debug, Default)]
pub struct SavedInline {
    /// Key -> each link's candidate place and phrase.
    by_key: FastMap<u128, Vec<(u16, Box<str>)>>,
    /// This build's records, when they are not those read (see
    /// [`SavedInline::record`]).
    to_save: Option<Vec<u8>>,
    /// Briefings of the last call whose links were taken from here.
    pub reused: usize,
}

impl SavedInline {
    /// The records of `bytes`; None if they do not read whole.
    pub fn decode(bytes: &[u8]) -> Option<SavedInline> {
        let mut by_key = FastMap::default();
        let mut rest = bytes;
        fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
            let (head, tail) = rest.split_at_checked(n)?;
            *rest = tail;
            Some(head)
        }
        while !rest.is_empty() {
            let key = u128::from_le_bytes(take(&mut rest, 16)?.try_into().ok()?);
            let n = u16::from_le_bytes(take(&mut rest, 2)?.try_into().ok()?);
            let mut links = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let place = u16::from_le_bytes(take(&mut rest, 2)?.try_into().ok()?);
                let len = u32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?);
                let phrase = std::str::from_utf8(take(&mut rest, len as usize)?).ok()?;
                links.push((place, Box::from(phrase)));
            }
            by_key.insert(key, links);
        }
        Some(SavedInline {
            by_key,
            ..SavedInline::default()
        })
    }

    /// This build's records to write, if they differ from those read.
    pub fn take_encoded(&mut self) -> Option<Vec<u8>> {
        self.to_save.take()
    }

    /// Briefing `i`'s links as saved under `key`, its hubs numbered as
    /// `hubs` number them; None when none are saved or a place is not one
    /// of its candidates (a record of other code).
    fn known(&self, key: u128, b: &Briefing, hubs: &HubSet, i: usize) -> Option<Vec<InlineLink>> {
        let saved = self.by_key.get(&key)?;
        let candidates: Vec<HubRef> = inline::candidates(b, hubs, i).map(|c| c.1).collect();
        saved
            .iter()
            .map(|(place, phrase)| {
                Some(InlineLink {
                    phrase: phrase.to_string(),
                    hub: *candidates.get(*place as usize)?,
                })
            })
            .collect()
    }

    /// Every briefing's links: those saved under its key, or found anew.
    pub(super) fn links(
        &mut self,
        briefings: &[Briefing],
        hubs: &HubSet,
        max: usize,
        keys: &[u128],
    ) -> Vec<Vec<InlineLink>> {
        use rayon::prelude::*;
        let known: Vec<Option<Vec<InlineLink>>> = briefings
            .par_iter()
            .enumerate()
            .map(|(i, b)| self.known(keys[i], b, hubs, i))
            .collect();
        self.reused = known.iter().filter(|k| k.is_some()).count();
        inline::phrases(briefings, hubs, max, |i| known[i].as_ref())
    }

    /// Records `links`, found for `briefings` under `keys`, to save in
    /// place of those read; nothing when every key was read and no other
    /// was (the file would be written the same). Forgets those read.
    pub(super) fn record(
        &mut self,
        briefings: &[Briefing],
        hubs: &HubSet,
        keys: &[u128],
        links: &[Vec<InlineLink>],
    ) {
        let read = std::mem::take(&mut self.by_key);
        let mut live: Vec<u128> = keys.to_vec();
        live.sort_unstable();
        live.dedup();
        if live.len() == read.len() && live.iter().all(|k| read.contains_key(k)) {
            self.to_save = None;
            return;
        }
        crate::drop_later::drop_later(read);
        let mut bytes = Vec::new();
        for (i, (b, found)) in briefings.iter().zip(links).enumerate() {
            let candidates: Vec<HubRef> = inline::candidates(b, hubs, i).map(|c| c.1).collect();
            let places: Option<Vec<u16>> = found
                .iter()
                .map(|l| {
                    let at = candidates.iter().position(|&c| c == l.hub)?;
                    u16::try_from(at).ok()
                })
                .collect();
            // A briefing with more candidates than a place can count, or
            // a phrase longer than a length can, is found anew next time.
            let Some(places) = places.filter(|_| found.len() <= usize::from(u16::MAX)) else {
                continue;
            };
            if found.iter().any(|l| u32::try_from(l.phrase.len()).is_err()) {
                continue;
            }
            bytes.extend_from_slice(&keys[i].to_le_bytes());
            bytes.extend_from_slice(&(found.len() as u16).to_le_bytes());
            for (place, l) in places.iter().zip(found) {
                bytes.extend_from_slice(&place.to_le_bytes());
                bytes.extend_from_slice(&(l.phrase.len() as u32).to_le_bytes());
                bytes.extend_from_slice(l.phrase.as_bytes());
            }
        }
        self.to_save = Some(bytes);
    }
}
