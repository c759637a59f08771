SENSITIVE_APIS = {"PutBucketPolicy", "DeleteBucketPolicy"}
READ_ONLY = ["GetObject", "HeadObject"]
REGIONS = ("us-east-1", "eu-west-1")
ADMINS = frozenset({"root", "breakglass"})
ALL_CHANGES = SENSITIVE_APIS | set(["PutBucketAcl"])


def rule(event):
    if event.get("userName") in ADMINS:
        return False
    if event.get("eventName") in READ_ONLY:
        return False
    return event.get("eventName") in ALL_CHANGES and event.get("awsRegion") not in REGIONS
