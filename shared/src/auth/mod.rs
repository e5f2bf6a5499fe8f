//! Building blocks of signing in, shared by several routes: the login steps and tokens (`steps`), the
//! configured password login (`password`, `srp`), answering a challenge (`challenge`) and refreshing
//! (`refresh`, which `credentials` uses too). They import no operation.

pub mod challenge;
pub mod password;
pub mod passwordless;
pub mod refresh;
pub mod srp;
pub mod steps;
