#![allow(dead_code)]

pub mod app;
pub mod binary;
pub mod db;
pub mod discord;
pub mod disk;
pub mod openai;
pub mod s3;
