POLICY_EVENTS = ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl"]
AUTOMATION_PREFIXES = ("terraform-", "cdk-")


def rule(event):
    session = event.get("userIdentity", {}).get("sessionContext", {}).get("sessionIssuer", {}).get("userName", "")
    if session.startswith(AUTOMATION_PREFIXES):
        return False
    for name in POLICY_EVENTS:
        if event.get("eventName") == name:
            return True
    return False
