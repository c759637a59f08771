def rule(event):
    return event.get("eventName") == "ConsoleLogin" and event.get("mfaUsed", "No") == "No"
