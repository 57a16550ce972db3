//! The app shell: header, routes and the landing page. Routes are paths (`/toy`, …), handled
//! by leptos_router; see docs/architecture.md for why (and how static hosting serves them).

use crate::web::controls::NoticeList;
use crate::web::present::{self, dialogs};
use crate::web::{api, collapse::CollapsePage, digits::DigitsPage, saddle::SaddlePage, toy::ToyPage};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;
use std::rc::Rc;

pub struct DemoCard {
    pub route: &'static str,
    pub title: &'static str,
    pub blurb: &'static str,
    pub ready: bool,
}

pub const DEMOS: &[DemoCard] = &[
    DemoCard { route: "/toy", title: "Toy 2-D lab", blurb: "Watch a generator learn a 2-D distribution against a discriminator you can see: samples, D(x) and the losses, live.", ready: true },
    DemoCard { route: "/collapse", title: "Mode-collapse lab", blurb: "Make mode collapse happen on demand, count it like the papers do, and fix it live with unrolling, packing or a gradient penalty.", ready: true },
    DemoCard { route: "/saddle", title: "Saddle-point lab", blurb: "The game V(x, y) = xy and Dirac-GAN: why simultaneous gradient steps spiral out and which update rules converge.", ready: true },
    DemoCard { route: "/digits", title: "DCGAN digits", blurb: "Train a DCGAN on MNIST in the browser, watch digits form, and measure them with a classifier.", ready: true },
];

#[component]
pub fn App() -> impl IntoView {
    // under a sub-path (a GitHub Pages project site) every route lives below the base
    view! {
        <Router base=present::base()>
            <Shell/>
        </Router>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let navigate = use_navigate();
    api::set_navigate(Rc::new(move |route: &str| navigate(route, Default::default())));
    // refused page options of the opening link (theme=neon, embed=yes, …)
    let page_notices = RwSignal::new(present::take_notices());
    view! {
        <header class="top">
            <A href=present::href("/") attr:class="brand">"GAN Playground"</A>
            <nav aria-label="Demos">
                {DEMOS.iter().map(|d| view! { <A href=present::href(d.route)>{d.title}</A> }).collect_view()}
            </nav>
            <dialogs::PageTools/>
        </header>
        <dialogs::Dialogs/>
        <main>
            <NoticeList notices=page_notices/>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=Landing/>
                <Route path=path!("/toy") view=ToyPage/>
                <Route path=path!("/collapse") view=CollapsePage/>
                <Route path=path!("/saddle") view=SaddlePage/>
                <Route path=path!("/digits") view=DigitsPage/>
            </Routes>
        </main>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <section class="landing">
            <h1>"GAN Playground"</h1>
            <p class="lede">
                "Train small generative adversarial networks live in your browser, on your GPU (WebGPU) or CPU, "
                "and see why they behave as they do."
            </p>
            <ul class="cards">
                {DEMOS.iter().map(|d| view! {
                    <li class="card" data-route=d.route>
                        <h2><A href=present::href(d.route)>{d.title}</A></h2>
                        <p>{d.blurb}</p>
                        <p class="badge">{if d.ready { "Ready" } else { "Coming soon" }}</p>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="not-built">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. "<A href=present::href("/")>"See all demos"</A>"."</p>
        </section>
    }
}
