def rule(event):
    if event.get("errorCode") is not None:
        return False
    return event.get("bytesOut", 0) > 1000000 and 5 <= event.get("attempts", 0) and event.get("p_enrichment") is None
