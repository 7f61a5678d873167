//! The partner references seen in a submission, kept compactly: a million references cost a few bytes
//! each beyond their text, instead of a `String` and a hash-map slot of their own.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// A set of references: their text, one after the other in an arena, found by a 64-bit hash. Two
/// references with the same hash (rare) are both kept and told apart by their text.
#[derive(Default)]
pub(crate) struct References {
    hasher: RandomState,
    /// Reference texts, each prefixed by its length as 4 little-endian bytes.
    arena: Vec<u8>,
    /// Hash to the arena offset of the first reference with that hash.
    first: HashMap<u64, u32>,
    /// Hash to the offsets of further references with that hash.
    more: HashMap<u64, Vec<usize>>,
    /// References too far into the arena for a `u32` offset (never in practice: 4 GB of references).
    overflow: std::collections::HashSet<String>,
}

impl References {
    /// Add a reference; false when it was already there.
    pub(crate) fn insert(&mut self, reference: &str) -> bool {
        let hash = self.hasher.hash_one(reference);
        let Some(&offset) = self.first.get(&hash) else {
            return match self.push(reference) {
                Some(offset) => {
                    self.first.insert(hash, offset);
                    true
                }
                None => self.overflow.insert(reference.to_string()),
            };
        };
        if self.text(offset as usize) == reference.as_bytes() {
            return false;
        }
        let seen = self.more.get(&hash).is_some_and(|offsets| {
            offsets
                .iter()
                .any(|&offset| self.text(offset) == reference.as_bytes())
        });
        if seen || self.overflow.contains(reference) {
            return false;
        }
        match self.push(reference) {
            Some(offset) => {
                self.more.entry(hash).or_default().push(offset as usize);
                true
            }
            None => self.overflow.insert(reference.to_string()),
        }
    }

    fn push(&mut self, reference: &str) -> Option<u32> {
        let offset = u32::try_from(self.arena.len()).ok()?;
        let len = u32::try_from(reference.len()).ok()?;
        self.arena.extend_from_slice(&len.to_le_bytes());
        self.arena.extend_from_slice(reference.as_bytes());
        Some(offset)
    }

    fn text(&self, offset: usize) -> &[u8] {
        let mut len = [0u8; 4];
        if let Some(bytes) = self.arena.get(offset..offset + 4) {
            len.copy_from_slice(bytes);
        }
        let start = offset + 4;
        self.arena
            .get(start..start + u32::from_le_bytes(len) as usize)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_new_once() {
        let mut refs = References::default();
        assert!(refs.insert("REF-1"));
        assert!(refs.insert("REF-2"));
        assert!(!refs.insert("REF-1"));
        assert!(refs.insert(""));
        assert!(!refs.insert(""));
        for i in 0..10_000 {
            assert!(refs.insert(&format!("R{i}")));
        }
        for i in 0..10_000 {
            assert!(!refs.insert(&format!("R{i}")));
        }
    }

    #[test]
    fn references_with_the_same_hash_are_told_apart() {
        let mut refs = References::default();
        let hash = 42;
        let a = refs.push("a").unwrap();
        refs.first.insert(hash, a);
        let b = refs.push("b").unwrap();
        refs.more.entry(hash).or_default().push(b as usize);
        assert_eq!(refs.text(a as usize), b"a");
        assert_eq!(refs.text(b as usize), b"b");
    }
}
