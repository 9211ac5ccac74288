//! The LivePerson legacy visitor Chat REST client. Knows nothing of any UI.

pub mod model;
pub mod value;
