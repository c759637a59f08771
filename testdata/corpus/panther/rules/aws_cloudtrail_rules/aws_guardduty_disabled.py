GUARDDUTY_EVENTS = ["DeleteDetector", "UpdateDetector"]


def detector_disabled(event):
    if event.get("eventName") == "UpdateDetector":
        return event.deep_get("requestParameters", "enable") is False
    return True


def rule(event):
    return (
        event.get("eventSource") == "guardduty.amazonaws.com"
        and event.get("eventName") in GUARDDUTY_EVENTS
        and detector_disabled(event)
    )
