# len(field) against a bound: computed predicates.
MAX_ADMIN_USERS = 2


def rule(event):
    user_agent = event.get("user_agent", "")
    if not user_agent or len(user_agent) < 3:
        return False
    if len(event.get("Users", [])) <= MAX_ADMIN_USERS:
        return False
    return len(event.deep_get("params", "emails", default=[])) != 1
