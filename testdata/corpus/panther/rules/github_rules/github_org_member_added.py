KNOWN_ADMINS = {"octo-admin", "platform-bot"}


def rule(event):
    actor = event.get("actor", "")
    action = event.get("action")
    if actor in KNOWN_ADMINS:
        return False
    if action == "org.add_member" or action == "org.invite_member":
        return True
    return False
