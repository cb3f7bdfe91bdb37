mod support;

mod ai;
mod browser;
mod config;
mod emulator_selftest;
mod legacy_import;
mod lifecycle;
mod limits;
mod panel;
mod recovery;
mod storage;
