mod access;
mod datasets;
mod helpers;
mod limits;
mod public;
mod submissions;
mod web;
