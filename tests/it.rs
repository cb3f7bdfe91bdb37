mod support;

mod ai;
mod browser;
mod config;
mod emulator_selftest;
mod gateway_hardening;
mod legacy_import;
mod lifecycle;
mod panel;
mod recovery;
mod storage;
