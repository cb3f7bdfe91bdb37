mod support;

mod ai;
mod browser;
mod config;
mod emulator_selftest;
mod hardening;
mod legacy_import;
mod lifecycle;
mod open_limits;
mod panel;
mod recovery;
mod startup;
mod storage;
