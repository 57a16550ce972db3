//! The saddle lab against the closed forms of the lectures and the Dirac-GAN paper's verdicts.

use super::game::{Bilinear, Dirac, DiracLoss, Game};
use super::method::{norm, trajectory, update_map, Hyper, Method};
use super::spectrum::{char_poly, closed_form, eigenvalues, roots, spectral_radius, verdict, Verdict};
use super::*;
use num_complex::Complex64 as C;

const XY: Bilinear = Bilinear { a: 0.0, b: 0.0 };
const Z0: [f64; 2] = [0.9, -0.35];

fn hyper(eta: f64) -> Hyper {
    Hyper { eta, gamma: 0.7, beta: -0.4 }
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// Every step multiplies the radius by exactly `factor`.
fn assert_radius_ratio(method: Method, eta: f64, factor: f64) {
    let pts = trajectory(&XY, method, &hyper(eta), Z0, 300);
    assert_eq!(pts.len(), 301);
    for (k, p) in pts.iter().enumerate() {
        let want = norm(Z0) * factor.powi(k as i32);
        assert!(rel(norm(*p), want) < 1e-9, "{method:?} η={eta} step {k}: {} vs {want}", norm(*p));
    }
}

#[test]
fn simultaneous_gda_multiplies_the_radius_by_sqrt_one_plus_eta_squared() {
    for eta in [0.01, 0.1, 0.3, 1.0] {
        assert_radius_ratio(Method::Simultaneous, eta, (1.0 + eta * eta).sqrt());
    }
}

#[test]
fn extragradient_and_consensus_contract_at_their_closed_form_rates() {
    for eta in [0.05, 0.2, 0.5] {
        assert_radius_ratio(Method::Extragradient, eta, (1.0 - eta * eta + eta.powi(4)).sqrt());
        let g = hyper(eta).gamma;
        assert_radius_ratio(Method::Consensus, eta, ((1.0 - g * eta).powi(2) + eta * eta).sqrt());
    }
}

#[test]
fn continuous_play_stays_on_the_circle() {
    assert_radius_ratio(Method::Flow, 0.2, 1.0);
    // and it is the exact rotation: after π/2 of time (x, y) → (−y, x)
    let pts = trajectory(&XY, Method::Flow, &hyper(std::f64::consts::FRAC_PI_2 / 10.0), [1.0, 0.0], 10);
    let end = pts[10];
    assert!(end[0].abs() < 1e-12 && rel(end[1], 1.0) < 1e-12, "{end:?}");
}

#[test]
fn alternating_gda_conserves_x2_plus_y2_minus_eta_xy() {
    for eta in [0.05, 0.3, 1.2, 1.9] {
        let h = hyper(eta);
        let pts = trajectory(&XY, Method::Alternating, &h, Z0, 2000);
        let q0 = Z0[0] * Z0[0] + Z0[1] * Z0[1] - eta * Z0[0] * Z0[1];
        for (k, [x, y]) in pts.iter().enumerate() {
            let q = x * x + y * y - eta * x * y;
            assert!(rel(q, q0) < 1e-9, "η={eta} step {k}: {q} vs {q0}");
        }
    }
}

#[test]
fn optimistic_gda_follows_its_two_root_closed_form() {
    // With w = x + iy the xy game's field is v = i·w, and OGDA is the scalar recurrence
    // w_{k+1} = (1 + 2iη) w_k − iη w_{k−1} (w_{−1} = w_0): w_k = c₁λ₁ᵏ + c₂λ₂ᵏ.
    for eta in [0.05, 0.2, 0.45] {
        let pts = trajectory(&XY, Method::Optimistic, &hyper(eta), Z0, 400);
        let cf = closed_form(Method::Optimistic, eta, 0.0, 0.0).unwrap();
        let (l1, l2) = (cf.eigenvalues[0], cf.eigenvalues[2]);
        let w0 = C::new(Z0[0], Z0[1]);
        let w1 = w0 + C::new(0.0, eta) * w0;
        let c2 = (w1 - l1 * w0) / (l2 - l1);
        let c1 = w0 - c2;
        for (k, p) in pts.iter().enumerate() {
            let want = c1 * l1.powi(k as i32) + c2 * l2.powi(k as i32);
            let err = (C::new(p[0], p[1]) - want).norm();
            assert!(err <= 1e-9 * want.norm().max(1e-3), "η={eta} step {k}: {p:?} vs {want}");
        }
        // and it contracts at the larger root's rate
        let rho = l1.norm().max(l2.norm());
        assert!(rho < 1.0);
        let ratio = (norm(pts[400]) / norm(pts[300])).powf(0.01);
        assert!(rel(ratio, rho) < 1e-6, "η={eta}: {ratio} vs {rho}");
    }
}

#[test]
fn numeric_eigenvalues_of_every_update_map_match_the_closed_forms() {
    for eta in [0.1, 0.6, 1.5] {
        let h = hyper(eta);
        for method in Method::ALL {
            let Some(cf) = closed_form(method, eta, h.gamma, h.beta) else {
                assert_eq!(method, Method::Adam);
                assert!(update_map(&XY, method, &h).is_none());
                continue;
            };
            let mut numeric = eigenvalues(&update_map(&XY, method, &h).unwrap());
            let mut want = cf.eigenvalues.clone();
            assert_eq!(numeric.len(), want.len(), "{method:?}");
            // match each predicted eigenvalue to its nearest numeric one
            for w in want.drain(..) {
                let (i, d) = numeric.iter().enumerate().map(|(i, l)| (i, (l - w).norm())).min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
                assert!(d < 1e-6, "{method:?} η={eta}: {w} not among {numeric:?}");
                numeric.remove(i);
            }
        }
    }
}

#[test]
fn eigen_solver_finds_known_roots_including_complex_and_repeated_ones() {
    // companion matrix of (λ − 2)(λ + 0.5)(λ² − 2λ + 5) = roots 2, −0.5, 1 ± 2i
    let want = [C::new(2.0, 0.0), C::new(-0.5, 0.0), C::new(1.0, 2.0), C::new(1.0, -2.0)];
    // coefficients from the roots
    let mut c = vec![C::new(1.0, 0.0)];
    for r in want {
        let mut next = vec![C::new(0.0, 0.0); c.len() + 1];
        for (i, k) in c.iter().enumerate() {
            next[i + 1] += k;
            next[i] -= k * r;
        }
        c = next;
    }
    let coeffs: Vec<f64> = c.iter().map(|k| k.re).collect();
    let n = 4;
    let companion: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == 0 { -coeffs[n - 1 - j] } else if j == i - 1 { 1.0 } else { 0.0 }).collect())
        .collect();
    let cp = char_poly(&companion);
    for (a, b) in cp.iter().zip(&coeffs) {
        assert!((a - b).abs() < 1e-12, "{cp:?} vs {coeffs:?}");
    }
    let found = eigenvalues(&companion);
    for w in want {
        assert!(found.iter().any(|l| (l - w).norm() < 1e-10), "{w} not in {found:?}");
    }
    // a double root (alternating GDA at η = 2: λ = −1 twice)
    let r = roots(&[1.0, 2.0, 1.0]);
    assert!(r.iter().all(|l| (l - C::new(-1.0, 0.0)).norm() < 1e-6), "{r:?}");
    assert!((spectral_radius(&found) - 5f64.sqrt()).abs() < 1e-10);
    // a 2×2 map with a double eigenvalue (Dirac-GAN with R1 γ = 1: μ² + μ + ¼) gets it exactly,
    // with no spurious imaginary part to print
    let mu = eigenvalues(&vec![vec![0.0, 0.5], vec![-0.5, -1.0]]);
    assert!(mu.iter().all(|m| *m == C::new(-0.5, 0.0)), "{mu:?}");
}

