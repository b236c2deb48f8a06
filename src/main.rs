use elle_vm::Vm;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let child = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let mut vm = Vm::new();
            let (src, name) = if args.len() > 2 && args[1] == "-e" {
                (args[2].clone(), "-e".to_string())
            } else {
                (std::fs::read_to_string(&args[1]).unwrap(), args[1].clone())
            };
            match vm.eval_source(&src, &name) {
                Ok(v) => {
                    if args[1] == "-e" {
                        println!("{}", elle_vm::printer::write_string(&vm, v));
                    }
                    0
                }
                Err(e) => {
                    eprintln!("{e}");
                    1
                }
            }
        })
        .unwrap();
    std::process::exit(child.join().unwrap_or(1));
}
