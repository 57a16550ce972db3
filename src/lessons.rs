//! Teaching text for the toy lab: each loss as MathML, and the captions of slow motion.
//! Plain Rust (no web types), so it is tested natively; `web::toy` puts it on the page.

use crate::core::loss::GanLoss;
use crate::core::toy::ToyConfig;

/// MathML for a formula written as space-separated tokens: `A_b` is a subscript, `A^b` a
/// superscript, numbers become <mn>, words and single letters <mi>, anything else <mo>.
/// Small on purpose: enough for the losses below, no TeX engine in the bundle.
pub fn mathml(formula: &str) -> String {
    fn atom(t: &str) -> String {
        if t.chars().all(|c| c.is_ascii_digit() || c == '.') {
            format!("<mn>{t}</mn>")
        } else if t.chars().all(char::is_alphabetic) {
            format!("<mi>{t}</mi>")
        } else {
            format!("<mo>{t}</mo>")
        }
    }
    let body: String = formula
        .split_whitespace()
        .map(|t| match (t.split_once('_'), t.split_once('^')) {
            // a lone `^2` raises the token before it (a closing bracket)
            (_, Some(("", s))) => format!("<msup><mrow></mrow>{}</msup>", atom(s)),
            (Some((b, s)), _) if !b.is_empty() => format!("<msub>{}{}</msub>", atom(b), atom(s)),
            (_, Some((b, s))) if !b.is_empty() => format!("<msup>{}{}</msup>", atom(b), atom(s)),
            _ => atom(t),
        })
        .collect();
    format!("<math display=\"block\"><mrow>{body}</mrow></math>")
}

/// (D's loss, G's loss, a one-line gloss), as formulas for `mathml`.
pub fn loss_formulas(loss: GanLoss) -> (&'static str, &'static str, &'static str) {
    match loss {
        GanLoss::Minimax => (
            "L_D = − E_x [ log D ( x ) ] − E_z [ log ( 1 − D ( G ( z ) ) ) ]",
            "L_G = E_z [ log ( 1 − D ( G ( z ) ) ) ]",
            "The original minimax game: G minimises what D maximises. Saturates: when D rejects G's samples, log(1 − D) is flat.",
        ),
        GanLoss::NonSaturating => (
            "L_D = − E_x [ log D ( x ) ] − E_z [ log ( 1 − D ( G ( z ) ) ) ]",
            "L_G = − E_z [ log D ( G ( z ) ) ]",
            "Non-saturating: G maximises log D(G(z)) instead, which is steep exactly where D rejects its samples.",
        ),
        GanLoss::LeastSquares => (
            "L_D = ½ E_x [ ( D ( x ) − 1 ) ^2 ] + ½ E_z [ D ( G ( z ) ) ^2 ]",
            "L_G = ½ E_z [ ( D ( G ( z ) ) − 1 ) ^2 ]",
            "Least squares (LSGAN): quadratic penalties keep pulling samples towards the decision value.",
        ),
        GanLoss::Wasserstein => (
            "L_D = E_z [ D ( G ( z ) ) ] − E_x [ D ( x ) ] , | w | ≤ c",
            "L_G = − E_z [ D ( G ( z ) ) ]",
            "Wasserstein: D is a critic, kept Lipschitz by clipping every weight to [−c, c].",
        ),
        GanLoss::WassersteinGp => (
            "L_D = E_z [ D ( G ( z ) ) ] − E_x [ D ( x ) ] + λ E_x̂ [ ( ‖ ∇D ( x̂ ) ‖ − 1 ) ^2 ]",
            "L_G = − E_z [ D ( G ( z ) ) ]",
            "WGAN-GP: the critic is kept 1-Lipschitz by penalising its gradient norm at points x̂ between real and generated samples.",
        ),
        GanLoss::Hinge => (
            "L_D = E_x [ max ( 0 , 1 − D ( x ) ) ] + E_z [ max ( 0 , 1 + D ( G ( z ) ) ) ]",
            "L_G = − E_z [ D ( G ( z ) ) ]",
            "Hinge: D stops pushing once a sample is beyond the margin.",
        ),
    }
}

