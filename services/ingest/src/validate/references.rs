//! The partner references seen in a submission, kept compactly: a million references cost a few bytes
//! each beyond their text, instead of a `String` and a hash-map slot of their own.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

/// A set of references: their text, one after the other in an arena, found through an open-addressing
/// table of arena offsets (4 bytes a slot, at most three quarters full; a reference's hash is computed
/// again from the arena when the table grows).
#[derive(Default)]
pub(crate) struct References {
    hasher: RandomState,
    /// Reference texts, each prefixed by its length as 4 little-endian bytes.
    arena: Vec<u8>,
    /// Arena offset + 1 of a reference, 0 for an empty slot; the length is a power of two.
    slots: Vec<u32>,
    len: usize,
    /// References past what a `u32` offset reaches (never in practice: 4 GB of references).
    overflow: HashSet<String>,
}

impl References {
    /// Add a reference; false when it was already there.
    pub(crate) fn insert(&mut self, reference: &str) -> bool {
        if self.slots.is_empty() {
            self.slots = vec![0; 1024];
        }
        let bytes = reference.as_bytes();
        let mask = self.slots.len() - 1;
        let mut i = self.hasher.hash_one(bytes) as usize & mask;
        while let Some(&slot) = self.slots.get(i).filter(|&&slot| slot != 0) {
            if self.text(slot as usize - 1) == bytes {
                return false;
            }
            i = (i + 1) & mask;
        }
        if !self.overflow.is_empty() && self.overflow.contains(reference) {
            return false;
        }
        let Some(offset) = self.push(reference) else {
            return self.overflow.insert(reference.to_string());
        };
        self.slots[i] = offset + 1;
        self.len += 1;
        if self.len * 4 > self.slots.len() * 3 {
            self.grow();
        }
        true
    }

    /// Double the table, placing every reference again.
    fn grow(&mut self) {
        let doubled = vec![0; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|&slot| slot != 0) {
            let mut i = self.hasher.hash_one(self.text(slot as usize - 1)) as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    /// Append a reference to the arena; its offset, if a slot can hold it.
    fn push(&mut self, reference: &str) -> Option<u32> {
        let offset = u32::try_from(self.arena.len())
            .ok()
            .filter(|&offset| offset < u32::MAX)?;
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
    fn references_whose_slots_collide_are_told_apart() {
        let mut refs = References::default();
        // 10,000 references in a table of at most 16,384 slots: many probe past each other.
        for i in 0..10_000 {
            assert!(refs.insert(&format!("{i}")));
        }
        assert_eq!(refs.len, 10_000);
        assert!(refs.slots.len() <= 16_384);
        assert!(!refs.insert("9999"));
        assert!(refs.insert("10000"));
    }
}
