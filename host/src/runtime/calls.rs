//! The calls into the components: one Store per call, under the call's limits
//! ([`super::Limits`]).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;

use super::{Components, Ctx, PlatformSettings, Runtime};
use crate::bindings::{
    scheduling, sending,
    types::{Engagement, MessageError, PartLength, Post, PublishError, PublishedPart},
    PlatformComponentPre,
};
use crate::caps::http::OutboundPolicy;

impl Runtime {
    /// The components in use and a Store for one scheduler call: the scheduler's
    /// settings, no outbound HTTP.
    fn scheduler_store(&self) -> (Arc<Components>, wasmtime::Store<Ctx>) {
        let components = self.inner.components.load_full();
        let config = self.inner.settings.scheduler_config.clone();
        let store = self.store(components.clone(), config, OutboundPolicy::deny_all());
        (components, store)
    }

    /// Runs the scheduler component on one request (`scheduling.schedule-post`).
    ///
    /// # Errors
    /// When the component traps or exceeds its limits; the request may be retried.
    pub async fn schedule_post(
        &self,
        event: &str,
    ) -> anyhow::Result<Result<scheduling::Scheduled, scheduling::ScheduleFailure>> {
        let (components, mut store) = self.scheduler_store();
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.scheduler.instantiate_async(&mut store).await?;
            instance
                .sps_social_scheduling()
                .call_schedule_post(&mut store, event)
                .await
        })
        .await
        .context("the scheduler component failed")
    }

    /// Runs the scheduler component on one cancel (`scheduling.cancel-post`).
    ///
    /// # Errors
    /// When the component traps or exceeds its limits; the cancel may be retried.
    pub async fn cancel_post(
        &self,
        event: &str,
    ) -> anyhow::Result<Result<scheduling::Cancelled, scheduling::ScheduleFailure>> {
        let (components, mut store) = self.scheduler_store();
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.scheduler.instantiate_async(&mut store).await?;
            instance
                .sps_social_scheduling()
                .call_cancel_post(&mut store, event)
                .await
        })
        .await
        .context("the scheduler component failed")
    }

    /// Runs the scheduler component's live check on one request (`scheduling.check-post`,
    /// `POST /validate`): nothing is scheduled or published.
    ///
    /// # Errors
    /// When the component traps or exceeds its limits.
    pub async fn check_post(&self, event: &str) -> anyhow::Result<scheduling::Check> {
        let (components, mut store) = self.scheduler_store();
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.scheduler.instantiate_async(&mut store).await?;
            instance
                .sps_social_scheduling()
                .call_check_post(&mut store, event)
                .await
        })
        .await
        .context("the scheduler component failed")
    }

    /// Runs the sender component on one delivery of a schedule (`sending.send-post`).
    ///
    /// # Errors
    /// When the component traps or exceeds its limits; the delivery may be retried.
    pub async fn send_post(
        &self,
        input: &str,
        delivery: sending::Delivery,
    ) -> anyhow::Result<Result<sending::Delivered, sending::SendFailure>> {
        let components = self.inner.components.load_full();
        let mut store = self.store(
            components.clone(),
            HashMap::new(),
            OutboundPolicy::deny_all(),
        );
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.sender.instantiate_async(&mut store).await?;
            instance
                .sps_social_sending()
                .call_send_post(&mut store, input, delivery)
                .await
        })
        .await
        .context("the sender component failed")
    }

    /// Runs the sender component's `sending.report-undelivered` for a delivery the host
    /// gives up on: `Social Post Failed` with `code` and `message`, no platform call.
    ///
    /// # Errors
    /// When the component traps or exceeds its limits.
    pub async fn report_undelivered(
        &self,
        input: &str,
        code: &str,
        message: &str,
    ) -> anyhow::Result<Result<sending::FailureReport, String>> {
        let components = self.inner.components.load_full();
        let mut store = self.store(
            components.clone(),
            HashMap::new(),
            OutboundPolicy::deny_all(),
        );
        self.bounded(self.inner.settings.limits.wall_time, async {
            let instance = components.sender.instantiate_async(&mut store).await?;
            instance
                .sps_social_sending()
                .call_report_undelivered(&mut store, input, code, message)
                .await
        })
        .await
        .context("the sender component failed")
    }

    /// `platform.validate` of one platform component of `components` (the caller's
    /// snapshot, so a reload in the middle of a call never mixes generations), in a
    /// Store of its own.
    pub(crate) async fn platform_validate(
        &self,
        components: &Arc<Components>,
        component: &PlatformComponentPre<Ctx>,
        platform: &str,
        post: &Post,
    ) -> anyhow::Result<Result<(), MessageError>> {
        let mut store = self
            .checking_store(components, platform, &post.account)
            .await;
        let wall = self.inner.settings.limits.platform_wall_time;
        self.bounded(wall, async {
            let instance = component.instantiate_async(&mut store).await?;
            instance
                .sps_social_platform()
                .call_validate(&mut store, post)
                .await
        })
        .await
    }

    /// `platform.lengths` of one platform component of `components`, in a Store of its
    /// own set up as for [`Self::platform_validate`].
    pub(crate) async fn platform_lengths(
        &self,
        components: &Arc<Components>,
        component: &PlatformComponentPre<Ctx>,
        platform: &str,
        post: &Post,
    ) -> anyhow::Result<Result<Vec<PartLength>, MessageError>> {
        let mut store = self
            .checking_store(components, platform, &post.account)
            .await;
        let wall = self.inner.settings.limits.platform_wall_time;
        self.bounded(wall, async {
            let instance = component.instantiate_async(&mut store).await?;
            instance
                .sps_social_platform()
                .call_lengths(&mut store, post)
                .await
        })
        .await
    }

    /// A Store for checking a post of `account` on `platform`: that account's settings,
    /// the platform's outbound hosts and its key-value scope. Checking needs neither
    /// credentials nor the network: when the settings cannot be read, the component
    /// checks without them.
    async fn checking_store(
        &self,
        components: &Arc<Components>,
        platform: &str,
        account: &str,
    ) -> wasmtime::Store<Ctx> {
        let settings = match self.inner.platforms.settings(platform).await {
            Ok(settings) => settings,
            Err(err) => {
                tracing::warn!(platform, error = %crate::runtime::error_summary(&err), "platform settings unavailable; validating without them");
                PlatformSettings::default()
            }
        };
        let config = settings.config_for(account);
        let mut store = self.store(components.clone(), config, settings.outbound);
        store.data_mut().kv_scope = Some(format!("{platform}/{account}"));
        store
    }

    /// `platform.publish` of one platform component of `components` (the caller's
    /// snapshot), in a Store of its own.
    pub(crate) async fn platform_publish(
        &self,
        components: &Arc<Components>,
        component: &PlatformComponentPre<Ctx>,
        platform: &str,
        post: &Post,
        part: u32,
        earlier: &[PublishedPart],
    ) -> anyhow::Result<Result<PublishedPart, PublishError>> {
        let settings = match self.inner.platforms.settings(platform).await {
            Ok(settings) => settings,
            Err(err) => {
                tracing::error!(platform, error = %crate::runtime::error_summary(&err), "platform settings unavailable; nothing was sent");
                return Ok(Err(PublishError::Transient(format!("{err:#}"))));
            }
        };
        // Only the posting account's keys: one account's call never sees another's.
        let config = settings.config_for(&post.account);
        let mut store = self.store(components.clone(), config, settings.outbound);
        store.data_mut().kv_scope = Some(format!("{platform}/{}", post.account));
        let wall = self.inner.settings.limits.platform_wall_time;
        self.bounded(wall, async {
            let instance = component.instantiate_async(&mut store).await?;
            instance
                .sps_social_platform()
                .call_publish(&mut store, post, part, earlier)
                .await
        })
        .await
    }

    /// `platform.metrics` of one platform component of `components`, for `account`: a Store
    /// of its own with that account's settings, key-value scope and the platform's
    /// outbound hosts, as for `publish`.
    pub(crate) async fn platform_metrics(
        &self,
        components: &Arc<Components>,
        component: &PlatformComponentPre<Ctx>,
        platform: &str,
        account: &str,
        post_id: &str,
    ) -> anyhow::Result<Result<Option<Engagement>, PublishError>> {
        let settings = match self.inner.platforms.settings(platform).await {
            Ok(settings) => settings,
            Err(err) => return Ok(Err(PublishError::Transient(format!("{err:#}")))),
        };
        let config = settings.config_for(account);
        let mut store = self.store(components.clone(), config, settings.outbound);
        store.data_mut().kv_scope = Some(format!("{platform}/{account}"));
        let wall = self.inner.settings.limits.platform_wall_time;
        self.bounded(wall, async {
            let instance = component.instantiate_async(&mut store).await?;
            instance
                .sps_social_platform()
                .call_metrics(&mut store, account, post_id)
                .await
        })
        .await
    }

    /// `platform.idempotent` of one platform component of `components`, in a Store of its
    /// own with no settings and no outbound host (the answer is the component's nature).
    pub(crate) async fn platform_idempotent(
        &self,
        components: &Arc<Components>,
        component: &PlatformComponentPre<Ctx>,
    ) -> anyhow::Result<bool> {
        let mut store = self.store(
            components.clone(),
            HashMap::new(),
            OutboundPolicy::deny_all(),
        );
        let wall = self.inner.settings.limits.platform_wall_time;
        self.bounded(wall, async {
            let instance = component.instantiate_async(&mut store).await?;
            instance
                .sps_social_platform()
                .call_idempotent(&mut store)
                .await
        })
        .await
    }
}
