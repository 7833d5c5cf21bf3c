"""The message lifecycle: durable outbox, sender, segmentation, digests."""
