//! Process-wide slog setup: human-readable on a terminal, JSON lines with `--log-format json`.
//!
//! Every component gets a child logger carrying a `component` key, so one grep finds a
//! component's whole history (starts, failures, restarts).

use slog::{o, Drain, Logger};

/// Output format of the root logger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable, one line per record.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Builds the root logger writing to stderr.
pub fn root_logger(format: LogFormat) -> Logger {
    match format {
        LogFormat::Text => {
            let decorator = slog_term::TermDecorator::new().stderr().build();
            let drain = slog_term::FullFormat::new(decorator).build().fuse();
            let drain = slog_async::Async::new(drain).chan_size(4096).build().fuse();
            Logger::root(drain, o!())
        }
        LogFormat::Json => {
            let drain = slog_json::Json::new(std::io::stderr())
                .add_default_keys()
                .build()
                .fuse();
            let drain = slog_async::Async::new(drain).chan_size(4096).build().fuse();
            Logger::root(drain, o!())
        }
    }
}

/// A logger that drops everything (tests, benches).
pub fn discard() -> Logger {
    Logger::root(slog::Discard, o!())
}

/// A logger for tests: records go to stderr only when `ROCKETACTOR_TEST_LOG` is set.
pub fn test_logger() -> Logger {
    if std::env::var_os("ROCKETACTOR_TEST_LOG").is_some() {
        let decorator = slog_term::PlainSyncDecorator::new(std::io::stderr());
        let drain = slog_term::FullFormat::new(decorator).build().fuse();
        Logger::root(std::sync::Mutex::new(drain).fuse(), o!())
    } else {
        discard()
    }
}
