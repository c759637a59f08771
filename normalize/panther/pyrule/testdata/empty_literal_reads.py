# Reads from a value that holds nothing give the default (Python's rules).
PRIVILEGED = {"cluster-admin", "admin"}


def rule(event):
    request_object = None or {}
    spec = request_object.get("spec", {})
    if "client auth" in spec.get("usages", []):
        return True
    if deep_get(request_object, "roleRef", "name", default="") in PRIVILEGED:
        return True
    granted = {}
    for auth in event.get("authorizationInfo", []):
        granted[auth.get("permission")] = auth.get("granted")
    if not granted.get("compute.instances.create"):
        return False
    return event.get("verb") == "create"
