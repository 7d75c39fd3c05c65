"""Browser tests: Accord's pages driven in the system's Chromium through Playwright."""
