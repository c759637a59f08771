from ipaddress import ip_network

from panther_base_helpers import is_ip_in_network

TRUSTED = ["10.0.0.0/8"]


def rule(event):
    if is_ip_in_network(event.get("sourceIPAddress"), TRUSTED):
        return False
    return event.get("eventName") == "ConsoleLogin"
