//! Campaigns of Social Post Scheduler: the posting plan ([`plan`]), its slots on the
//! calendar and which are free ([`slots`]), and the best-time learner that picks a post's
//! slot from the engagement the campaign's posts received ([`learner`]). Pure logic with no
//! capability: the scheduler gives it the plan, the bookings, the clock and a seeded
//! random source, so it runs natively in tests with a fake clock.

pub mod learner;
pub mod plan;
pub mod slots;

pub use learner::{bucket_name, choose, score, Choice, Learner, Metrics};
pub use plan::Plan;
pub use slots::{free, Slot};
