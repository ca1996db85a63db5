//! What `check_invariants` reports when the pool's structures disagree with each other: a
//! bug in the engine, never a user's mistake (tests run the checks after every operation).

/// An invariant that does not hold, in words that name the block, page or owner concerned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invariant broken: {0}")]
pub struct InvariantError(pub String);

/// `Err` with this message, for the checks' early returns.
pub(crate) fn fail<T>(message: impl Into<String>) -> Result<T, InvariantError> {
    Err(InvariantError(message.into()))
}

impl From<String> for InvariantError {
    fn from(message: String) -> Self {
        InvariantError(message)
    }
}
