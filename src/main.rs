use std::process::ExitCode;

fn main() -> ExitCode {
    plimsoll::app::main()
}
