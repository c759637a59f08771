# Constant dicts read with an event field as the key.
SENSITIVE = {
    "ec2.amazonaws.com": ["RunInstances", "CreateKeyPair"],
    "kms.amazonaws.com": ["Decrypt"],
}
TOOLS = {"nc.exe": ["cmd.exe"], "certutil.exe": ["-urlcache"]}
RECON = {"iam": ["List", "Get"]}


def rule(event):
    source = event.get("eventSource")
    if source in SENSITIVE and event.get("eventName") in SENSITIVE[source]:
        return True
    process = event.deep_get("event", "ImageFileName", default="").lower().split("\\")[-1]
    signatures = TOOLS.get(process, [])
    for signature in signatures:
        if signature in event.deep_get("event", "CommandLine", default=""):
            return True
    for prefix, actions in RECON.items():
        if event.get("eventSource", "").startswith(prefix) and any(
            event.get("eventName", "").startswith(a) for a in actions
        ):
            return True
    return False
