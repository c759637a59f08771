# Parts of a path-like field (str.split with a one-character separator)
# and assignment expressions in if conditions.


def resource(event):
    name = str(event.deep_get("protoPayload", "resourceName", default=""))
    parts = name.split("/")
    if len(parts) >= 5:
        return parts[4]
    if len(parts) >= 3:
        return parts[2]
    return ""


def rule(event):
    if not (actor := event.deep_get("authenticationInfo", "principalEmail")):
        return False
    if actor.endswith(".gserviceaccount.com"):
        return False
    return resource(event) in ("pods", "secrets")
