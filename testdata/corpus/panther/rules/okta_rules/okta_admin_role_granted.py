import re

ADMIN_PATTERN = re.compile(r"[aA]dministrator")


def rule(event):
    return (
        event.get("eventType", None) == "user.account.privilege.grant"
        and event.deep_get("outcome", "result") == "SUCCESS"
        and bool(ADMIN_PATTERN.search(event.deep_get("debugContext", "debugData", "privilegeGranted", default="")))
    )
