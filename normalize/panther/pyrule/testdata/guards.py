ALLOWED_SOURCES = {"config.amazonaws.com"}


def rule(event):
    if event.get("eventSource") != "ec2.amazonaws.com":
        return False
    if event.deep_get("userIdentity", "invokedBy") in ALLOWED_SOURCES:
        return False
    if event.get("readOnly") is True:
        return False
    if event.get("eventName") == "RunInstances":
        return True
    return False
