mod helpers;
mod outcomes;
mod retries;
