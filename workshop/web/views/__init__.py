"""The blueprints, one module each. They never import one another; what two of them share
lives one level up, in `workshop.web`."""
