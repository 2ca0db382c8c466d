//! [`Shared`]: a view value that many pages show (a briefing's card is on
//! its digest, its hubs, section pages and other briefings' related lists).
//!
//! Cloning one into a page's view copies a pointer, not the strings; and
//! the render memo, which keys each page by a hash of its whole view,
//! hashes a shared value by a digest computed once instead of its full
//! JSON on every page that shows it. Templates see the value itself.

use std::cell::Cell;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::cache::RenderMemo;

thread_local! {
    /// True while [`with_digests`] runs on this thread.
    static DIGESTS: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every [`Shared`] value serialising as its digest (a map
/// of one entry, so `#[serde(flatten)]` still works): for memo keys only.
pub fn with_digests<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            DIGESTS.with(|d| d.set(self.0));
        }
    }
    let _reset = Reset(DIGESTS.with(|d| d.replace(true)));
    f()
}

/// A reference-counted view value with the hash of its JSON form.
pub struct Shared<T> {
    value: Arc<T>,
    digest: u128,
}

impl<T: Serialize> Shared<T> {
    /// Wraps `value`; with `digest` false (no render memo) the hash is not
    /// computed and is 0.
    pub fn new(value: T, digest: bool) -> Shared<T> {
        let digest = if digest {
            RenderMemo::hash_value(&value)
        } else {
            0
        };
        Shared {
            value: Arc::new(value),
            digest,
        }
    }
}

impl Shared<String> {
    /// A string, digested by its bytes (no JSON escaping to hash through).
    pub fn text(value: String, digest: bool) -> Shared<String> {
        let digest = if digest {
            crate::cache::hash_bytes(value.as_bytes())
        } else {
            0
        };
        Shared {
            value: Arc::new(value),
            digest,
        }
    }
}

impl<T> Shared<T> {
    /// The hash of the value's JSON form (0 when made without one).
    pub fn digest(&self) -> u128 {
        self.digest
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared {
            value: Arc::clone(&self.value),
            digest: self.digest,
        }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if DIGESTS.with(|d| d.get()) {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(
                "\u{0}digest",
                &[(self.digest >> 64) as u64, self.digest as u64],
            )?;
            map.end()
        } else {
            self.value.serialize(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Card {
        title: String,
    }

    #[derive(Serialize)]
    struct Page {
        #[serde(flatten)]
        card: Shared<Card>,
        body: Shared<String>,
    }

    fn page(title: &str, body: &str) -> Page {
        Page {
            card: Shared::new(
                Card {
                    title: title.into(),
                },
                true,
            ),
            body: Shared::text(body.into(), true),
        }
    }

    #[test]
    fn templates_see_the_value_and_memo_keys_follow_it() {
        let json = serde_json::to_string(&page("Oman", "<p>talks</p>")).unwrap();
        assert_eq!(json, r#"{"title":"Oman","body":"<p>talks</p>"}"#);
        let key = |p: &Page| with_digests(|| RenderMemo::hash_value(p));
        assert_eq!(key(&page("Oman", "x")), key(&page("Oman", "x")));
        assert_ne!(key(&page("Oman", "x")), key(&page("Omán", "x")));
        assert_ne!(key(&page("Oman", "x")), key(&page("Oman", "y")));
        // Outside `with_digests` the full value is hashed, as before.
        #[derive(Serialize)]
        struct Plain {
            title: &'static str,
            body: &'static str,
        }
        let plain = Plain {
            title: "Oman",
            body: "x",
        };
        assert_eq!(
            RenderMemo::hash_value(&page("Oman", "x")),
            RenderMemo::hash_value(&plain)
        );
    }
}
