//! Integration tests of the disk area (one module per former test file).

mod full;
mod full_store;
