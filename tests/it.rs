mod support;

mod config;
mod emulator_selftest;
mod lifecycle;
mod recovery;
mod storage;
