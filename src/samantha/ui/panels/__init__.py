"""The panels of the web UI, one file each: they build their Gradio components and turn values
into what those components show. The tabs (``ui/chat.py``, ``ui/history_tab.py``) compose them
and wire their events."""
