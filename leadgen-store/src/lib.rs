//! # leadgen-store
//!
//! Store backends for leadgen.
