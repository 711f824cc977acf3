"""Voice: offline streaming speech in and out, with barge-in; a front door on the companion."""
