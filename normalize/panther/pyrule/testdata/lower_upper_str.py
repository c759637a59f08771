def rule(event):
    return (
        event.get("userAgent", "").lower() == "masscan"
        and str(event.get("statusCode")) == "404"
        and event.deep_get("client", "os", default="").upper().startswith("KALI")
    )