#[test]
fn verdicts_on_the_xy_game_are_the_lectures() {
    let h = Hyper { eta: 0.1, gamma: 1.0, beta: -0.5 };
    let expect = [
        (Method::Flow, Verdict::Cycles),
        (Method::Simultaneous, Verdict::Diverges),
        (Method::Alternating, Verdict::Cycles),
        (Method::Optimistic, Verdict::Converges),
        (Method::Extragradient, Verdict::Converges),
        (Method::Consensus, Verdict::Converges),
    ];
    for (method, want) in expect {
        let pts = trajectory(&XY, method, &h, Z0, 1000);
        assert_eq!(verdict(&pts, [0.0, 0.0], 1000).0, want, "{method:?}");
    }
    // negative momentum makes alternating steps converge (Gidel et al. 2019), positive
    // momentum makes them spiral out
    let pts = trajectory(&XY, Method::Momentum, &Hyper { eta: 0.3, ..h }, Z0, 1000);
    assert_eq!(verdict(&pts, [0.0, 0.0], 1000).0, Verdict::Converges);
    let pts = trajectory(&XY, Method::Momentum, &Hyper { beta: 0.3, ..h }, Z0, 1000);
    assert_eq!(verdict(&pts, [0.0, 0.0], 1000).0, Verdict::Diverges);
    // strong convexity–concavity (a, b > 0) makes even simultaneous steps converge
    let pts = trajectory(&Bilinear { a: 0.5, b: 0.5 }, Method::Simultaneous, &h, Z0, 1000);
    assert_eq!(verdict(&pts, [0.0, 0.0], 1000).0, Verdict::Converges);
}

