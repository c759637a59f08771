SUSPICIOUS_PATHS = ["/.git/config", "/wp-login.php", "/.env"]


def rule(event):
    path = event.get("request_uri", "")
    for suspicious in SUSPICIOUS_PATHS:
        if path.endswith(suspicious):
            return True
    for header in event.get("headers", []):
        if header.get("name") == "X-Scanner":
            return True
    return False
