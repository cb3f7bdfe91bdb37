mod support;

mod ai;
mod browser;
mod check;
mod config;
mod emulator_selftest;
mod gateway_hardening;
mod hardening;
mod legacy_import;
mod lifecycle;
mod limits;
mod open_limits;
mod panel;
mod panel_hardening;
mod recovery;
mod startup;
mod storage;
