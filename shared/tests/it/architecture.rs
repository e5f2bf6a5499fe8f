//! The modules of `shared/src` depend one way: no module imports, directly or through others, a module
//! that imports it back (front doors -> dispatch -> operations -> building blocks). Read from the source,
//! so a new `use crate::...` that closes a loop fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path ("operations::login") of every file under `src`.
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            modules(&path, &format!("{prefix}{stem}::"), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = match stem.as_str() {
                "lib" => continue,
                "mod" => prefix.trim_end_matches("::").to_owned(),
                _ => format!("{prefix}{stem}"),
            };
            out.insert(name, path);
        }
    }
}

/// The modules `source` refers to with `crate::a::b...`, resolved to the longest known module path.
fn imports(source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = source;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        for len in (1..=segments.len()).rev() {
            let candidate = segments[..len].join("::");
            if known.contains(&candidate) {
                found.insert(candidate);
                break;
            }
        }
        // `use crate::{a, b::c}`: the names inside braces.
        if rest.starts_with('{') || path.ends_with("::") {
            let inner: String = rest
                .chars()
                .skip_while(|c| *c != '{')
                .skip(1)
                .take_while(|c| *c != '}')
                .collect();
            let base = path.trim_end_matches("::");
            for item in inner.split(',') {
                let item = item.trim().split("::").next().unwrap_or("");
                let candidate = if base.is_empty() {
                    item.to_owned()
                } else {
                    format!("{base}::{item}")
                };
                if known.contains(&candidate) {
                    found.insert(candidate);
                }
            }
        }
    }
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    modules(&src, "", &mut files);
    let known: BTreeSet<String> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(name, path)| {
            let source = std::fs::read_to_string(path).unwrap();
            // Tests may reach anywhere.
            let source = source.split("#[cfg(test)]").next().unwrap();
            let mut deps = imports(source, &known);
            deps.remove(name);
            (name.clone(), deps)
        })
        .collect()
}

/// A cycle through `start`, if any, as the list of modules on it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let graph = graph();
    assert!(
        graph["dispatch"].contains("operations::login"),
        "the graph is read: {graph:?}"
    );
    assert_eq!(cycle(&graph), None);
}

#[test]
fn operations_never_see_the_front_doors_or_the_boundary() {
    for (module, deps) in graph() {
        if module.starts_with("operations") || module.starts_with("auth") {
            for forbidden in ["app", "dispatch", "lambda"] {
                assert!(!deps.contains(forbidden), "{module} imports {forbidden}");
            }
        }
    }
}

/// The check itself can fail: a loop made up here is found.
#[test]
fn a_loop_is_found() {
    let mut graph = graph();
    graph
        .get_mut("values")
        .unwrap()
        .insert("operations::login".into());
    assert!(cycle(&graph).is_some());
}
