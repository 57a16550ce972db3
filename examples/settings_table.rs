//! Prints docs/settings.md: every demo's settings with their accepted ranges and defaults,
//! generated from the tables the page validates with (`cargo run --example settings_table`).

fn main() {
    print!("{}", gan_playground::core::settings_doc());
}
