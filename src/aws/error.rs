//! SDK errors translated into the tool's own, with what to do about them.

use aws_sdk_ecs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::error::Error;

/// Translate an SDK error of `action` (the IAM action, e.g. `ecs:RunTask`).
pub(crate) fn translate<E, R>(action: &str, error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let context = DisplayErrorContext(&error).to_string();
    let (code, message) = match &error {
        SdkError::ServiceError(service) => (
            service.err().code().unwrap_or("").to_string(),
            service.err().message().unwrap_or("").to_string(),
        ),
        _ => (String::new(), String::new()),
    };
    let lower = context.to_ascii_lowercase();
    let kind = match code.as_str() {
        "AccessDeniedException"
        | "AccessDenied"
        | "UnauthorizedOperation"
        | "UnrecognizedClientException" => {
            format!(
                "access denied to {action}: the caller needs the IAM permission `{action}` (see the IAM policy in the README)"
            )
        }
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => {
            format!(
                "{action} was throttled by AWS even after {} attempts; try again later",
                super::MAX_ATTEMPTS
            )
        }
        "ClusterNotFoundException" => format!(
            "{action}: cluster not found ({message}); check [jobs.ecs] cluster and --region"
        ),
        "ClientException"
            if lower.contains("task definition") || lower.contains("taskdefinition") =>
        {
            format!(
                "{action}: task definition not found ({message}); check [jobs.ecs] task_definition and --region"
            )
        }
        "" if lower.contains("credential") => format!(
            "no AWS credentials for {action}: set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login`"
        ),
        "" => format!("{action} failed: {context}"),
        code => format!("{action} failed: {code}: {message}"),
    };
    Error::Aws(kind)
}
