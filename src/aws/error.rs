//! SDK errors translated into the tool's own, once: one line that says what happened and
//! what to do — never the SDK's Debug dump or an HTML error page.

use aws_sdk_ecs::config::http::HttpResponse;
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};

use crate::error::Error;

/// At most this many characters of a message that came from the other side.
const MAX_DETAIL: usize = 200;

/// A message from the server, shortened and on one line.
fn short(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_DETAIL {
        return one_line;
    }
    let cut: String = one_line.chars().take(MAX_DETAIL).collect();
    format!("{cut}…")
}

/// The innermost cause of an error, which is where the SDK puts "connection refused".
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    short(&current.to_string())
}

/// Whether an error's innermost cause is about credentials (none configured, or the
/// instance metadata service refusing to provide any).
fn about_credentials(cause: &str) -> bool {
    let lower = cause.to_ascii_lowercase();
    lower.contains("credential") || lower.contains("imds")
}

/// Translate an SDK error of `action` (the IAM action, e.g. `ecs:RunTask`).
pub(crate) fn translate<E>(action: &str, error: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let reach = "check the network, --endpoint-url and --region";
    let kind = match &error {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("");
            let message = short(service.err().message().unwrap_or(""));
            let status = service.raw().status().as_u16();
            service_error(action, code, &message, status)
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            format!("cannot reach AWS for {action}: the connection timed out; {reach}")
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            let cause = root_cause(&error);
            if about_credentials(&cause) {
                no_credentials(action)
            } else {
                format!("cannot reach AWS for {action}: {cause}; {reach}")
            }
        }
        SdkError::ResponseError(response) => format!(
            "{action}: unreadable response (HTTP {}) from the endpoint; {reach}",
            response.raw().status().as_u16()
        ),
        _ => {
            let cause = root_cause(&error);
            if about_credentials(&cause) {
                no_credentials(action)
            } else {
                format!("{action} failed: {cause}")
            }
        }
    };
    Error::Aws(kind)
}

fn no_credentials(action: &str) -> String {
    format!(
        "no AWS credentials for {action}: set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login`"
    )
}

/// A service's error response, by code; a response without an AWS error code (an HTML page
/// from a proxy, a bare 500) is named by its status, its body never printed.
fn service_error(action: &str, code: &str, message: &str, status: u16) -> String {
    let lower = message.to_ascii_lowercase();
    match code {
        "AccessDeniedException"
        | "AccessDenied"
        | "UnauthorizedOperation"
        | "UnrecognizedClientException" => format!(
            "access denied to {action}: the caller needs the IAM permission `{action}` (see the IAM policy in the README)"
        ),
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => format!(
            "{action} was throttled by AWS even after {} attempts; try again later",
            super::MAX_ATTEMPTS
        ),
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
        "" => format!(
            "{action} failed: HTTP {status} from the endpoint, not an AWS error response; check --endpoint-url, or try again later"
        ),
        code => format!("{action} failed: {code}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_failures_are_recognised_by_their_cause() {
        assert!(about_credentials(
            "request forbidden: IMDS is disabled or the caller has insufficient permissions."
        ));
        assert!(about_credentials("no credentials in the property bag"));
        assert!(!about_credentials("Connection refused (os error 111)"));
    }

    #[test]
    fn long_server_messages_are_cut_to_one_short_line() {
        let html = format!("<html>\n<body>{}</body></html>", "x".repeat(5000));
        let text = short(&html);
        assert!(
            text.chars().count() <= MAX_DETAIL + 1 && !text.contains('\n'),
            "{text}"
        );
        assert!(service_error("ecs:RunTask", "", &text, 500).contains("HTTP 500"));
        assert!(!service_error("ecs:RunTask", "", &text, 500).contains("<html>"));
    }
}
