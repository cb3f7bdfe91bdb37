mod support;

mod emulator_selftest;
