//! Campaigns in the Spin app: plans from the Spin variable `campaigns`, bookings in Spin's
//! SQLite database, the same answers as `sps serve`.

use serde_json::{json, Value};

use super::support::api::{get, post};
use super::support::campaigns::{away_from_a_slot, weekday_slots, LAUNCH};
use super::support::fake_x::FakeX;
use super::support::spin::app_dir;
use super::{start, variables};

fn launch_event(reference: &str) -> Value {
    json!({"detail-type": "Schedule Social Post", "source": "test", "detail": {
        "message": "Launch day", "platform": "twitter", "referenceNumber": reference,
        "campaign": "launch"}})
}

/// Two date-less posts take the first two slots; a cancel frees the first for a third.
pub fn date_less_posts_book_slots_from_the_campaigns_variable() {
    let dir = app_dir();
    let x = FakeX::start();
    let mut vars = variables(&x);
    vars.push(("campaigns", LAUNCH.to_string()));
    let spin = start(dir.path(), &vars);
    let now = away_from_a_slot();
    let expected = weekday_slots(now, 2);
    for (reference, date) in [("a", &expected[0]), ("b", &expected[1])] {
        let (status, body) = post(&spin.base, &launch_event(reference));
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["scheduledDate"], date.as_str());
        assert_eq!(body["campaign"], "launch");
    }
    let cancel = json!({"detail-type": "Cancel Social Post", "source": "test",
        "detail": {"referenceNumber": "a", "platform": "twitter"}});
    assert_eq!(post(&spin.base, &cancel).0, 200);
    let (status, body) = post(&spin.base, &launch_event("c"));
    assert_eq!((status, &body["scheduledDate"]), (201, &json!(expected[0])));
    let view = get(&spin.base, "/campaigns/launch");
    assert_eq!(
        view["booked"],
        json!({"twitter": [{"referenceNumber": "c", "at": expected[0]},
            {"referenceNumber": "b", "at": expected[1]}]})
    );
    assert_eq!(view["plan"]["timeZone"], "Europe/Berlin");
    let (status, body) = post(&spin.base, &{
        let mut e = launch_event("d");
        e["detail"]["campaign"] = json!("nope");
        e
    });
    assert_eq!(
        (status, body),
        (
            422,
            json!({"status": "rejected", "reason": "unknown-campaign",
            "message": "no campaign is named \"nope\"", "referenceNumber": "d"})
        )
    );
}
