FAILURE_REASONS = ("INVALID_CREDENTIALS", "VERIFICATION_ERROR")


def rule(event):
    outcome = event.deep_get("outcome", "result", default="")
    reason = event.deep_get("outcome", "reason", default="").upper()
    return all(
        [
            event.get("eventType") == "user.session.start",
            outcome == "FAILURE",
            any(r in reason for r in FAILURE_REASONS),
            not event.deep_get("securityContext", "isProxy"),
        ]
    )
