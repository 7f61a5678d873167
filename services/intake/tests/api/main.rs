mod access;
mod datasets;
mod helpers;
mod limits;
mod openapi;
mod public;
mod submissions;
mod web;
