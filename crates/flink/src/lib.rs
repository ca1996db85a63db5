//! Flink memory model (planned): config, derivation, REST types, diagnosis.
#![forbid(unsafe_code)]
