//! A host that embeds Elle: it registers Rust functions (one with state
//! shared with the host), runs a pricing script, calls the script's
//! functions with Rust arguments and reads typed results.
//!
//! `cargo run --example embed` prints the script's output and the results;
//! `cargo test` runs the test at the bottom, which checks them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use elle::{Engine, Error, OutputBuffer};

/// The script: pricing rules written by someone who is not the host's
/// author. `tax-rate` and `audit!` come from the host.
const SCRIPT: &str = r#"
(define (discount qty)
  (cond ((>= qty 100) 0.2)
        ((>= qty 10) 0.1)
        (else 0.0)))

(define (price unit qty)
  (let ((net (* unit qty (- 1.0 (discount qty)))))
    (audit! "priced" qty)
    (* net (+ 1.0 (tax-rate)))))

(define (quote-all orders)
  (map (fn (o) (price (first o) (second o))) orders))

(println "rules loaded")
"#;

/// What the host computed with the script's help.
#[derive(Debug, PartialEq)]
pub struct Report {
    pub single: f64,
    pub bulk: Vec<f64>,
    pub audit: Vec<String>,
    pub settings: HashMap<String, i64>,
    pub output: String,
}

/// Runs the script and asks it for prices.
pub fn run() -> Result<Report, Error> {
    let output = OutputBuffer::new();
    // The script is not the host's: no files, no `exit`, no environment,
    // and at most 64 MiB of memory.
    let mut engine = Engine::builder()
        .output(output.clone())
        .sandbox()
        .memory_limit(64 << 20)
        .build();

    // A plain function, and a closure sharing state with the host.
    engine.register_fn("tax-rate", || 0.25);
    let audit = Rc::new(RefCell::new(Vec::new()));
    let log = audit.clone();
    engine.register_fn("audit!", move |what: String, qty: u32| {
        log.borrow_mut().push(format!("{what} {qty}"));
    });

    engine.eval_named::<()>("pricing.lisp", SCRIPT)?;
    let single: f64 = engine.call("price", (2.0, 5))?;
    let bulk: Vec<f64> = engine.call("quote-all", (vec![(1.0, 10), (0.5, 200)],))?;
    engine.set("max-items", 500)?;
    let settings = engine.eval("{:max-items max-items :min-items 1}")?;

    Ok(Report {
        single,
        bulk,
        audit: audit.take(),
        settings,
        output: output.take(),
    })
}

fn main() {
    match run() {
        Ok(report) => {
            print!("{}", report.output);
            println!("price of 5 at 2.0: {:.2}", report.single);
            println!("bulk quotes: {:?}", report.bulk);
            println!("audit: {:?}", report.audit);
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_host_gets_typed_results_from_the_script() {
        let report = super::run().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.output, "rules loaded\n");
        assert_eq!(report.single, 12.5);
        assert_eq!(report.bulk, [11.25, 100.0]);
        assert_eq!(report.audit, ["priced 5", "priced 10", "priced 200"]);
        assert_eq!(report.settings["max-items"], 500);
        assert_eq!(report.settings["min-items"], 1);
    }
}
