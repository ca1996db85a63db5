//! Each page's state as a plain value with `from_route` / `to_route`: what the address bar
//! says about the page, and every rule about it, tested natively. The pages hold these in
//! signals and only render and dispatch.

pub mod allocator;
pub mod cluster;
