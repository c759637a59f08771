import re

SCANNER_AGENTS = ["nikto", "sqlmap", "nuclei", "wpscan"]
PROBE_SUFFIXES = (".env", ".git/config", "wp-login.php")


def rule(event):
    user_agent = str(event.get("httpUserAgent", "")).lower()
    if user_agent.startswith("mozilla") and not event.get("request"):
        return False
    if any(agent in user_agent for agent in SCANNER_AGENTS):
        return True
    if re.search(r"masscan/\d", user_agent):
        return True
    return event.get("request", "").endswith(PROBE_SUFFIXES) and event.get("status", 0) >= 400