fn dirac(loss: DiracLoss, r1: f64, noise: f64) -> Dirac {
    Dirac { loss, r1, noise, clip: 1.0, gp: 1.0 }
}

/// Mescheder, Geiger, Nowozin (2018), §3 and Fig. 3: unregularised GAN and non-saturating GAN
/// do not converge (simultaneous steps spiral out, alternating ones and continuous play cycle);
/// WGAN and WGAN-GP do not converge; instance noise, R1 and consensus optimisation converge.
#[test]
fn dirac_gan_verdicts_are_the_papers() {
    let h = Hyper { eta: 0.1, gamma: 1.0, beta: 0.0 };
    let steps = 3000;
    let z0 = [1.0, 0.5];
    let run = |g: &Dirac, m: Method| {
        let pts = trajectory(g, m, &h, z0, steps);
        verdict(&pts, [0.0, 0.0], steps).0
    };
    let g = dirac(DiracLoss::Gan, 0.0, 0.0);
    assert_eq!(run(&g, Method::Simultaneous), Verdict::Diverges);
    assert_eq!(run(&g, Method::Alternating), Verdict::Cycles);
    assert_eq!(run(&g, Method::Flow), Verdict::Cycles);
    // Non-saturating: same Jacobian at the equilibrium; simultaneous steps stall on a cycle,
    // alternating steps and the flow creep in sublinearly — no linear-rate convergence.
    let ns = dirac(DiracLoss::NonSaturating, 0.0, 0.0);
    for m in [Method::Simultaneous, Method::Alternating, Method::Flow] {
        assert_eq!(run(&ns, m), Verdict::Cycles, "ns {m:?}");
    }
    for loss in [DiracLoss::Gan, DiracLoss::NonSaturating] {
        let g = dirac(loss, 0.0, 0.0);
        assert_eq!(run(&g, Method::Consensus), Verdict::Converges, "{loss:?}");
        for reg in [dirac(loss, 1.0, 0.0), dirac(loss, 0.0, 0.7)] {
            for m in [Method::Simultaneous, Method::Alternating, Method::Flow] {
                assert_eq!(run(&reg, m), Verdict::Converges, "{reg:?} {m:?}");
            }
        }
    }
    for loss in [DiracLoss::Wgan, DiracLoss::WganGp] {
        let g = dirac(loss, 0.0, 0.0);
        for m in [Method::Simultaneous, Method::Alternating, Method::Flow] {
            assert_ne!(run(&g, m), Verdict::Converges, "{loss:?} {m:?}");
        }
    }
}

