from panther_base_helpers import deep_get


def rule(event):
    return (
        event.deep_get("userIdentity", "type") == "Root"
        and deep_get(event, "responseElements", "ConsoleLogin", default="") == "Success"
        and event.deep_walk("resources", "ARN", default="") is not None
    )
