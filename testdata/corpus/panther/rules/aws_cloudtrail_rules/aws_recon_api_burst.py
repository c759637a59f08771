# Enumeration calls that scanners issue in bulk.
RECON_CALLS = {
    "DescribeInstances",
    "DescribeSecurityGroups",
    "ListBuckets",
} | {"GetAccountAuthorizationDetails"}

SERVICE_PRINCIPALS = frozenset(["config.amazonaws.com", "access-analyzer.amazonaws.com"])


def rule(event):
    # Failed calls are noise for this detection
    if event.get("errorCode") is not None:
        return False
    if event.deep_get("userIdentity", "invokedBy") in SERVICE_PRINCIPALS:
        return False
    return event.get("eventName") in RECON_CALLS and event.deep_get("userIdentity", "type") != "AWSService"


def title(event):
    return f"Enumeration burst by {event.deep_get('userIdentity', 'arn')}"
