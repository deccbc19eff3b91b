//! The S3 calls of the S3 store (`--store s3://bucket/prefix`): list keys (ListObjectsV2,
//! paginated), get an object, create an object only if its key is new (PutObject with
//! `If-None-Match: *`, so two machines never overwrite each other's runs), and a write
//! probe before a job is launched. Errors are translated here, in one line that says what
//! to do: a missing bucket, a denied action, a bucket in another region.

use aws_sdk_ecs::config::http::HttpResponse;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;

use crate::aws::error::translate;
use crate::error::{Error, Result};

/// Where an S3 store lives: `s3://bucket/prefix` (the prefix may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket.
    pub bucket: String,
    /// The key prefix, without leading or trailing `/` (empty: the bucket's root).
    pub prefix: String,
}

impl S3Location {
    /// Parse `s3://bucket[/prefix]`; None when `text` is not an `s3://` URL at all.
    pub fn parse(text: &str) -> Option<Result<S3Location>> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !valid_bucket {
            return Some(Err(Error::invalid(
                "--store",
                format!(
                    "`{text}`: the bucket name must be 3-63 lowercase letters, digits, '-' or '.'; write s3://BUCKET/PREFIX"
                ),
            )));
        }
        let prefix = prefix.trim_matches('/');
        // The prefix also names the local mirror's folder: no `.`/`..` or empty segments.
        if !prefix.is_empty()
            && prefix
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Some(Err(Error::invalid(
                "--store",
                format!("`{text}`: the prefix may not hold empty, `.` or `..` segments"),
            )));
        }
        Some(Ok(S3Location {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        }))
    }

    /// The object key of `relative` (e.g. `runs/job/id.json`) under the prefix.
    pub fn key(&self, relative: &str) -> String {
        match self.prefix.is_empty() {
            true => relative.to_string(),
            false => format!("{}/{relative}", self.prefix),
        }
    }

    /// `relative` back from an object key (None when the key is outside the prefix).
    pub fn relative<'k>(&self, key: &'k str) -> Option<&'k str> {
        match self.prefix.is_empty() {
            true => Some(key),
            false => key.strip_prefix(&self.prefix)?.strip_prefix('/'),
        }
    }
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.prefix.is_empty() {
            true => write!(f, "s3://{}", self.bucket),
            false => write!(f, "s3://{}/{}", self.bucket, self.prefix),
        }
    }
}

/// An object as listed: its key relative to the prefix, and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Key under the prefix, e.g. `runs/job/id.json`.
    pub relative: String,
    /// Size in bytes.
    pub size: u64,
}

/// What a create-only write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The object was written.
    New,
    /// An object with that key already exists (HTTP 412); it was not touched.
    Exists,
}

/// One bucket and prefix, reached through a client built from the shared SDK config.
#[derive(Debug, Clone)]
pub struct Bucket {
    client: aws_sdk_s3::Client,
    /// Where the store is.
    pub location: S3Location,
    /// The region the client signs for (named when the bucket is elsewhere).
    pub region: String,
}

/// The key the write probe creates (once; later probes find it and are refused with 412,
/// which S3 answers only after the caller is authorised to write).
pub const PROBE_KEY: &str = ".fargate-cost-write-probe";

impl Bucket {
    /// A bucket reached with `client`, whose requests are signed for `region`.
    pub fn new(client: aws_sdk_s3::Client, location: S3Location, region: String) -> Bucket {
        Bucket {
            client,
            location,
            region,
        }
    }

