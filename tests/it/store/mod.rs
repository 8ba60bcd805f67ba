//! Integration tests of the store area (one module per former test file).

mod basic;
mod cleanup;
mod lock;
mod recovery;
mod search_offset;
mod zero_copy;
