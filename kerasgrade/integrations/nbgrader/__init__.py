"""The course for nbgrader: source and release notebooks, the answer cells, an nbgrader course folder."""