    /// Every object under `<prefix>/<folder>/`, through ListObjectsV2's paginator.
    pub async fn list(&self, folder: &str) -> Result<Vec<Listed>> {
        let mut pages = self.list_request(folder).into_paginator().send();
        let mut listed = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.error("s3:ListBucket", e))?;
            listed.extend(self.objects(folder, &page));
        }
        Ok(listed)
    }

    /// The first page (up to 1,000 objects) under `<prefix>/<folder>/`, and whether more
    /// follow: a small store is listed in one request.
    pub async fn list_first_page(&self, folder: &str) -> Result<(Vec<Listed>, bool)> {
        let page = self
            .list_request(folder)
            .send()
            .await
            .map_err(|e| self.error("s3:ListBucket", e))?;
        let more = page.is_truncated().unwrap_or(false);
        Ok((self.objects(folder, &page), more))
    }

    /// The folders directly under `<prefix>/<folder>/` (e.g. `runs/<job>`), listed with the
    /// `/` delimiter: each can then be listed on its own, in parallel.
    pub async fn subfolders(&self, folder: &str) -> Result<Vec<String>> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.location.bucket)
            .prefix(self.location.key(&format!("{folder}/")))
            .delimiter("/")
            .into_paginator()
            .send();
        let mut folders = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.error("s3:ListBucket", e))?;
            for common in page.common_prefixes() {
                let relative = common.prefix().and_then(|p| self.location.relative(p));
                if let Some(relative) = relative.and_then(|r| r.strip_suffix('/')) {
                    folders.push(relative.to_string());
                }
            }
        }
        Ok(folders)
    }

    fn list_request(
        &self,
        folder: &str,
    ) -> aws_sdk_s3::operation::list_objects_v2::builders::ListObjectsV2FluentBuilder {
        self.client
            .list_objects_v2()
            .bucket(&self.location.bucket)
            // No trailing '/' in the listed prefix: moto 5.2 checks the signature of a
            // query holding an encoded '/' wrongly (SignatureDoesNotMatch) when IAM is
            // enforced; keys outside `<folder>/` are dropped in `objects` instead.
            .prefix(self.location.key(folder))
    }

    /// A listing page's objects under `<folder>/`, keyed relative to the prefix.
    fn objects(
        &self,
        folder: &str,
        page: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output,
    ) -> Vec<Listed> {
        let inside = format!("{folder}/");
        page.contents()
            .iter()
            .filter_map(|object| {
                let relative = self.location.relative(object.key()?)?;
                relative.starts_with(&inside).then(|| Listed {
                    relative: relative.to_string(),
                    size: u64::try_from(object.size().unwrap_or(0)).unwrap_or(0),
                })
            })
            .collect()
    }

    /// The bytes of the object at `relative`.
    pub async fn get(&self, relative: &str) -> Result<Vec<u8>> {
        self.get_tagged(relative).await.map(|(bytes, _)| bytes)
    }

    /// The bytes of the object at `relative` and its ETag (for a conditional replace).
    pub async fn get_tagged(&self, relative: &str) -> Result<(Vec<u8>, Option<String>)> {
        let output = self
            .client
            .get_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(relative))
            .send()
            .await
            .map_err(|e| self.error("s3:GetObject", e))?;
        let etag = output.e_tag().map(String::from);
        let bytes = output.body.collect().await.map_err(|e| {
            Error::Aws(format!(
                "s3:GetObject of {}/{relative} broke off: {e}; try again",
                self.location
            ))
        })?;
        Ok((bytes.into_bytes().to_vec(), etag))
    }

    /// Replace the object at `relative` only if it is still the version tagged `etag`
    /// (`If-Match`); false when it changed meanwhile (HTTP 412), and nothing was written.
    pub async fn replace(&self, relative: &str, bytes: Vec<u8>, etag: &str) -> Result<bool> {
        let sent = self
            .client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(relative))
            .if_match(etag)
            .body(ByteStream::from(bytes))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.raw().status().as_u16() == 412 => Ok(false),
            Err(e) => Err(self.error("s3:PutObject", e)),
        }
    }

    /// Write `bytes` at `relative` only if no object has that key (`If-None-Match: *`).
    pub async fn create(&self, relative: &str, bytes: Vec<u8>) -> Result<Created> {
        let sent = self
            .client
            .put_object()
            .bucket(&self.location.bucket)
            .key(self.location.key(relative))
            .if_none_match("*")
            .body(ByteStream::from(bytes))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Created::New),
            Err(SdkError::ServiceError(e)) if e.raw().status().as_u16() == 412 => {
                Ok(Created::Exists)
            }
            Err(e) => Err(self.error("s3:PutObject", e)),
        }
    }

    /// Fail now, in one line, when runs could not be written to the store: a create-only
    /// PutObject of [`PROBE_KEY`] (an existing probe answers 412, which is a pass).
    pub async fn check_writable(&self) -> Result<()> {
        self.create(PROBE_KEY, b"fargate-cost can write here\n".to_vec())
            .await
            .map(|_| ())
    }

    fn error<E>(&self, action: &str, error: SdkError<E, HttpResponse>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if let SdkError::ServiceError(service) = &error {
            let raw = service.raw();
            let bucket_region = raw.headers().get("x-amz-bucket-region").map(String::from);
            let code = service.err().code().unwrap_or("");
            if let Some(line) = store_error(
                &self.location,
                &self.region,
                action,
                code,
                raw.status().as_u16(),
                bucket_region.as_deref(),
            ) {
                return Error::Aws(line);
            }
        }
        translate(action, error)
    }
}

