from panther_base_helpers import deep_get


def is_console_login(event):
    return event.get("eventName") == "ConsoleLogin" and event.get("eventType") == "AwsConsoleSignIn"


def rule(event):
    if not is_console_login(event):
        return False
    mfa_used = deep_get(event, "additionalEventData", "MFAUsed", default="No")
    login = event["responseElements"]["ConsoleLogin"]
    if login != "Success":
        return False
    return mfa_used == "No"
