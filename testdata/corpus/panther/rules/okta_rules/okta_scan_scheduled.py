def rule(event):
    return event.get("failed_factors", 0) > 20
