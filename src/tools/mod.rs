//! Operator tools that run against a live cluster from wherever the operator sits, built on the
//! project's own client: `doctor` checks what a deployment advertises against what is
//! reachable (NAT port forwards, brokerIP1/brokerIP2, name-server agreement); `admin` is
//! mqadmin's command set.

pub mod admin;
pub mod doctor;
