# A helper whose result is one of several fields, a tuple, or a literal on
# some path: the rest of the rule runs once per value it returns.
ADMIN = ["admin", "owner"]


def group_of(event):
    if event.deep_get("requestParams", "endpoint") in ["roleAssignment"]:
        return event.deep_get("requestParams", "targetUserName")
    return event.deep_get("requestParams", "groupName")


def roles(event):
    return event.get("from_role"), event.get("to_role")


def description(event):
    text = event.get("description", "")
    if text.startswith("{"):
        return json.loads(text)
    return {"value": text}


def rule(event):
    group = group_of(event)
    if group and any(word in group.lower() for word in ADMIN):
        return True
    _, to_role = roles(event)
    if to_role in ("Owner", "Admin"):
        return True
    desc = description(event)
    return "fraudulent" in desc.get("error", "").lower()
