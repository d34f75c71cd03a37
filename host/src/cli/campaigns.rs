//! `sps campaigns`: the campaigns of the server (`GET /campaigns`), or one campaign's
//! booked slots (`GET /campaigns/NAME`).

use clap::Args;
use serde_json::Value;

use super::output::{self, text};
use super::{Client, ClientArgs, Failure};

/// The examples under `sps campaigns --help`.
pub const CAMPAIGNS_EXAMPLES: &str = "Examples:
  sps campaigns                    # every campaign: time zone and booked slots
  sps campaigns launch             # the slots booked in the campaign launch
  sps campaigns launch --json      # its plan and bookings as the server has them";

/// `sps campaigns`.
#[derive(Args, Debug, Clone)]
pub struct CampaignsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub client: ClientArgs,
    /// One campaign's name: list its booked slots.
    pub name: Option<String>,
}

/// The booked slots of a campaign view, `(platform, at, reference)`, in time order.
fn booked(view: &Value) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = view
        .get("booked")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(platform, list)| {
            list.as_array()
                .into_iter()
                .flatten()
                .map(move |b| (platform.clone(), text(b, "at"), text(b, "referenceNumber")))
        })
        .collect();
    rows.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// `sps campaigns [NAME]`: a table of the campaigns (name, time zone, booked slots), or
/// of one campaign's booked slots (platform, date UTC, reference).
///
/// # Errors
/// [`Failure`] as the module of `sps` says (`rejected: unknown-campaign: ...`).
pub fn campaigns(client: &Client, json: bool, args: &CampaignsArgs) -> Result<(), Failure> {
    let path = match &args.name {
        Some(name) => format!(
            "/campaigns/{}",
            percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
        ),
        None => "/campaigns".to_string(),
    };
    let answer = client.get(&path)?;
    if answer.status != 200 {
        return Err(super::commands::refused(json, &answer));
    }
    if json {
        return output::json(&answer.body);
    }
    if args.name.is_some() {
        let rows = booked(&answer.body)
            .into_iter()
            .map(|(platform, at, reference)| vec![platform, at, reference])
            .collect();
        return output::table(&["PLATFORM", "DATE (UTC)", "REFERENCE"], rows);
    }
    let rows = answer
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|view| {
            vec![
                text(view, "name"),
                text(view.get("plan").unwrap_or(&Value::Null), "timeZone"),
                booked(view).len().to_string(),
            ]
        })
        .collect();
    output::table(&["CAMPAIGN", "TIME ZONE", "BOOKED"], rows)
}
