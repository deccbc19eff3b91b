//! The Savings Plans API client (`savingsplans:DescribeSavingsPlansOfferingRates`) for
//! `prices update --savings-plans`: Fargate's Compute, No Upfront plan rates of the regions
//! asked for. A global API (savingsplans.amazonaws.com, signed for us-east-1), so it gets a
//! config of its own; `--endpoint-url` overrides the endpoint. Selecting and caching the
//! rows is pure (pricing::plan_rates).

use std::collections::BTreeMap;

use aws_config::Region;
use aws_sdk_savingsplans::types::{
    SavingsPlanOfferingRate, SavingsPlanOfferingRateFilterElement, SavingsPlanPaymentOption,
    SavingsPlanProductType, SavingsPlanRateFilterAttribute, SavingsPlanRateServiceCode,
    SavingsPlanType,
};

use super::AwsSettings;
use crate::error::{Error, Result};
use crate::pricing::plan_rates::{self, CachedPlans, OfferingRate};

/// The IAM action every call here needs.
pub const ACTION: &str = "savingsplans:DescribeSavingsPlansOfferingRates";

/// The API's one endpoint and the region it signs for.
const ENDPOINT: &str = "https://savingsplans.amazonaws.com";
const SIGNING_REGION: &str = "us-east-1";

/// Rows per page (the API's maximum is 1000).
const PAGE_SIZE: i32 = 1000;

/// Pages before the tool stops following nextToken (a loop guard, far above the few pages
/// Fargate's rates of every region take).
const MAX_PAGES: usize = 1000;

/// A Savings Plans API client and the endpoint it talks to.
#[derive(Debug, Clone)]
pub struct SavingsPlansApi {
    client: aws_sdk_savingsplans::Client,
    /// What the client talks to: `--endpoint-url`, or savingsplans.amazonaws.com.
    pub endpoint: String,
}

/// Build the client; without `--endpoint-url` the endpoint is probed first, so an offline
/// machine fails in one line at once.
pub async fn connect(settings: &AwsSettings) -> Result<SavingsPlansApi> {
    let config = super::load_config(settings).await?;
    let endpoint = config
        .endpoint_url()
        .map_or_else(|| ENDPOINT.to_string(), str::to_string);
    if settings.endpoint_url.is_none() {
        super::probe_address(
            &format!("the Savings Plans API at {endpoint}"),
            "savingsplans.amazonaws.com:443",
            "is this machine offline or behind a proxy?",
        )
        .await?;
    }
    let sp_config = aws_sdk_savingsplans::config::Builder::from(&config)
        .region(Region::new(SIGNING_REGION))
        .build();
    Ok(SavingsPlansApi {
        client: aws_sdk_savingsplans::Client::from_conf(sp_config),
        endpoint,
    })
}

impl SavingsPlansApi {
    /// Every Fargate (ECS) Compute, No Upfront offering rate of `regions`, following
    /// nextToken; `page` is told the rows so far after each page.
    pub async fn fargate_rates(
        &self,
        regions: &[String],
        mut page: impl FnMut(usize),
    ) -> Result<Vec<OfferingRate>> {
        let filter = SavingsPlanOfferingRateFilterElement::builder()
            .name(SavingsPlanRateFilterAttribute::Region)
            .set_values(Some(regions.to_vec()))
            .build();
        let mut rows = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let output = self
                .client
                .describe_savings_plans_offering_rates()
                .savings_plan_types(SavingsPlanType::Compute)
                .savings_plan_payment_options(SavingsPlanPaymentOption::NoUpfront)
                .products(SavingsPlanProductType::Fargate)
                .service_codes(SavingsPlanRateServiceCode::Fargate)
                .filters(filter.clone())
                .max_results(PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| super::error::translate(ACTION, e))?;
            rows.extend(output.search_results().iter().map(flatten));
            page(rows.len());
            match output.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() == Some(next) => {
                    return Err(Error::Aws(format!(
                        "{ACTION}: the endpoint returned the same nextToken twice; stopping"
                    )));
                }
                Some(next) => token = Some(next.to_string()),
                None => return Ok(rows),
            }
        }
        Err(Error::Aws(format!(
            "{ACTION}: more than {MAX_PAGES} pages of Fargate rates; stopping"
        )))
    }
}

impl SavingsPlansApi {
    /// The Fargate plan rates of `regions` as the cache keeps them, stamped `fetched_at`
    /// (a region without any is left out), and a line for each row that could not be used.
    pub async fn fetch(
        &self,
        regions: &[String],
        fetched_at: &str,
        page: impl FnMut(usize),
    ) -> Result<(BTreeMap<String, CachedPlans>, Vec<String>)> {
        let rows = self.fargate_rates(regions, page).await?;
        let (collected, notes) = plan_rates::collect(&rows, regions);
        let plans = collected
            .into_iter()
            .map(|(region, terms)| {
                let plans = CachedPlans {
                    fetched_at: fetched_at.to_string(),
                    endpoint: self.endpoint.clone(),
                    offering: format!("{}, {}", plan_rates::PLAN_TYPE, plan_rates::PAYMENT_OPTION),
                    terms,
                };
                (region, plans)
            })
            .collect();
        Ok((plans, notes))
    }
}

/// The SDK's row as plain strings (absent fields empty), for pricing::plan_rates.
fn flatten(rate: &SavingsPlanOfferingRate) -> OfferingRate {
    let offering = rate.savings_plan_offering();
    let text = |s: Option<&str>| s.unwrap_or_default().to_string();
    OfferingRate {
        offering_id: text(offering.and_then(|o| o.offering_id())),
        payment_option: text(
            offering
                .and_then(|o| o.payment_option())
                .map(|p| p.as_str()),
        ),
        plan_type: text(offering.and_then(|o| o.plan_type()).map(|p| p.as_str())),
        duration_seconds: offering.map_or(0, |o| o.duration_seconds()),
        currency: text(offering.and_then(|o| o.currency()).map(|c| c.as_str())),
        rate: text(rate.rate()),
        unit: text(rate.unit().map(|u| u.as_str())),
        service_code: text(rate.service_code().map(|c| c.as_str())),
        usage_type: text(rate.usage_type()),
        region: rate
            .properties()
            .iter()
            .find(|p| p.name() == Some("region"))
            .and_then(|p| p.value())
            .map(str::to_string),
    }
}