/// Slow motion walks one iteration in these sub-steps.
pub const PHASES: usize = 6;

/// Numbers the captions quote, from the latest full snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BatchNumbers {
    pub mean_d_real: f32,
    pub mean_d_fake: f32,
    pub loss_d: f32,
    pub loss_g: f32,
    pub mean_pull: f32,
}

/// Title and caption of slow-motion sub-step `phase` (0-based).
pub fn caption(phase: usize, c: &ToyConfig, n: &BatchNumbers) -> (String, String) {
    let prior = match c.prior {
        crate::core::toy::Prior::Gaussian => "N(0, I)",
        crate::core::toy::Prior::Uniform => "U[−1, 1]",
    };
    let probability = matches!(c.loss, GanLoss::Minimax | GanLoss::NonSaturating);
    let score = if probability { "D(x), the probability it is real" } else { "a critic value D(x)" };
    match phase {
        0 => (
            "1 · Sample noise".into(),
            format!(
                "Draw a batch of {} noise vectors z from {prior} in {} dimension{}, and a batch of {} real samples (green).",
                c.batch,
                c.latent_dim,
                if c.latent_dim == 1 { "" } else { "s" },
                c.batch
            ),
        ),
        1 => ("2 · Generate".into(), "The generator maps each z to a point G(z): the purple dots (the same fixed z every frame, so each dot keeps its identity).".into()),
        2 => (
            "3 · D classifies".into(),
            format!(
                "D gives every point {score}: the shading. Mean over the real dots {:.3}, over the generated dots {:.3}.",
                n.mean_d_real, n.mean_d_fake
            ),
        ),
        3 => (
            "4 · The loss".into(),
            format!("From those scores: D's loss L_D = {:.4}, G's loss L_G = {:.4} (the formulas beside the plot).", n.loss_d, n.loss_g),
        ),
        4 => (
            "5 · The gradients".into(),
            format!(
                "Backpropagation: each arrow is −∂L_G/∂x at a generated point, where G's loss pushes it (mean length {:.3}). D's gradient moves the shading.",
                n.mean_pull
            ),
        ),
        _ => (
            "6 · The update".into(),
            format!(
                "D took {} step{} of {} (lr {}), then G took {} step{} of {} (lr {}): the dots and the shading moved. Next starts the next iteration.",
                c.k_d,
                if c.k_d == 1 { "" } else { "s" },
                crate::core::optim::OptimizerKind::NAMES[c.opt_d as usize],
                c.lr_d,
                c.k_g,
                if c.k_g == 1 { "" } else { "s" },
                crate::core::optim::OptimizerKind::NAMES[c.opt_g as usize],
                c.lr_g
            ),
        ),
    }
}

/// Which layers a slow-motion sub-step shows (real, fake, heat, grads); None: the user's views.
pub fn phase_layers(phase: usize) -> Option<[bool; 4]> {
    match phase {
        0 => Some([true, false, false, false]),
        1 => Some([true, true, false, false]),
        2 | 3 => Some([true, true, true, false]),
        4 => Some([true, true, true, true]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_well_formed_mathml() {
        let m = mathml("L_D = − E_x [ log D ( x ) ] + ½ x ^2 2.5");
        assert!(m.starts_with("<math") && m.ends_with("</math>"));
        assert!(m.contains("<msub><mi>L</mi><mi>D</mi></msub>"));
        assert!(m.contains("<mo>−</mo>") && m.contains("<mi>log</mi>") && m.contains("<mn>2.5</mn>"));
        assert!(m.contains("<msup><mrow></mrow><mn>2</mn></msup>"));
        for name in GanLoss::NAMES {
            let (d, g, _) = loss_formulas(GanLoss::parse(name).unwrap());
            assert_eq!(mathml(d).matches("<msub>").count(), mathml(d).matches("</msub>").count());
            assert!(g.starts_with("L_G"));
        }
    }
}
