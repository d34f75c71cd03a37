//! Spin glue component: the main component of the HTTP trigger's composed app. It serves
//! the same local API as `sps serve` (README, "Local API"), with the answers of
//! `sps_local::api`: `POST /events` runs the nested scheduler component
//! (`sps:social/scheduling`), the listings read Spin's SQLite database through
//! `sps_spin_store`, `GET /health` asks the platforms chain. No scheduling rule lives here.
//!
//! The glue is built for wasm32-wasip2 only; natively the crate is empty.

#[cfg(target_arch = "wasm32")]
mod glue {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "sps:spin/http-glue",
        generate_all,
    });

    use serde::Serialize;
    use spin_sdk::http::{Method, Request, Response};
    use spin_sdk::http_component;
    use sps::social::{platforms, scheduling};
    use sps_local::api::{self, Answer, PostEvents, Scheduling};

    /// Runs the scheduler component on one event.
    fn schedule(event: &str) -> Scheduling {
        match scheduling::schedule_post(event) {
            Ok(s) => Scheduling::Scheduled {
                reference_number: s.reference_number,
                schedule_name: s.schedule_name,
                scheduled_date: s.scheduled_date,
                created: s.action == scheduling::ScheduleAction::Created,
            },
            Err(scheduling::ScheduleFailure::Rejected(r)) => Scheduling::Rejected {
                code: r.code,
                message: r.message,
                reference_number: r.reference_number,
            },
            Err(scheduling::ScheduleFailure::Retryable(m)) => Scheduling::Retryable(m),
        }
    }

    fn respond(answer: Answer) -> Response {
        Response::builder()
            .status(answer.status)
            .header("content-type", "application/json")
            .body(answer.body.to_string())
            .build()
    }

    fn empty(status: u16) -> Response {
        Response::builder().status(status).build()
    }

    /// `POST /events`: one event, or a PutEvents body.
    fn post_events(body: &[u8]) -> Answer {
        if body.len() > api::MAX_BODY_BYTES {
            return api::unreadable_body(
                413,
                "Failed to buffer the request body: length limit exceeded",
            );
        }
        match api::plan_post_events(body) {
            PostEvents::Answer(answer) => answer,
            PostEvents::Single(event) => api::schedule_answer(&schedule(&event)),
            PostEvents::PutEvents(plan) => {
                let results = plan.events().iter().map(|e| schedule(e)).collect();
                plan.answer(results)
            }
        }
    }

    /// A listing read from the store: 200 with the JSON array, or 503 `unavailable`.
    fn listing<T: Serialize>(
        read: impl FnOnce(&sps_spin_store::Store) -> Result<Vec<T>, String>,
    ) -> Answer {
        let result = sps_spin_store::Store::open().and_then(|store| read(&store));
        match result.and_then(|items| serde_json::to_value(items).map_err(|e| e.to_string())) {
            Ok(body) => Answer { status: 200, body },
            Err(message) => api::unavailable(&format!("Spin SQLite store: {message}")),
        }
    }

    #[http_component]
    fn handle(req: Request) -> Response {
        let path = req.path().trim_end_matches('/');
        let get = matches!(req.method(), Method::Get);
        let post = matches!(req.method(), Method::Post);
        match path {
            "/events" if post => respond(post_events(req.body())),
            "/events" if get => respond(listing(|s| s.events())),
            "/schedules" if get => respond(listing(|s| s.pending())),
            "/dead-letters" if get => respond(listing(|s| s.dead_letters())),
            "/health" if get => respond(api::health(&platforms::supported())),
            "/events" | "/schedules" | "/dead-letters" | "/health" => empty(405),
            _ => empty(404),
        }
    }
}
