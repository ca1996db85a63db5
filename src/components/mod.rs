//! Reusable views shared by the pages.
pub mod placeholder;
