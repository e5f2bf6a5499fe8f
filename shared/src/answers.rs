//! Response types several route families share. A building block: it imports no operation.

use serde::Serialize;

pub use crate::cognito::CodeDelivery;

/// `{"status": "SUCCESS"}`, the answer of operations that return nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Status {
    pub status: Success,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Success {
    #[serde(rename = "SUCCESS")]
    Success,
}

/// The one `Status` value.
pub const SUCCESS: Status = Status {
    status: Success::Success,
};

/// `{"codeDeliveryDetails": ...}`: where a code went, or `null` (also for an unknown user, so that the
/// answer reveals nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub code_delivery_details: Option<CodeDelivery>,
}

/// `{"status": "SUCCESS", "codeDeliveryDetails": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StatusWithDelivery {
    pub status: Success,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub code_delivery_details: Option<CodeDelivery>,
}

impl StatusWithDelivery {
    pub fn new(code_delivery_details: Option<CodeDelivery>) -> StatusWithDelivery {
        StatusWithDelivery {
            status: Success::Success,
            code_delivery_details,
        }
    }
}
