# lualib: the Lua library modules (stats, report, kwic, json, progress).
# Reference values for the statistics tests (NLTK, SciPy), graph readers
# for the GEXF/GraphML tests (NetworkX), and a headless browser for the
# HTML report test and the pictures (xmllint parses the SVG files).
DEB_TEST_PACKAGES += python3 python3-nltk python3-scipy python3-networkx chromium libxml2-utils

# The pictures of docs/pictures/, drawn from the sample corpus by the
# scripts' --svg options (tools/pictures.sh; tests/scripts_svg.lua checks
# that they are up to date).
.PHONY: pictures
pictures: $(BUILD)/corpusrun
	tools/pictures.sh $(BUILD)/corpusrun docs/pictures
# (both draw every picture in headless Chromium)
SLOW_TESTS += tests/scripts_svg.lua tests/lualib_chart.lua
