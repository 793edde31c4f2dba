# lualib: the Lua library modules (stats, report, kwic, json, progress).
# Reference values for the statistics tests (NLTK, SciPy), graph readers
# for the GEXF/GraphML tests (NetworkX), and a headless browser for the
# HTML report test.
DEB_TEST_PACKAGES += python3 python3-nltk python3-scipy python3-networkx chromium
