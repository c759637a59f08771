from panther_base_helpers import ADMIN_ROLES
from panther_aws_helpers import aws_cloudtrail_success


def rule(event):
    return (
        aws_cloudtrail_success(event)
        and event.get("eventName") == "AttachRolePolicy"
        and event.deep_get("requestParameters", "roleName") in ADMIN_ROLES
    )
