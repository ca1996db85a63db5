//! One module per top-level area of the app.
pub mod allocator;
pub mod calculator;
pub mod cluster;
pub mod diagnosis;
pub mod lessons;
