//! Spin glue component: the main component of the HTTP trigger's composed app. It serves
//! the same local API as `sps serve` (README, "Local API"), with the answers of
//! `sps_local::api`: `POST /events` (and PutEvents on `POST /`) runs the nested scheduler component
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

    use futures::StreamExt as _;
    use serde::Serialize;
    use spin_sdk::http::{IncomingRequest, Method, Response};
    use spin_sdk::http_component;
    use sps::social::{platforms, scheduling};
    use sps_local::api::{self, Answer, PostEvents, Scheduling};

    /// Runs the scheduler component on one event: a `Cancel Social Post` is cancelled,
    /// any other scheduled.
    fn schedule(event: &str) -> Scheduling {
        if api::is_cancel_request(event) {
            return match scheduling::cancel_post(event) {
                Ok(c) => Scheduling::Cancelled {
                    reference_number: c.reference_number,
                    schedule_name: c.schedule_name,
                },
                Err(failure) => failed(failure),
            };
        }
        match scheduling::schedule_post(event) {
            Ok(s) => Scheduling::Scheduled {
                reference_number: s.reference_number,
                schedule_name: s.schedule_name,
                scheduled_date: s.scheduled_date,
                created: s.action == scheduling::ScheduleAction::Created,
                campaign: s.campaign.map(|c| (c.name, c.slot)),
            },
            Err(failure) => failed(failure),
        }
    }

    fn failed(failure: scheduling::ScheduleFailure) -> Scheduling {
        match failure {
            scheduling::ScheduleFailure::Rejected(r) => Scheduling::Rejected {
                code: r.code,
                message: r.message,
                reference_number: r.reference_number,
            },
            scheduling::ScheduleFailure::Retryable(m) => Scheduling::Retryable(m),
        }
    }

    /// A JSON answer; `head` drops the body (HEAD is GET without one, as axum answers it).
    fn respond(answer: Answer, head: bool) -> Response {
        json(answer.status, answer.body.to_string(), head)
    }

    fn json(status: u16, body: String, head: bool) -> Response {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(if head { String::new() } else { body })
            .build()
    }

    /// 405 with the methods the path takes, as `sps serve` (axum) answers.
    fn not_allowed(allow: &str) -> Response {
        Response::builder()
            .status(405)
            .header("allow", allow)
            .build()
    }

    /// Reads at most [`api::MAX_BODY_BYTES`] + 1 bytes of the body, so an oversized one is
    /// refused without holding it in memory.
    async fn read_body(req: IncomingRequest) -> Result<Vec<u8>, Answer> {
        let mut stream = req.into_body_stream();
        let mut body = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| api::unreadable_body(400, &format!("{e:?}")))?;
            body.extend(chunk);
            if body.len() > api::MAX_BODY_BYTES {
                return Err(api::unreadable_body(
                    413,
                    "Failed to buffer the request body: length limit exceeded",
                ));
            }
        }
        Ok(body)
    }

    /// `POST /events`: one event, or a PutEvents body.
    fn post_events(body: &[u8]) -> Answer {
        match api::plan_post_events(body) {
            PostEvents::Answer(answer) => answer,
            PostEvents::Single(event) => api::schedule_answer(&schedule(&event)),
            PostEvents::PutEvents(plan) => {
                let results = plan.events().iter().map(|e| schedule(e)).collect();
                plan.answer_with_outcomes(results)
            }
        }
    }

    /// `POST /`: EventBridge's PutEvents in the AWS JSON 1.1 protocol (no signature is
    /// checked: the Spin app has no API token), answered as `sps serve` answers it.
    fn put_events(target: Option<&str>, body: &[u8]) -> Response {
        use sps_local::put_events as aws;
        let answer = match aws::plan_request(target, body) {
            Ok(plan) => {
                let results = plan.events().iter().map(|e| schedule(e)).collect();
                plan.answer(results)
            }
            Err(answer) => answer,
        };
        Response::builder()
            .status(answer.status)
            .header("content-type", aws::CONTENT_TYPE)
            .body(answer.body.to_string())
            .build()
    }

    /// A listing read from the store: 200 with the JSON array (fields in the records'
    /// order, as `sps serve` writes them), or 503 `unavailable`.
    fn listing<T: Serialize>(
        read: impl FnOnce(&sps_spin_store::Store) -> Result<Vec<T>, String>,
        head: bool,
    ) -> Response {
        let result = sps_spin_store::Store::shared().and_then(|store| read(&store));
        match result.and_then(|items| serde_json::to_string(&items).map_err(|e| e.to_string())) {
            Ok(body) => json(200, body, head),
            Err(message) => respond(
                api::unavailable(&format!("Spin SQLite store: {message}")),
                head,
            ),
        }
    }

    /// `GET /campaigns` (every campaign's view) and `GET /campaigns/NAME` (one, or 404
    /// `unknown-campaign`), as `sps serve` answers them.
    fn campaigns(name: Option<&str>, head: bool) -> Response {
        let views = sps_spin_store::Store::shared().and_then(|store| match name {
            Some(name) => Ok(store.campaign_view(name)?.map(|view| vec![view])),
            None => {
                let names: Vec<String> = sps_spin_store::campaigns::plans()?
                    .keys()
                    .cloned()
                    .collect();
                let mut views = Vec::with_capacity(names.len());
                for name in names {
                    views.extend(store.campaign_view(&name)?);
                }
                Ok(Some(views))
            }
        });
        match (name, views) {
            (_, Err(message)) => respond(
                api::unavailable(&format!("Spin campaigns: {message}")),
                head,
            ),
            (Some(name), Ok(None)) => respond(sps_local::campaigns::unknown_campaign(name), head),
            (Some(_), Ok(Some(mut one))) => {
                json(200, one.pop().unwrap_or_default().to_string(), head)
            }
            (None, Ok(views)) => json(
                200,
                serde_json::Value::from(views.unwrap_or_default()).to_string(),
                head,
            ),
        }
    }

    #[http_component]
    async fn handle(req: IncomingRequest) -> Response {
        let path = req.path_with_query().unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default().to_string();
        let method = req.method();
        let head = matches!(method, Method::Head);
        let get = head || matches!(method, Method::Get);
        let post = matches!(method, Method::Post);
        match path.as_str() {
            "/events" if post => match read_body(req).await {
                Ok(body) => respond(post_events(&body), false),
                Err(answer) => respond(answer, false),
            },
            "/" if post => {
                let target = req
                    .headers()
                    .get("x-amz-target")
                    .into_iter()
                    .next()
                    .and_then(|v| String::from_utf8(v).ok());
                match read_body(req).await {
                    Ok(body) => put_events(target.as_deref(), &body),
                    Err(answer) => respond(answer, false),
                }
            }
            "/events" if get => listing(|s| s.events(), head),
            "/schedules" if get => listing(|s| s.pending(), head),
            "/dead-letters" if get => listing(|s| s.dead_letters(), head),
            "/health" if get => respond(api::health(&platforms::supported()), head),
            "/campaigns" if get => campaigns(None, head),
            named if get && named.starts_with("/campaigns/") => {
                campaigns(named.strip_prefix("/campaigns/"), head)
            }
            "/events" => not_allowed("POST,GET,HEAD"),
            "/" => not_allowed("POST"),
            "/schedules" | "/dead-letters" | "/health" => not_allowed("GET,HEAD"),
            _ => Response::builder().status(404).build(),
        }
    }
}
