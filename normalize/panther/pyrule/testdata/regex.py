import re

SCANNER = re.compile(r"(nikto|sqlmap)/\d+")


def rule(event):
    ua = event.get("http_user_agent", "")
    return bool(SCANNER.search(ua)) or re.match(r"^zgrab", ua) or re.fullmatch("gobuster/.*", ua)
