//! The mode-collapse table the papers report, on burn's CPU (flex) device:
//! `cargo run --release --example collapse_table` trains every preset's runs on ring8 and
//! grid25 over 5 seeds and prints modes captured, high-quality % and reverse KL as
//! mean ± standard error. Options: `--steps N` (default: each preset's own), `--seeds K`,
//! `--dist ring8,grid25`, `--preset key,key`, `--query "k=v&…"` (one extra A/B setting on
//! top of the preset), `--run A|B` (only that run), `--every N` (print a trace while
//! training).

use burn::tensor::Device;
use gan_playground::core::collapse::{collapse_settings, modes, new_run, run_config, Run, PRESETS};
use gan_playground::core::modes::{mode_metrics, ModeMetrics};
use gan_playground::core::settings::Settings;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 { v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, (var / n).sqrt())
}

fn main() {
    let started = Instant::now();
    let device = Device::flex();
    let seeds: u64 = arg("--seeds").and_then(|s| s.parse().ok()).unwrap_or(5);
    let every: u64 = arg("--every").and_then(|s| s.parse().ok()).unwrap_or(0);
    let dists = arg("--dist").unwrap_or_else(|| "ring8,grid25".into());
    let only = arg("--preset");
    let extra = arg("--query").unwrap_or_default();
    let only_run = arg("--run");
    println!("| preset | run | data | steps | modes captured | high quality % | reverse KL | s/run |");
    println!("|---|---|---|---|---|---|---|---|");
    for preset in PRESETS.iter().filter(|p| only.as_deref().is_none_or(|o| o.split(',').any(|k| k == p.key))) {
        let steps: u64 = arg("--steps").and_then(|s| s.parse().ok()).unwrap_or(preset.steps);
        for dist in dists.split(',') {
            let query = format!("{}&dist={dist}&{extra}", preset.query);
            let (settings, notices) = Settings::from_query(collapse_settings(), &query);
            assert!(notices.is_empty(), "{query}: {notices:?}");
            let runs: &[Run] = if settings.choice("compare") == "on" { &[Run::A, Run::B] } else { &[Run::A] };
            for &run in runs.iter().filter(|r| only_run.as_deref().is_none_or(|o| o.eq_ignore_ascii_case(&format!("{r:?}")))) {
                let mut results: Vec<ModeMetrics> = Vec::new();
                let t = Instant::now();
                for seed in 0..seeds {
                    let mut s = settings.clone();
                    s.set("seed", &(seed + 1).to_string()).unwrap();
                    let config = run_config(&s, run);
                    let modes = modes(&config).expect("modes");
                    let mut gan = new_run(config, &device).expect("data");
                    for step in 1..=steps {
                        gan.train_step();
                        if every > 0 && step % every == 0 {
                            let m = mode_metrics(&pollster::block_on(gan.snapshot(false)).unwrap().fake, &modes);
                            eprintln!(
                                "  {} {run:?} {dist} seed {} step {step}: {} modes, {:.1} % HQ, KL {:.2}",
                                preset.key,
                                seed + 1,
                                m.captured,
                                100.0 * m.hq_fraction,
                                m.reverse_kl
                            );
                        }
                    }
                    results.push(mode_metrics(&pollster::block_on(gan.snapshot(false)).unwrap().fake, &modes));
                }
                let secs = t.elapsed().as_secs_f64() / seeds as f64;
                let col = |f: &dyn Fn(&ModeMetrics) -> f64| mean_se(&results.iter().map(f).collect::<Vec<_>>());
                let (m, ms) = col(&|r| r.captured as f64);
                let (h, hs) = col(&|r| 100.0 * r.hq_fraction);
                let (k, ks) = col(&|r| r.reverse_kl);
                let total = results[0].nearest.len();
                println!(
                    "| {} | {run:?} | {dist} | {steps} | {m:.1} ± {ms:.1} / {total} | {h:.1} ± {hs:.1} | {k:.2} ± {ks:.2} | {secs:.0} |",
                    preset.title
                );
            }
        }
    }
    let total = started.elapsed().as_secs();
    println!("\nwhole table: {} min {} s", total / 60, total % 60);
}
