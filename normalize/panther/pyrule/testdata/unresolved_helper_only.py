from panther_base_helpers import is_suspicious_login


def rule(event):
    return is_suspicious_login(event)
