//! A plugin host, the way a game or a chat bot runs mods written by other
//! people: each plugin is an Elle script in an engine of its own, under a
//! fuel budget and a time limit per event. The host hands every event to
//! every plugin's `on-event` function; plugins answer through `emit!`, a
//! Rust closure that records who said what. A plugin that raises an error
//! or runs away is reported with its condition and skipped for that event;
//! the others, and the host, carry on, and the faulty plugin still gets the
//! next event.
//!
//! `cargo run --example plugins` prints what happened; `cargo test` runs
//! the test at the bottom, which checks it.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use elle::{Engine, Error};

/// The plugins, as their authors wrote them.
const PLUGINS: [(&str, &str); 4] = [
    (
        "greeter",
        r#"
(define greeted (table))
(define (on-event kind who)
  (when (= kind "join")
    (if (has? greeted who)
        (emit! (string "welcome back, " who))
        (begin (put greeted who #t)
               (emit! (string "hello, " who))))))
"#,
    ),
    (
        "counter",
        r#"
(define seen 0)
(define (on-event kind who)
  (set! seen (+ seen 1))
  (when (= (mod seen 3) 0)
    (emit! (string seen " events so far"))))
"#,
    ),
    (
        // Fails on one kind of event: a bug its author did not catch.
        "buggy",
        r#"
(define (on-event kind who)
  (when (= kind "leave")
    (emit! (string "bye " (first who)))))
"#,
    ),
    (
        // Loops forever on one kind of event: fuel stops it.
        "runaway",
        r#"
(define (on-event kind who)
  (when (= kind "leave")
    (let loop ((i 0)) (loop (+ i 1)))))
"#,
    ),
];

/// Check points each plugin may spend on one event.
const FUEL_PER_EVENT: u64 = 100_000;

/// A loaded plugin.
struct Plugin {
    name: &'static str,
    engine: Engine,
}

/// What the host saw: messages the plugins emitted and the failures.
#[derive(Debug, Default, PartialEq)]
pub struct Log {
    pub messages: Vec<String>,
    pub failures: Vec<String>,
}

/// Loads every plugin: an engine each, with `emit!` bound to the shared
/// log under the plugin's name.
fn load(log: &Rc<RefCell<Log>>) -> Result<Vec<Plugin>, Error> {
    PLUGINS
        .iter()
        .map(|&(name, src)| {
            let mut engine = Engine::builder().time_limit(Duration::from_secs(1)).build();
            let log = log.clone();
            engine.register_fn("emit!", move |text: String| {
                log.borrow_mut().messages.push(format!("{name}: {text}"));
            });
            engine.eval_named::<()>(&format!("{name}.lisp"), src)?;
            Ok(Plugin { name, engine })
        })
        .collect()
}

/// Hands one event to every plugin, each with a fresh fuel budget.
fn dispatch(plugins: &mut [Plugin], log: &Rc<RefCell<Log>>, kind: &str, who: &str) {
    for plugin in plugins.iter_mut() {
        plugin.engine.set_fuel(Some(FUEL_PER_EVENT));
        if let Err(e) = plugin.engine.call::<()>("on-event", (kind, who)) {
            log.borrow_mut().failures.push(format!(
                "{} on {kind}: {}: {}",
                plugin.name,
                e.condition_type(),
                e.message()
            ));
        }
    }
}

/// Loads the plugins and runs a short session of events.
pub fn run() -> Result<Log, Error> {
    let log = Rc::new(RefCell::new(Log::default()));
    let mut plugins = load(&log)?;
    for (kind, who) in [
        ("join", "ada"),
        ("join", "alan"),
        ("leave", "ada"),
        ("join", "ada"),
    ] {
        dispatch(&mut plugins, &log, kind, who);
    }
    Ok(log.take())
}

fn main() -> Result<(), Error> {
    let log = run()?;
    let failures = log.failures.iter().map(|f| format!("failed: {f}"));
    for line in log.messages.iter().cloned().chain(failures) {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn plugins_run_side_by_side_and_a_faulty_one_is_contained() {
        let log = super::run().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            log.messages,
            [
                "greeter: hello, ada",
                "greeter: hello, alan",
                "counter: 3 events so far",
                "greeter: welcome back, ada",
            ]
        );
        assert_eq!(log.failures.len(), 2, "{:?}", log.failures);
        assert!(
            log.failures[0].starts_with("buggy on leave: type-error: "),
            "{:?}",
            log.failures
        );
        assert_eq!(
            log.failures[1],
            "runaway on leave: fuel-exhausted: fuel exhausted"
        );
    }
}
