//! rocketmq-client-rust 1.0.0 against our name server and broker, started in-process on
//! 127.0.0.1 with OS-chosen ports (issue 5). One test binary, one module per concern; the shared
//! harness is the `rocketactor_interop` library.

mod consume;
mod delay;
mod orderly;
mod produce;
mod resume;
mod retry;
