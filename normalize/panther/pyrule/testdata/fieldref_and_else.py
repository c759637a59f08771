def rule(event):
    if event.get("srcaddr") == event.get("dstaddr"):
        return False
    elif event.get("action") == "REJECT":
        return False
    else:
        return event.get("dstport") in (22, 3389)
