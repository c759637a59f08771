def is_failed_login(event):
    return event.get("outcome") == "FAILURE"


def from_tor(event):
    if event.deep_get("securityContext", "isProxy") is True:
        return True
    return False


def rule(event):
    return is_failed_login(event) and from_tor(event)
