//! Saved runs load back exactly, refuse what does not fit, and no input makes the checkpoint
//! loader or the link parser panic (property-based fuzzing with proptest; the case count is
//! bounded so CI stays fast: PROPTEST_CASES raises it for a longer run).

use burn::tensor::Device;
use gan_playground::core::checkpoint::Checkpoint;
use gan_playground::core::collapse::collapse_settings;
use gan_playground::core::saddle::SADDLE_SETTINGS;
use gan_playground::core::settings::{Settings, Spec};
use gan_playground::core::toy::{ToyConfig, ToyGan, TOY_SETTINGS};
use proptest::prelude::*;

fn config(query: &str) -> ToyConfig {
    let (settings, notices) = Settings::from_query(TOY_SETTINGS, query);
    assert!(notices.is_empty(), "{notices:?}");
    ToyConfig::from_settings(&settings)
}

fn trained(query: &str, steps: usize) -> ToyGan {
    let mut gan = ToyGan::new(config(query), &Device::flex()).unwrap();
    for _ in 0..steps {
        gan.train_step();
    }
    gan
}

fn saved(query: &str, steps: usize) -> Checkpoint {
    pollster::block_on(trained(query, steps).checkpoint("toy", query.into())).unwrap()
}

/// What loading a file does in the page: parse, check the demo, rebuild from its settings.
fn load(bytes: &[u8]) -> Result<ToyGan, String> {
    let c = Checkpoint::from_bytes(bytes)?;
    let (settings, notices) = Settings::from_query(TOY_SETTINGS, &c.query);
    if c.demo != "toy" || !notices.is_empty() {
        return Err("not a toy run".into());
    }
    ToyGan::from_checkpoint(ToyConfig::from_settings(&settings), &Device::flex(), &c)
}

const SMALL: &str = "seed=4&gWidth=8&dWidth=8&batch=32";

#[test]
fn a_saved_run_loads_back_with_the_same_weights_and_steps() {
    let gan = trained(SMALL, 25);
    let file = pollster::block_on(gan.checkpoint("toy", SMALL.into())).unwrap().to_bytes();
    let loaded = load(&file).unwrap();
    let (a, b) = (pollster::block_on(gan.snapshot(true)).unwrap(), pollster::block_on(loaded.snapshot(true)).unwrap());
    assert_eq!(b.step, 25);
    assert!(a.fake == b.fake, "G's weights came back");
    assert!(a.full.unwrap().d_grid == b.full.unwrap().d_grid, "D's weights came back");
    // and it trains on, spectral norm included (its power-iteration vectors start afresh)
    for query in [SMALL.to_string(), format!("{SMALL}&spectralNorm=on")] {
        let file = saved(&query, 5).to_bytes();
        let mut loaded = load(&file).unwrap();
        loaded.train_step();
        assert!(pollster::block_on(loaded.snapshot(false)).unwrap().is_finite());
    }
}

#[test]
fn weights_for_another_architecture_are_refused_with_the_shapes() {
    let mut c = saved(SMALL, 1);
    c.query = SMALL.replace("gWidth=8", "gWidth=9");
    let e = load(&c.to_bytes()).err().unwrap();
    assert!(e.contains("generator") && e.contains("[2, 8]") && e.contains("[2, 9]"), "{e}");
    let mut c = saved(SMALL, 1);
    c.tensors.pop();
    assert!(load(&c.to_bytes()).err().unwrap().contains("discriminator"));
}

fn bounded_cases() -> ProptestConfig {
    ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..ProptestConfig::default() }
}

fn valid_file() -> &'static [u8] {
    static FILE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    FILE.get_or_init(|| saved("gWidth=4&dWidth=4&gLayers=1&dLayers=1&batch=8", 2).to_bytes())
}

/// Any key of any table, or noise, with values that are often nearly right.
fn query_strategy() -> impl Strategy<Value = String> {
    let keys: Vec<&'static str> =
        [TOY_SETTINGS, collapse_settings(), SADDLE_SETTINGS].iter().flat_map(|t: &&[Spec]| t.iter().map(|s| s.key)).collect();
    let key = prop_oneof![proptest::sample::select(keys).prop_map(String::from), "[a-zA-Z_]{0,12}"];
    let value = prop_oneof![
        "-?[0-9]{0,25}(\\.[0-9]{0,10})?(e-?[0-9]{1,4})?",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        "[a-z0-9,._-]{0,40}",
        "\\PC{0,30}",
    ];
    proptest::collection::vec((key, value, "[&=;?#]{1,2}"), 0..12)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v, sep)| format!("{k}={v}{sep}")).collect::<String>())
}

proptest! {
    #![proptest_config(bounded_cases())]

    #[test]
    fn random_bytes_never_panic_the_loader(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = load(&bytes);
    }

    #[test]
    fn damaged_saved_runs_never_panic_the_loader(
        cut in 0usize..4096,
        flips in proptest::collection::vec((0usize..4096, any::<u8>()), 0..6),
    ) {
        let mut bytes = valid_file().to_vec();
        for (at, b) in flips {
            let i = at % bytes.len();
            bytes[i] ^= b;
        }
        bytes.truncate(cut.max(1) % (bytes.len() + 1));
        let _ = load(&bytes);
    }

    #[test]
    fn any_link_parses_to_valid_settings_that_round_trip(query in query_strategy()) {
        for table in [TOY_SETTINGS, collapse_settings(), SADDLE_SETTINGS] {
            let (settings, _) = Settings::from_query(table, &query);
            let (again, notices) = Settings::from_query(table, &settings.to_query());
            prop_assert!(notices.is_empty(), "{:?}", notices);
            prop_assert_eq!(&again, &settings);
        }
        // and every accepted toy link builds a run description without panicking
        let (toy, _) = Settings::from_query(TOY_SETTINGS, &query);
        let _ = ToyConfig::from_settings(&toy).target();
    }
}
