mod support;

mod config;
mod emulator_selftest;
mod lifecycle;
mod storage;
mod recovery;
mod ai;
