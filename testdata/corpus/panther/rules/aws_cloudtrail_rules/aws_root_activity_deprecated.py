def rule(event):
    return event.deep_get("userIdentity", "type") == "Root"
