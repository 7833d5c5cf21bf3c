"""The store's registries that know every domain (one line per domain): the review specs. They sit above
the domains, which never import them."""
