//! Stable stand-ins for the cargo-fuzz targets in `fuzz/` (docs/architecture.md "Fuzzing"): the
//! same entry points (`rocketactor::fuzzing`) with random bytes and with mutated seeds from the
//! checked-in corpus (`fuzz/corpus/<target>/`), a bounded number of cases each, so CI runs every
//! decoder on hostile input. The regression inputs the fuzzer found are replayed by name below.

use std::path::PathBuf;

use proptest::prelude::*;
use rocketactor::fuzzing;

/// The seed corpus of `target` (sorted by file name, so a failure names a stable seed).
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .collect();
    files.sort();
    let out: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("corpus file"))
        .collect();
    assert!(!out.is_empty(), "corpus {} is empty", dir.display());
    out
}

/// One mutation of a seed: flip bytes, cut it, or splice random bytes in.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(Vec<(usize, u8)>),
    Cut(usize),
    Splice(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8).prop_map(Mutation::Flip),
        any::<usize>().prop_map(Mutation::Cut),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, b)| Mutation::Splice(at, b)),
    ]
}

fn mutate(seed: &[u8], m: &Mutation) -> Vec<u8> {
    let mut v = seed.to_vec();
    if v.is_empty() {
        return v;
    }
    match m {
        Mutation::Flip(flips) => {
            for (at, x) in flips {
                let i = at % v.len();
                v[i] ^= x | 1;
            }
        }
        Mutation::Cut(at) => v.truncate(at % v.len()),
        Mutation::Splice(at, bytes) => {
            let i = at % v.len();
            v.splice(i..i, bytes.iter().copied());
        }
    }
    v
}

/// One fuzz entry point.
type Target = fn(&[u8]);

/// The targets, by corpus name.
const TARGETS: [(&str, Target); 4] = [
    ("properties", fuzzing::properties),
    ("commit_log_record", fuzzing::commit_log_record),
    ("ha_frames", fuzzing::ha_frames),
    ("json_bodies", fuzzing::json_bodies),
];

#[test]
fn every_seed_passes_its_target() {
    for (name, target) in TARGETS {
        for s in seeds(name) {
            target(&s);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_any_target(data in proptest::collection::vec(any::<u8>(), 0..1024)) {
        for (_, target) in TARGETS {
            target(&data);
        }
    }

    #[test]
    fn mutated_seeds_never_panic(which in any::<usize>(), m in mutation()) {
        for (name, target) in TARGETS {
            let s = seeds(name);
            target(&mutate(&s[which % s.len()], &m));
        }
    }
}
