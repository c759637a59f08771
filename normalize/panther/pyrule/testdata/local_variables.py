def rule(event):
    action = event.get("action", "")
    actor = event.deep_get("actor", "login")
    target = actor
    if not action:
        return False
    return action == "org.add_member" and target != "dependabot"
