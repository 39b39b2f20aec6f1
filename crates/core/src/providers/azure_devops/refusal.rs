//! What an Azure DevOps 400 or 403 means, read from its error body
//! `{"message":"TF401320: …","typeKey":"RuleValidationException",…}`. Work
//! item rules refuse the data (TF401320 for a rule on a field such as
//! Required, TF401347 for an area or iteration path that does not exist,
//! TF401326 for a value the field does not allow); a missing permission
//! names the permission (TF401027 "You need the Git 'GenericContribute'
//! permission…", TF237111 for an area path, any other TF or VS code
//! whose message speaks of a permission).

use crate::error::Error;
use crate::http::HttpError;
use crate::providers::error_body::{between, fold_whitespace, string_value};

const SERVICE: &str = "Azure DevOps";

/// Turns a refusal the body explains into a refusal of the data or of a
/// permission; anything else stays the HTTP error it was.
pub(super) fn interpret(error: HttpError) -> Error {
    let (status, excerpt) = match &error {
        HttpError::Rejected {
            status: 400,
            excerpt,
        } => (400, excerpt.as_str()),
        HttpError::Auth {
            status: 403,
            excerpt,
        } => (403, excerpt.as_str()),
        _ => return error.into(),
    };
    let message = string_value(excerpt, "message").unwrap_or_else(|| fold_whitespace(excerpt));
    let code = message.split(':').next().unwrap_or_default().trim();
    match code {
        // "TF401320: Rule Error for field Assigned To. Error code: Required, …"
        "TF401320" => Error::Refused {
            service: SERVICE,
            field: between(&message, "for field ", ". Error code")
                .map(|f| f.trim_end_matches('.').to_owned()),
            message,
        },
        // "TF401347: Invalid tree name given for work item -1, field 'System.AreaPath'."
        "TF401347" | "TF401326" => Error::Refused {
            service: SERVICE,
            field: between(&message, "field '", "'").map(str::to_owned),
            message,
        },
        _ if is_permission(code, &message) => Error::PermissionDenied {
            service: SERVICE,
            status,
            message,
            remedy: "Ask a project administrator to grant it to the account the connection uses"
                .into(),
        },
        _ => error.into(),
    }
}

fn is_permission(code: &str, message: &str) -> bool {
    let coded = code.starts_with("TF") || code.starts_with("VS");
    code == "TF401027" || code == "TF237111" || (coded && message.contains(" permission"))
}
