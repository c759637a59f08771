def rule(event):
    if event["requestParameters"]["policyDocument"]["Effect"] != "Allow":
        return False
    return event.get("requestParameters", {}).get("roleName", "").startswith("admin")