#[test]
fn dirac_update_map_eigenvalues_are_one_plus_eta_times_the_jacobians() {
    // J(0,0) = [[0, ½], [−½, −γ]] with R1: μ² + γμ + ¼ = 0; simultaneous steps: λ = 1 + ημ.
    let eta = 0.2;
    for r1 in [0.0, 0.5, 2.0] {
        let g = dirac(DiracLoss::Gan, r1, 0.0);
        let numeric = eigenvalues(&update_map(&g, Method::Simultaneous, &hyper(eta)).unwrap());
        let disc = C::new(r1 * r1 - 1.0, 0.0).sqrt();
        for mu in [(-r1 + disc) / 2.0, (-r1 - disc) / 2.0] {
            let want = 1.0 + eta * mu;
            assert!(numeric.iter().any(|l| (l - want).norm() < 1e-8), "r1={r1}: {want} not in {numeric:?}");
        }
    }
    // the WGAN-GP field has a kink at the equilibrium: no linear map is claimed
    assert!(!dirac(DiracLoss::WganGp, 0.0, 0.0).smooth_at_equilibrium());
}

#[test]
fn analysis_reports_closed_forms_only_for_the_plain_bilinear_game() {
    let mut s = Settings::defaults(SADDLE_SETTINGS);
    s.set("methods", "sim,alt,adam").unwrap();
    let cfg = SaddleConfig::from_settings(&s);
    let results = analyse(&cfg);
    assert_eq!(results.len(), 3);
    assert!(results[0].closed_form.is_some() && results[2].closed_form.is_none());
    assert!(results[2].eigenvalues.is_none(), "Adam has no linear map");
    let eta = cfg.hyper.eta;
    assert!(rel(results[0].spectral_radius().unwrap(), (1.0 + eta * eta).sqrt()) < 1e-9);
    let q: Vec<f64> = results[1].points.iter().map(|[x, y]| x * x + y * y - eta * x * y).collect();
    assert!(q.iter().all(|v| rel(*v, q[0]) < 1e-9));
    s.set("a", "0.5").unwrap();
    assert!(analyse(&SaddleConfig::from_settings(&s))[0].closed_form.is_none());
    s.set("game", "dirac").unwrap();
    s.set("loss", "wgan-gp").unwrap();
    let r = analyse(&SaddleConfig::from_settings(&s));
    assert!(r[0].eigenvalues.is_none() && r[0].closed_form.is_none());
}

#[test]
fn every_game_and_rule_survives_extreme_settings_without_panicking() {
    for game in ["xy", "dirac"] {
        for loss in DiracLoss::NAMES {
            let mut s = Settings::defaults(SADDLE_SETTINGS);
            for (k, v) in [("game", game), ("loss", loss), ("methods", "flow,sim,alt,ogda,eg,consensus,momentum,adam"), ("eta", "2.5"), ("steps", "5000"), ("x0", "5"), ("y0", "-5"), ("a", "-1"), ("gamma", "10"), ("beta", "0.95"), ("noise", "2"), ("r1", "10")] {
                s.set(k, v).unwrap();
            }
            for r in analyse(&SaddleConfig::from_settings(&s)) {
                assert!(r.points.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
                assert!(r.points.len() <= 5001);
            }
        }
    }
}


#[test]
fn field_eigenvalues_say_when_continuous_play_converges() {
    let mut s = Settings::defaults(SADDLE_SETTINGS);
    let mu = field_eigenvalues(&SaddleConfig::from_settings(&s)).unwrap();
    assert!(mu.iter().all(|m| m.re.abs() < 1e-12 && (m.im.abs() - 1.0).abs() < 1e-12), "xy: ±i, {mu:?}");
    s.set("game", "dirac").unwrap();
    s.set("r1", "0.5").unwrap();
    let mu = field_eigenvalues(&SaddleConfig::from_settings(&s)).unwrap();
    // μ² + γμ + ¼ = 0 with γ = 0.5: μ = −¼ ± i√3/4
    assert!(mu.iter().all(|m| (m.re + 0.25).abs() < 1e-9 && (m.im.abs() - 3f64.sqrt() / 4.0).abs() < 1e-9), "{mu:?}");
    s.set("loss", "wgan-gp").unwrap();
    assert!(field_eigenvalues(&SaddleConfig::from_settings(&s)).is_none());
}
