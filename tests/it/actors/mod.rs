//! Integration tests of the actors area (one module per former test file).

mod supervised_restarts;
mod supervisor;
