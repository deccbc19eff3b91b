//! The Price List Query API client (`pricing:GetProducts`). Its own constructor: the API
//! lives in three endpoint regions (us-east-1, eu-central-1, ap-south-1), not in the user's
//! region, so it gets a config of its own; `--endpoint-url` overrides the endpoint.

use aws_config::Region;
use aws_sdk_pricing::types::{Filter, FilterType};

use super::AwsSettings;
use crate::error::{Error, Result};
use crate::pricing::cache::PriceCache;
use crate::pricing::live;

/// The IAM action every call here needs.
pub const ACTION: &str = "pricing:GetProducts";

/// Products per page (the API's maximum is 100).
const PAGE_SIZE: i32 = 100;

/// Pages per query before the tool stops following NextToken (a loop guard, far above the
/// few pages one service and region take).
const MAX_PAGES: usize = 1000;

/// A Price List Query API client and the endpoint it talks to.
#[derive(Debug, Clone)]
pub struct PriceList {
    client: aws_sdk_pricing::Client,
    /// The endpoint region (us-east-1, eu-central-1 or ap-south-1).
    pub endpoint_region: String,
    /// What the client talks to: `--endpoint-url`, or the regional Price List endpoint.
    pub endpoint: String,
}

/// Build the client. The endpoint region is the one nearest `user_region` (else the
/// region of `--region` or the credential chain, else us-east-1).
pub async fn connect(settings: &AwsSettings, user_region: Option<&str>) -> Result<PriceList> {
    let config = super::load_config(settings).await?;
    let client = from_config(&config, user_region.or(settings.region.as_deref()));
    if settings.endpoint_url.is_none() {
        let host = format!("api.pricing.{}.amazonaws.com:443", client.endpoint_region);
        super::probe_address(
            &format!("the Price List API at {}", client.endpoint),
            &host,
            "is this machine offline or behind a proxy?",
        )
        .await?;
    }
    Ok(client)
}

/// The client for a loaded SDK config (credentials, retries, endpoint override). The
/// endpoint region is the one nearest `user_region`, else the config's region, else
/// us-east-1.
pub fn from_config(config: &aws_config::SdkConfig, user_region: Option<&str>) -> PriceList {
    let user = user_region
        .map(str::to_string)
        .or_else(|| config.region().map(|r| r.to_string()))
        .unwrap_or_else(|| "us-east-1".to_string());
    let endpoint_region = live::endpoint_region(&user).to_string();
    let endpoint = config
        .endpoint_url()
        .map(str::to_string)
        .unwrap_or_else(|| format!("https://api.pricing.{endpoint_region}.amazonaws.com"));
    let pricing_config = aws_sdk_pricing::config::Builder::from(config)
        .region(Region::new(endpoint_region.clone()))
        .build();
    PriceList {
        client: aws_sdk_pricing::Client::from_conf(pricing_config),
        endpoint_region,
        endpoint,
    }
}

fn term_match(field: &str, value: &str) -> Result<Filter> {
    Filter::builder()
        .r#type(FilterType::TermMatch)
        .field(field)
        .value(value)
        .build()
        .map_err(|e| Error::Aws(format!("{ACTION}: cannot build a filter: {e}")))
}

impl PriceList {
    /// Every PriceList document (JSON string) of `service` in `region`, following NextToken;
    /// `page` is told the number of documents so far after each page.
    pub async fn products(
        &self,
        service: &str,
        region: &str,
        mut page: impl FnMut(usize),
    ) -> Result<Vec<String>> {
        let filters = vec![
            term_match("regionCode", region)?,
            term_match("servicecode", service)?,
        ];
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let output = self
                .client
                .get_products()
                .service_code(service)
                .set_filters(Some(filters.clone()))
                .format_version("aws_v1")
                .max_results(PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| super::error::translate(ACTION, e))?;
            items.extend(output.price_list().iter().cloned());
            page(items.len());
            match output.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() == Some(next) => {
                    return Err(Error::Aws(format!(
                        "{ACTION}: the endpoint returned the same NextToken twice; stopping"
                    )));
                }
                Some(next) => token = Some(next.to_string()),
                None => return Ok(items),
            }
        }
        Err(Error::Aws(format!(
            "{ACTION}: more than {MAX_PAGES} pages for {service} in {region}; stopping"
        )))
    }

    /// Every rate of `regions` in the three services, as a price cache stamped `fetched_at`
    /// (a region with no rate is left out), and each region's parse (what was skipped or
    /// unreadable, for the caller to tell). `progress` is told the service, region and
    /// documents so far after each page.
    pub async fn fetch(
        &self,
        regions: &[String],
        fetched_at: &str,
        mut progress: impl FnMut(&str, &str, usize),
    ) -> Result<(PriceCache, Vec<(String, live::Parsed)>)> {
        let mut cache = PriceCache::new(fetched_at, &self.endpoint);
        let mut parses = Vec::new();
        for region in regions {
            let mut parsed = live::Parsed::default();
            for service in live::SERVICES {
                let items = self
                    .products(service, region, |n| progress(service, region, n))
                    .await?;
                for item in &items {
                    parsed.add(region, item);
                }
            }
            if !parsed.rates.is_empty() {
                cache.put(region, fetched_at, &self.endpoint, &parsed.rates);
            }
            parses.push((region.clone(), parsed));
        }
        Ok((cache, parses))
    }
}

#[cfg(test)]
mod tests {
    /// A host that cannot resolve is one error at once, naming what was tried (".invalid"
    /// never resolves, RFC 2606).
    #[test]
    fn an_unreachable_host_is_one_clear_error() {
        let runtime = crate::aws::runtime().unwrap();
        let err = runtime
            .block_on(super::super::probe_address(
                "the Price List API at https://api.pricing.nowhere.invalid",
                "api.pricing.nowhere.invalid:443",
                "is this machine offline or behind a proxy?",
            ))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cannot reach the Price List API at https://api.pricing.nowhere.invalid")
                && err.contains("offline"),
            "{err}"
        );
    }
}
