def rule(event):
    return (event.get("a") == "1" or event.get("b") == "2") and not (event.get("c") == "3" and event.get("d") == "4")
