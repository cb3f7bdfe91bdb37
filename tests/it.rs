mod support;

mod config;
mod emulator_selftest;
mod lifecycle;
mod recovery;
mod storage;
mod panel;
mod legacy_import;
mod browser;
mod ai;