/// The S3-specific error lines (None: the shared translation applies).
fn store_error(
    location: &S3Location,
    region: &str,
    action: &str,
    code: &str,
    status: u16,
    bucket_region: Option<&str>,
) -> Option<String> {
    let bucket = &location.bucket;
    if status == 301 || code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" {
        let other = bucket_region.map_or("another region".to_string(), |r| format!("`{r}`"));
        let fix = bucket_region.map_or("pass the bucket's region with --region".to_string(), |r| {
            format!("pass --region {r}")
        });
        return Some(format!(
            "the store's bucket `{bucket}` is in {other}, not `{region}`: {fix}"
        ));
    }
    match code {
        "NoSuchBucket" => Some(format!(
            "the store's bucket `{bucket}` does not exist (region `{region}`): create it (aws s3 mb s3://{bucket}) or fix --store / FARGATE_COST_STORE"
        )),
        "AccessDenied" | "AllAccessDisabled" => Some(format!(
            "access denied to {action} on {location}: the caller needs the IAM permission `{action}` on the store (see \"S3 store\" in the README)"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location() -> S3Location {
        S3Location {
            bucket: "team-runs".into(),
            prefix: "fc".into(),
        }
    }

    #[test]
    fn store_urls_parse_into_bucket_and_prefix() {
        let parsed = S3Location::parse("s3://team-runs/fc/").unwrap().unwrap();
        assert_eq!(parsed, location());
        assert_eq!(parsed.to_string(), "s3://team-runs/fc");
        assert_eq!(parsed.key("runs/a/1.json"), "fc/runs/a/1.json");
        assert_eq!(parsed.relative("fc/runs/a/1.json"), Some("runs/a/1.json"));
        assert_eq!(parsed.relative("fcx/runs/a/1.json"), None);
        let root = S3Location::parse("s3://team-runs").unwrap().unwrap();
        assert_eq!(
            (root.prefix.as_str(), root.key("runs")),
            ("", "runs".into())
        );
        assert!(S3Location::parse("./store").is_none());
        for escape in [
            "s3://team-runs/../x",
            "s3://team-runs/a//b",
            "s3://team-runs/./a",
        ] {
            let bad = S3Location::parse(escape).unwrap().unwrap_err().to_string();
            assert!(
                bad.ends_with("the prefix may not hold empty, `.` or `..` segments"),
                "{bad}"
            );
        }
        let bad = S3Location::parse("s3://Bad_Bucket/x").unwrap().unwrap_err();
        assert!(
            bad.to_string().starts_with("--store: `s3://Bad_Bucket/x`"),
            "{bad}"
        );
    }

    /// moto does not answer a request signed for the wrong region with a redirect, so the
    /// line S3 gets (301 PermanentRedirect with x-amz-bucket-region) is checked here.
    #[test]
    fn a_bucket_in_another_region_names_the_region_to_pass() {
        let line = store_error(
            &location(),
            "us-east-1",
            "s3:PutObject",
            "PermanentRedirect",
            301,
            Some("eu-west-1"),
        );
        assert_eq!(
            line.as_deref(),
            Some(
                "the store's bucket `team-runs` is in `eu-west-1`, not `us-east-1`: pass --region eu-west-1"
            )
        );
        let without = store_error(&location(), "us-east-1", "s3:GetObject", "", 301, None);
        assert!(
            without
                .unwrap()
                .ends_with("pass the bucket's region with --region")
        );
    }

    #[test]
    fn missing_buckets_and_denied_actions_say_what_to_do() {
        let missing = store_error(
            &location(),
            "us-east-1",
            "s3:PutObject",
            "NoSuchBucket",
            404,
            None,
        );
        assert!(
            missing
                .unwrap()
                .contains("does not exist (region `us-east-1`): create it")
        );
        let denied = store_error(
            &location(),
            "us-east-1",
            "s3:ListBucket",
            "AccessDenied",
            403,
            None,
        );
        assert!(
            denied
                .unwrap()
                .contains("the caller needs the IAM permission `s3:ListBucket`")
        );
        assert_eq!(
            store_error(&location(), "r", "s3:GetObject", "SlowDown", 503, None),
            None
        );
    }
}
