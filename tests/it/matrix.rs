//! The end-to-end scenarios over the configuration matrix (filled in below).
