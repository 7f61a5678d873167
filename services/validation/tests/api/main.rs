mod helpers;
mod outcomes;
mod poison;
mod retries;
