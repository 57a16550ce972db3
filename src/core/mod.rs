//! The training engine. Nothing here touches the web: every constructor takes a burn
//! `Device`, and every test runs natively on burn's CPU (flex) device.

pub mod collapse;
pub mod critic;
pub mod data;
pub mod loss;
pub mod metrics;
pub mod modes;
pub mod model;
pub mod optim;
pub mod rng;
pub mod saddle;
pub mod settings;
pub mod toy;
