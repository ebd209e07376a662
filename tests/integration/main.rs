//! The one integration-test binary: every end-to-end and fixture test lives in a module here.

mod support;
mod transport;
mod vault;
