//! Replays every input the fuzzers found (`scripts/fuzz.sh` saves them in
//! `tests/fuzz_regressions/<target>/`), through the same harness the fuzz
//! targets use (`fuzz/harness.rs`), on 2 MiB threads like the server's.
//! A fixed input must stay fixed.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;
use std::time::Duration;

/// Hang detection for one saved input (they take milliseconds).
const HANG: Duration = Duration::from_secs(120);

#[test]
fn saved_fuzz_findings_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut replayed = 0;
    for target in harness::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let name = file.display().to_string();
            // Timeouts are findings too: a generous bound detects a hang.
            let (done, finished) = std::sync::mpsc::channel();
            let worker = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || {
                    harness::run(target, &data);
                    let _ = done.send(());
                })
                .unwrap();
            match finished.recv_timeout(HANG) {
                Ok(()) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    panic!("{name} hangs again (no result in {HANG:?})")
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    let _ = worker.join();
                    panic!("{name} fails again");
                }
            }
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} saved fuzz input(s)");
}

/// The harness itself works on typical inputs (so a broken harness cannot
/// make the fuzzers silently useless).
#[test]
fn harness_runs_every_target_on_sample_inputs() {
    let samples: [&[u8]; 5] = [
        b"",
        b"import openai\nopenai.chat.completions.create(messages=[user.email])\n",
        b"# @data-use train_ai_system data=user.contact.email basis=consent\n",
        b"[rules]\ndisable = [\"PL102\"]\n[[sinks]]\ncall = \"acme.**.predict\"\nkind = \"llm_inference\"\n",
        &[0xff, 0, 0xfe, b'\r', b'\n', 0xf0, 0x9f, 0x98, 0x80, 7, 200, 13, 99, 1, 250, 3, 3, 3],
    ];
    for target in harness::TARGETS {
        for sample in samples {
            harness::run(target, sample);
        }
    }
}
