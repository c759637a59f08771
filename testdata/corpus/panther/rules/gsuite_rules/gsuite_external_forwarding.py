ALLOWED_DOMAINS = ("@example.com", "@example.org")


def rule(event):
    if event.deep_get("id", "applicationName") != "user_accounts":
        return False
    if event.get("name") != "email_forwarding_out_of_domain":
        return False
    destination = event.deep_get("parameters", "email_forwarding_destination_address", default="")
    if destination is None:
        return False
    return not destination.endswith(ALLOWED_DOMAINS)
