//! The local API's `/campaigns` routes (README, "Local API"): `GET /campaigns`,
//! `GET /campaigns/NAME`, `PUT /campaigns/NAME` (a plan saved in the store) and
//! `DELETE /campaigns/NAME`. The answers come from `sps_local::campaigns`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse as _, Response};
use sps_local::campaigns;

use super::api::{respond, AppState};
use crate::bindings::campaigns::CampaignError;

/// `GET /campaigns`: the view of every campaign of the file, by name.
pub(super) async fn get_campaigns(State(app): State<AppState>) -> Response {
    let names: Vec<String> = match app.campaigns.plans() {
        Ok(plans) => plans.keys().cloned().collect(),
        Err(e) => return unavailable(&e),
    };
    let mut views = Vec::with_capacity(names.len());
    for name in names {
        match app.campaigns.view(&name) {
            Ok(Some(view)) => views.push(view),
            Ok(None) => {}
            Err(e) => return unavailable(&e),
        }
    }
    axum::Json(views).into_response()
}

/// `GET /campaigns/NAME`: the campaign's view; 404 `unknown-campaign` when no plan has
/// that name.
pub(super) async fn get_campaign(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Response {
    match app.campaigns.view(&name) {
        Ok(Some(view)) => axum::Json(view).into_response(),
        Ok(None) => respond(campaigns::unknown_campaign(&name)),
        Err(e) => unavailable(&e),
    }
}

fn unavailable(e: &CampaignError) -> Response {
    let (CampaignError::Unavailable(message) | CampaignError::Invalid(message)) = e;
    tracing::error!(error = %message, "campaigns could not be read");
    respond(sps_local::api::unavailable(message))
}

/// `PUT /campaigns/NAME`: saves the body, one plan (README, "Campaigns"), checked as a
/// post would check it; 201 new or 200 replaced `{"status":"saved","name"}`, 400
/// `invalid-campaign`.
pub(super) async fn put_campaign(
    State(app): State<AppState>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let plan = match campaigns::check_plan(&name, &body) {
        Ok(plan) => plan,
        Err(answer) => return respond(answer),
    };
    match app.campaigns.save(&name, &plan) {
        Ok(created) => {
            tracing::info!(campaign = %name, created, "campaign plan saved");
            respond(campaigns::saved(&name, created))
        }
        Err(e) => unavailable(&e),
    }
}

/// `DELETE /campaigns/NAME`: forgets a plan saved through the API; 200
/// `{"status":"deleted","name"}`; 409 `campaign-in-file` for a plan of the campaigns file
/// only (edited in the file); 404 `unknown-campaign` when there is no plan of that name.
/// Bookings and scores stay.
pub(super) async fn delete_campaign(
    State(app): State<AppState>,
    Path(name): Path<String>,
) -> Response {
    match app.campaigns.delete(&name) {
        Ok(true) => respond(sps_local::api::Answer {
            status: 200,
            body: serde_json::json!({"status": "deleted", "name": name}),
        }),
        Ok(false) => match app.campaigns.plans() {
            Ok(plans) if plans.contains_key(&name) => respond(sps_local::api::Answer {
                status: 409,
                body: sps_local::api::rejection(
                    "campaign-in-file",
                    &format!(
                        "campaign {name:?} is a plan of the campaigns file (SPS_CAMPAIGNS_FILE), \
                         not one saved through the API: edit the file to change or remove it"
                    ),
                    None,
                ),
            }),
            Ok(_) => respond(campaigns::unknown_campaign(&name)),
            Err(e) => unavailable(&e),
        },
        Err(e) => unavailable(&e),
    }
}
