"""Phone systems (PBXs) that numberdesk provisions itself: plain data in, configuration and test calls out."""
