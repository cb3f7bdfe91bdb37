#![allow(dead_code)]

pub mod discord;
