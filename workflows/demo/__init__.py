"""The demo Bækkeby Kommune: its data (data.py) and how it is built (build.py)."""
